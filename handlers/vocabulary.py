"""What school words mean: the ideas in an offer or request (a Latin teacher, a pool, INSET, Year 6, Thursdays),
read with school_words.txt and, for matching, a network's own words.

Text is read as words: lower-cased, split at anything but a letter or digit, and stemmed with Snowball's
English stemmer (the one PostgreSQL's english configuration uses), so "teachers" is "teacher"; short words
are kept whole. The longest run
of words that is a way of writing an idea is that idea; any other word that is not filler stands for itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

WORDS_FILE = Path(__file__).with_name("school_words.txt")
THINGS = ("person", "place", "equipment", "transport", "event", "training", "advice", "service")
ROLES = {"stage": "who", "who": "who", "when": "when"}  # every other kind is the "what" of a listing
_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)
_STEMMER = Stemmer.Stemmer("english")
_READ_CACHE = 20_000
_WHOLE = frozenset({"physical", "practice", "practices"})  # the stemmer makes them physics and practical
_NUMBERED = re.compile(r"(\d+)s")  # Year 7s, the 1990s


@dataclass(frozen=True)
class Idea:
    """One idea: `name` as Kept writes it ("Latin", "pool", "KS2"), its kind (a section of the words file, or
    `word` for a word no idea has) and the ways people write it."""

    name: str
    kind: str
    ways: tuple[str, ...]

    @property
    def role(self) -> str:
        """`what` the listing is about, `who` it is for, or `when`."""
        return ROLES.get(self.kind, "what")


@dataclass(frozen=True)
class Mention:
    """An idea as one text wrote it: `written` runs from word `start` up to (not including) word `end`."""

    idea: Idea
    written: str
    start: int
    end: int


def stem(word: str) -> str:
    return _stem(word.lower())


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    """Words of three letters or fewer are kept whole: they are mostly acronyms (AED, TAs, PE), which stemming
    would mangle."""
    numbered = _NUMBERED.fullmatch(word)
    if numbered:
        return numbered.group(1)
    return word if len(word) <= 3 or word in _WHOLE else str(_STEMMER.stemWord(word))


def stems(text: str) -> tuple[str, ...]:
    return tuple(_stem(w.lower()) for w in _WORD.findall(text))


def words(text: str) -> list[str]:
    """The text's words, lower-cased, numbered as a Mention's `start` and `end` count them."""
    return [w.lower() for w in _WORD.findall(text)]


@dataclass
class Vocabulary:
    """Ideas by name, what an offer of one also offers (`also`: a pool offers swimming), and filler words."""

    ideas: dict[str, Idea]
    also: Mapping[str, Sequence[str]]
    filler: frozenset[str]
    _index: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict, repr=False)
    _read: dict[str, tuple[Mention, ...]] = field(default_factory=dict, repr=False)
    _suppliers: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for idea in self.ideas.values():
            for way in (idea.name, *idea.ways):
                key = stems(way)
                if key and idea.name not in self._index.get(key, ()):
                    self._index[key] = (*self._index.get(key, ()), idea.name)
        self._longest = max((len(key) for key in self._index), default=1)
        for name in self.also:
            for more in self.offered([name]) - {name}:
                self._suppliers.setdefault(more, set()).add(name)

    def knows(self, words: str) -> str | None:
        """The idea written `words`, by name or by one of its ways (the first, if several)."""
        found = self._index.get(stems(words))
        return found[0] if found else None

    def read(self, text: str) -> tuple[Mention, ...]:
        """The ideas `text` mentions, in order, and each word that is neither an idea nor filler."""
        found = self._read.get(text)
        if found is None:
            if len(self._read) >= _READ_CACHE:
                self._read.clear()
            found = self._read[text] = tuple(self._mentions(text))
        return found

    def _mentions(self, text: str) -> Iterable[Mention]:
        words = list(_WORD.finditer(text))
        stemmed = [_stem(w.group().lower()) for w in words]
        i = 0
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                names = self._index.get(tuple(stemmed[i : i + n]))
                if names:
                    written = text[words[i].start() : words[i + n - 1].end()]
                    yield from (Mention(self.ideas[name], written, i, i + n) for name in names)
                    break
            else:
                n = 1
                word = words[i].group()
                if stemmed[i] not in self.filler and len(word) > 1 and not word.isdigit():
                    yield Mention(Idea(stemmed[i], "word", (word.lower(),)), word, i, i + 1)
            i += n

    def offered(self, names: Iterable[str]) -> set[str]:
        """`names` and everything an offer of them also offers (a kiln offers pottery, and so art)."""
        found = set(names)
        todo = list(found)
        while todo:
            for more in self.also.get(todo.pop(), ()):
                if more not in found:
                    found.add(more)
                    todo.append(more)
        return found

    def offering(self, names: Iterable[str]) -> set[str]:
        """`names` and every idea an offer of which also offers one of them (swimming: a pool)."""
        wanted = set(names)
        return wanted.union(*(self._suppliers.get(name, ()) for name in wanted))

    def extended(self, own: Iterable[tuple[str, str]]) -> Vocabulary:
        """This vocabulary with a network's own words, as (idea, word) pairs: each idea joins the one that already
        has its name or one of its words, or is a new subject."""
        ideas = dict(self.ideas)
        grouped: dict[str, list[str]] = {}
        for name, word in own:
            grouped.setdefault(name, []).append(word)
        for name, words in grouped.items():
            known = next((k for w in (name, *words) if (k := self.knows(w)) is not None), None)
            if known is None:
                ideas[name] = Idea(name, "subject", tuple(words))
            else:
                ideas[known] = Idea(known, ideas[known].kind, (*ideas[known].ways, name, *words))
        return Vocabulary(ideas, self.also, self.filler)


def parse(text: str) -> Vocabulary:
    """A vocabulary from the words file's format: `[kind]` sections of `name = way, way` lines, an `[also]`
    section of `name = idea, idea`, and a `[filler]` section of plain lists; `#` starts a comment."""
    ideas: dict[str, Idea] = {}
    also: dict[str, tuple[str, ...]] = {}
    filler: set[str] = set()
    section = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif line and section == "filler":
            filler.update(_stem(w.strip().lower()) for w in line.split(",") if w.strip())
        elif line:
            name, _, rest = (part.strip() for part in line.partition("="))
            ways = tuple(w.strip() for w in rest.split(",") if w.strip())
            if name in (also if section == "also" else ideas):
                raise ValueError(f"{name} is in the words file twice; please give it one line")
            if section == "also":
                also[name] = ways
            else:
                ideas[name] = Idea(name, section, ways)
    return Vocabulary(ideas, also, frozenset(filler))


@cache
def school_words() -> Vocabulary:
    """Kept's own vocabulary, from school_words.txt."""
    return parse(WORDS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def with_own_words(own: tuple[tuple[str, str], ...]) -> Vocabulary:
    """Kept's vocabulary with a network's own words (cached: networks change their words rarely)."""
    return school_words().extended(own) if own else school_words()
