"""Small pieces of English that every message needs: counts with the right plural, a list of names, and the gist
of something a person wrote, short enough for a title."""

from __future__ import annotations

from collections.abc import Sequence

GIST = 70  # a title's first words: enough to know what it is about on a phone


def count(n: int, noun: str, plural: str = "") -> str:
    """`1 open promise`, `3 open promises` (give `plural` for nouns that don't just take an s)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def listed(items: Sequence[str]) -> str:
    """`Sam`, `Sam and Priya`, `Sam, Priya and Grace`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def gist(text: str, limit: int = GIST) -> str:
    """The first words of `text`, whole words only, with an ellipsis when something was left out."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.-– ") + "…"


def sentence(text: str) -> str:
    """`two physics practicals` -> `Two physics practicals`: a capital at the start, the rest as written."""
    return text[:1].upper() + text[1:]
