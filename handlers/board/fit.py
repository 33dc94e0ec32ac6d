"""How well an offer fits a request, and why: the share of what the request asks for that the offer has.

Each idea the request mentions has a weight. What it is about (a Latin teacher, a pool, INSET) weighs the more
the rarer it is on the board: the database's own full-text index counts the listings that mention it, so a
word on every other listing ("training", "science") weighs little and a rare one ("invigilator") much. Who it
is for and when weigh little and the same everywhere. A word Kept doesn't know weighs half as much as an idea
it does: it is as often a turn of phrase as a need. So does an event or a word named only as the occasion
("Transport | for a trip to the seaside": the need is transport).

The score is the weight the offer covers over the request's whole weight (0 to 1), halved when the offer's
things are all of other sorts than the request's (textbooks for a request for a teacher), and again when it is
for other ages (reading mentors for Year 7 for a request for Year 1). A category both people chose adds a
little; one Kept guessed adds less, and only orders matches. Below THRESHOLD it is no match.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from handlers.board.wording import Reading, reason, ways
from handlers.vocabulary import Idea
from storage import search
from storage.models import Listing

THRESHOLD = 0.5  # calibrated on bench/matching_set.yaml (see README, "Matching")
WHO, WHEN = 0.6, 0.4
UNKNOWN_WORD = 0.5
ASIDE = 0.5
CLASH = 0.5
CATEGORY_GIVEN, CATEGORY_GUESSED = 0.1, 0.04


@dataclass(frozen=True)
class Fit:
    """How well an offer fits; `good` when it is a match, before a guessed category's nudge (which only orders);
    `shared`, the request's ideas the offer has."""

    score: float
    good: bool
    shared: frozenset[str]

    def reason(self, request: Reading) -> str:
        return reason(request, self.shared)


def weights(session: Session, *requests: Reading) -> list[dict[str, float]]:
    """Each request's ideas by weight: for what it is about, its rarity on the board (one count for all the
    requests); for who and when, fixed."""
    ideas = {idea.name: idea for request in requests for idea in request.whats}
    total, counts = search.frequencies(session, ways(ideas.values()))
    mentioning = dict(zip(ideas, counts, strict=True))
    return [_weights(request, total, mentioning) for request in requests]


def _weights(request: Reading, total: int, mentioning: Mapping[str, int]) -> dict[str, float]:
    asides = request.asides
    found = {
        idea.name: rarity(total, mentioning[idea.name])
        * (UNKNOWN_WORD if idea.kind == "word" else 1.0)
        * (ASIDE if idea.name in asides else 1.0)
        for idea in request.whats
    }
    for idea in request.ideas.values():
        found.setdefault(idea.name, WHO if idea.role == "who" else WHEN)
    return found


def deciding(request: Reading, weight: Mapping[str, float]) -> list[Idea]:
    """The ideas of the request an offer must share at least one of to reach THRESHOLD: the lighter ones, with
    who and when and a category both people chose, could not make a match on their own. Searching for these
    alone finds every good offer and leaves out words on half the board."""
    total = sum(weight.values())
    whats = sorted(request.whats, key=lambda idea: (weight[idea.name], idea.name))
    reach = total - sum(weight[idea.name] for idea in whats) + CATEGORY_GIVEN * total
    for i, idea in enumerate(whats):
        if reach + weight[idea.name] >= THRESHOLD * total:
            return whats[i:]
        reach += weight[idea.name]
    return []


def rarity(listings: int, mentioning: int) -> float:
    """1 for an idea on every listing, rising with the log of how rare it is (BM25's idea of a word's worth)."""
    return 1.0 + math.log((listings + 1) / (mentioning + 1))


def fit(request: Listing, wants: Reading, offer: Listing, has: Reading, weight: Mapping[str, float]) -> Fit | None:
    """How well `offer` fits `request`; None when they share nothing the request is about."""
    shared = frozenset(name for name in weight if name in has.offered)
    if not any(idea.name in shared for idea in wants.whats):
        return None
    score = sum(weight[name] for name in shared) / sum(weight.values())
    if wants.things and has.things and not wants.things & has.things:
        score *= CLASH  # textbooks for a request for a teacher
    if wants.stages and has.stages and not wants.stages & has.stages:
        score *= CLASH  # reading mentors for Year 7 for a request for Year 1
    given = request.category_given and offer.category_given
    if request.category == offer.category != "other" and given:
        score += CATEGORY_GIVEN
    good = score >= THRESHOLD
    if request.category == offer.category != "other" and not given:
        score += CATEGORY_GUESSED
    return Fit(round(score, 3), good, shared)
