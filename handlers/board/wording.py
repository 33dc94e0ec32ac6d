"""An offer or request as matching reads it (the ideas it mentions, what it is about, who for, when), and the
reason a match gives, in the request's own words: "Latin teacher, Thursdays, for GCSE"."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from functools import cached_property

from handlers.vocabulary import THINGS, Idea, Mention, Vocabulary, words

SORT = {"event": "activity", "training": "activity", "advice": "activity"}  # a workshop for staff is training


@dataclass(frozen=True)
class Reading:
    """The ideas a listing mentions, in order, and those an offer of them also offers (a pool offers swimming).

    `occasion` is the word where what is needed gives way to what it is for ("Transport | for a trip to the
    seaside"): the first "for", "to", "at" or "during" after something needed.
    """

    mentions: tuple[Mention, ...]
    offered: frozenset[str]
    occasion: int

    @cached_property
    def ideas(self) -> dict[str, Idea]:
        return {m.idea.name: m.idea for m in self.mentions}

    @cached_property
    def whats(self) -> list[Idea]:
        """What the listing is about: people, places, equipment, events, subjects and other telling words."""
        return [idea for idea in self.ideas.values() if idea.role == "what"]

    @cached_property
    def things(self) -> frozenset[str]:
        """The sorts of thing it names: a person, a place, equipment, transport, an activity (an event, training
        or advice) or a service."""
        return frozenset(SORT.get(m.idea.kind, m.idea.kind) for m in self.mentions if m.idea.kind in THINGS)

    @cached_property
    def asides(self) -> frozenset[str]:
        """Events and unknown words named only as the occasion ("a trip", "the seaside" in "Transport for a trip
        to the seaside"): they say what the need is for, not what it is."""
        first: dict[str, Mention] = {}
        for mention in self.mentions:
            first.setdefault(mention.idea.name, mention)
        return frozenset(
            name for name, m in first.items() if m.idea.kind in ("event", "word") and m.start > self.occasion
        )

    @cached_property
    def stages(self) -> frozenset[str]:
        """The ages it names (KS2, sixth form, ...), the "who" that can rule a match out."""
        return frozenset(m.idea.name for m in self.mentions if m.idea.kind == "stage")


OCCASION = frozenset({"for", "to", "at", "during"})


def read(vocabulary: Vocabulary, text: str) -> Reading:
    mentions = vocabulary.read(text)
    need = min((m.end for m in mentions if m.idea.role == "what"), default=0)
    said = words(text)
    occasion = next((i for i in range(need, len(said)) if said[i] in OCCASION), len(said))
    return Reading(mentions, frozenset(vocabulary.offered(m.idea.name for m in mentions)), occasion)


def ways(ideas: Iterable[Idea]) -> list[list[str]]:
    """Each idea as the ways of writing it, for a search."""
    return [[idea.name, *idea.ways] if idea.kind != "word" else list(idea.ways) for idea in ideas]


def reason(request: Reading, shared: Set[str]) -> str:
    """The `shared` ideas as the request wrote them: what first (words side by side kept together), then when,
    then who for. Filler never appears: it is no idea."""
    runs: dict[str, list[tuple[str, int]]] = {"what": [], "when": [], "who": []}
    seen: set[str] = set()
    for mention in request.mentions:
        if mention.idea.name not in shared or mention.idea.name in seen:
            continue
        seen.add(mention.idea.name)
        written = _as_written(mention)
        role = runs[mention.idea.role]
        if role and role[-1][1] == mention.start:
            role[-1] = (f"{role[-1][0]} {written}", mention.end)
        else:
            role.append((written, mention.end))
    parts = [text for text, _ in runs["what"] + runs["when"]]
    if runs["who"]:
        parts.append("for " + " and ".join(text for text, _ in runs["who"]))
    return ", ".join(parts)


def _as_written(mention: Mention) -> str:
    """As written, less the capital a sentence starts with ("Swimming lessons" -> "swimming"), unless the idea is
    written with one ("Latin", "INSET") or the word is one Kept doesn't know (it may be a name)."""
    text, name = mention.written, mention.idea.name
    if mention.start == 0 and text[:1].isupper() and text[1:2].islower() and name[:1].islower():
        return text if mention.idea.kind == "word" else text[0].lower() + text[1:]
    return text
