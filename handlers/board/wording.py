"""The words that carry meaning in an offer or request: lower-cased, stop words dropped, lightly stemmed."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.IGNORECASE)

STOP_WORDS = frozenset(
    """
a about above after again all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its just me more most my no nor not now of off on once only or other our ours
out over own same she should so some such than that the their them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
yours us per via please need needs needed offer offers offering request requests help can't we'd we'll
able any someone anyone thanks thank term week weeks
""".split()
)


def stem(word: str) -> str:
    """A light suffix-stripper: practicals -> practical, visits -> visit, coaching -> coach."""
    w = word.lower()
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ing") and len(w) > 5:
        return w[:-3]
    if w.endswith("ed") and len(w) > 4:
        return w[:-2]
    if w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def key_words(text: str) -> dict[str, str]:
    """Stem -> the first way the text wrote it, in the order written; stop words and lone digits dropped."""
    return dict(_key_words(text))


@lru_cache(maxsize=8192)
def _key_words(text: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for word in _WORD.findall(text):
        lowered = word.lower()
        if lowered in STOP_WORDS or (lowered.isdigit() and len(lowered) < 4) or len(lowered) < 2:
            continue
        found.setdefault(stem(lowered), word)
    return tuple(found.items())
