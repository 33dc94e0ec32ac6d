"""Matching supply to demand: which open offers could meet a request, ranked with a reason, and accepting one.

Offers are found with the database's own full-text search (storage/search.py) for what the request is about,
in its own words, their synonyms (handlers/school_words.txt) and the network's own `words`; fit.py scores the
few found. Below fit.THRESHOLD an offer is no match, and `match` says honestly that nothing fits yet. The
scheduler's tick tells both schools' leads of a match, privately and once; closeness (a partnership together, or
a shared partner) only orders good matches and never makes one. Accepting a match makes the commitment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col, select

from handlers.board import fit, glossary, wording
from handlers.board.expiry import LONDON, default_expiry, live, today_in_london
from handlers.context import Actor, Context
from handlers.dates import describe_day
from handlers.errors import CommandError, NotAllowed, NotFound
from handlers.lookups import leads_of, school_names
from handlers.messages import Action, Field, Message, Section
from handlers.outbound import kinds, notices
from handlers.phrases import gist, sentence
from handlers.promises import commitments
from handlers.refs import parse_ref, ref
from handlers.vocabulary import Idea, Vocabulary
from storage import search
from storage.db import rows_changed
from storage.models import Commitment, Listing, Match, Member, Partnership, PartnershipSchool

SHOWN = 3
POOL = 100  # offers the search finds for one request, best first, for fit.py to score
REQUESTS_FOR_AN_OFFER = 20  # requests a new offer is tried against
CLOSENESS = {1: 0.05, 2: 0.02}  # orders good matches; never lifts one past the threshold
DUE_TIME = time(17, 0)


@dataclass(frozen=True)
class Candidate:
    offer: Listing
    score: float
    reason: str


def closeness(session: Session, school_id: int) -> dict[int, tuple[int, str]]:
    """Other schools by distance: 1 (in a partnership together, named) or 2 (they share a partner)."""
    near = _partners(session, [school_id])
    found = {other: (1, name) for other, name in near.items() if other != school_id}
    for other, name in _partners(session, list(found)).items():
        if other != school_id and other not in found:
            found[other] = (2, name)
    return found


def _partners(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    mine = select(PartnershipSchool.partnership_id).where(col(PartnershipSchool.school_id).in_(ids))
    rows = session.exec(
        select(PartnershipSchool.school_id, Partnership.name)
        .join(Partnership, col(Partnership.id) == PartnershipSchool.partnership_id)
        .where(col(PartnershipSchool.partnership_id).in_(mine))
        .order_by(col(Partnership.name))
    ).all()
    found: dict[int, str] = {}
    for other, name in rows:
        found.setdefault(other, name)
    return found


def _live_from_others(listing: Listing, kind: str, today: date) -> ColumnElement[bool]:
    return and_(
        col(Listing.network_id) == listing.network_id,
        col(Listing.kind) == kind,
        live(today),
        col(Listing.school_id) != listing.school_id,
    )


def rank(session: Session, request: Listing, today: date) -> list[Candidate]:
    """The offers that fit `request` well, best first (then the older offer first, as it has waited longer)."""
    vocabulary = glossary.vocabulary(session, request.network_id)
    wants = wording.read(vocabulary, request.text)
    if not wants.whats:
        return []
    (weight,) = fit.weights(session, wants)
    whats = _offering(vocabulary, fit.deciding(wants, weight))
    found = search.ranked(session, wording.ways(whats), _live_from_others(request, "offer", today), POOL)
    if not found:
        return []
    offers = session.exec(select(Listing).where(col(Listing.id).in_(found))).all()
    good = [
        (offer, match)
        for offer in offers
        if (match := fit.fit(request, wants, offer, wording.read(vocabulary, offer.text), weight)) is not None
        and match.good
    ]
    near = closeness(session, request.school_id) if good else {}
    ranked = [
        _candidate(offer, match.score, match.reason(wants), near.get(offer.school_id, (0, ""))) for offer, match in good
    ]
    return sorted(ranked, key=lambda c: (-c.score, c.offer.created_at, c.offer.id or 0))


def _offering(vocabulary: Vocabulary, ideas: list[Idea]) -> list[Idea]:
    """These ideas, and every idea whose offer would meet one of them (swimming: a pool too)."""
    whats = {idea.name: idea for idea in ideas}
    return [*whats.values(), *(vocabulary.ideas[name] for name in sorted(vocabulary.offering(whats) - whats.keys()))]


def _candidate(offer: Listing, score: float, reason: str, near: tuple[int, str]) -> Candidate:
    distance, partnership = near
    if not distance:
        return Candidate(offer, score, reason)
    together = (
        f"your schools already work together in {partnership}"
        if distance == 1
        else f"you share a partner through {partnership}"
    )
    return Candidate(offer, score + CLOSENESS[distance], f"{reason}; {together}")


def requests_for(session: Session, offer: Listing, today: date) -> list[Listing]:
    """Live requests from other schools that `offer` fits well, best fit first."""
    vocabulary = glossary.vocabulary(session, offer.network_id)
    has = wording.read(vocabulary, offer.text)
    ideas = [*(vocabulary.ideas[name] for name in sorted(has.offered) if name in vocabulary.ideas), *has.whats]
    whats = [idea for idea in ideas if idea.role == "what"]
    found = search.ranked(
        session, wording.ways(whats), _live_from_others(offer, "request", today), REQUESTS_FOR_AN_OFFER
    )
    requests = session.exec(select(Listing).where(col(Listing.id).in_(found))).all() if found else []
    readings = [wording.read(vocabulary, request.text) for request in requests]
    fits: list[tuple[float, Listing]] = []
    for request, wants, weight in zip(requests, readings, fit.weights(session, *readings), strict=True):
        match = fit.fit(request, wants, offer, has, weight)
        if match is not None and match.good:
            fits.append((-match.score, request))
    return [request for _, request in sorted(fits, key=lambda f: (f[0], f[1].id or 0))]


def suggest(session: Session, request: Listing, now: datetime, limit: int = SHOWN) -> list[tuple[Match, Candidate]]:
    """Store the top matches for `request` as Match rows; the scheduler's tick tells both leads of new ones."""
    ranked = rank(session, request, today_in_london(now))[:limit]
    offer_ids = [c.offer.id for c in ranked]
    stored = session.exec(select(Match).where(Match.request_id == request.id, col(Match.offer_id).in_(offer_ids))).all()
    known = {m.offer_id: m for m in stored}
    found: list[tuple[Match, Candidate]] = []
    for candidate in ranked:
        match = known.get(candidate.offer.id or 0)
        if match is None:
            match = Match(request_id=request.id or 0, offer_id=candidate.offer.id or 0, created_at=now)
        match.score, match.reason = candidate.score, candidate.reason
        session.add(match)
        found.append((match, candidate))
    session.flush()
    return found


def scan_new_listings(session: Session, now: datetime, batch: int = 50) -> int:
    """Match offers and requests logged since the last scan; the scheduler runs this every tick.

    Finding matches costs more than logging the listing, so it is kept off the command's path: a new
    listing is matched within one tick (and `tell_new_matches` tells the leads then). Returns how many it took.
    """
    rows = session.exec(
        select(Listing).where(Listing.scanned == False).order_by(col(Listing.id)).limit(batch)  # noqa: E712
    ).all()
    for listing in rows:
        if listing.status == "open":
            suggest_for_listing(session, listing, now)
        listing.scanned = True
        session.add(listing)
    return len(rows)


def suggest_for_listing(session: Session, listing: Listing, now: datetime) -> None:
    """Refresh the matches a new offer or request takes part in (the database indexed its text as it was logged)."""
    if listing.kind == "request":
        suggest(session, listing, now)
        return
    for request in requests_for(session, listing, today_in_london(now)):
        suggest(session, request, now)


def tell_new_matches(session: Session, now: datetime, batch: int = 50) -> int:
    """Tell both schools' leads, privately and once, of each match found since the last tick (by the scan or by
    someone's `match`): off the command's path, so `match` answers at once. Returns how many matches it took."""
    found = session.exec(
        select(Match, Listing)
        .join(Listing, col(Listing.id) == Match.request_id)
        .where(Match.told == False)  # noqa: E712
        .order_by(col(Match.id))
        .limit(batch)
    ).all()
    offers = {o.id: o for o in session.exec(select(Listing).where(col(Listing.id).in_([m.offer_id for m, _ in found])))}
    schools = {school for m, request in found for school in (request.school_id, offers[m.offer_id].school_id)}
    names, leads = school_names(session, schools), leads_of(session, schools)
    for match, request in found:
        if match.status == "suggested":
            _tell_leads(session, match, request, offers[match.offer_id], names, leads, now)
        match.told = True
        session.add(match)
    return len(found)


def _tell_leads(
    session: Session,
    match: Match,
    request: Listing,
    offer: Listing,
    names: dict[int, str],
    leads: Sequence[Member],
    now: datetime,
) -> None:
    for lead in leads:
        if lead.school_id == request.school_id:  # only the school that asked accepts
            message = _match_for_asker(match, offer, request, names[offer.school_id])
        elif lead.school_id == offer.school_id:
            message = Message(
                title=f"{sentence(gist(request.text))}: your offer could meet it ({ref(match)})",
                text=f"Why: {match.reason}. {names[request.school_id]} can accept it; I'll tell you if they do.",
                fields=(Field("Your offer", offer.text),),
            )
        else:
            continue
        key = f"match:{match.id}:{lead.school_id}:{lead.id}"  # the dedupe key makes a second telling a no-op
        notices.tell(session, lead.id or 0, key, message, now, kind=kinds.MATCH_NOTICE, subject_id=match.id)


def _match_for_asker(match: Match, offer: Listing, request: Listing, giver: str) -> Message:
    return Message(
        title=f"{sentence(gist(offer.text))}: {giver} could meet your request ({ref(match)})",
        text=f"Why: {match.reason}. Accepting makes it {giver}'s promise to deliver to you.",
        fields=(Field("Your request", request.text),),
        actions=(Action(f"accept-{ref(match)}", f"Accept {giver}'s offer", f"accept {ref(match)}", "primary"),),
    )


def match(ctx: Context, args: str) -> Message:
    """`match [R12]`: offers that could meet a request (the caller's school's open requests by default)."""
    actor = ctx.require_member()
    today = ctx.now.astimezone(ctx.timezone).date()
    requests = (
        [_request(ctx, actor, args)]
        if args.strip()
        else list(
            ctx.session.exec(
                select(Listing)
                .where(Listing.school_id == actor.school_id, Listing.kind == "request", live(today))
                .order_by(col(Listing.created_at).desc())
                .limit(5)
            ).all()
        )
    )
    if not requests:
        return _where_we_could_help(ctx, actor, today)
    sections: list[Section] = []
    unmet: list[str] = []
    for request in requests:
        found = _sections(ctx, request)
        sections += found
        if not found:
            unmet.append(ref(request))
    if not sections:
        return Message(
            title=f"Nothing fits {_listed(unmet)} well yet.",
            text="I'll tell your lead when a good match comes in. The `board` shows everything open.",
        )
    return Message(
        title="Offers that could meet your requests",
        text=f"Nothing fits {_listed(unmet)} well yet; I'll tell your lead when something does." if unmet else "",
        sections=tuple(sections),
        footer="Accepting makes it a commitment from the offering school.",
    )


def _listed(refs: list[str]) -> str:
    return refs[0] if len(refs) == 1 else f"{', '.join(refs[:-1])} or {refs[-1]}"


def _where_we_could_help(ctx: Context, actor: Actor, today: date) -> Message:
    """For a school with offers but no requests of its own: the requests its offers could meet."""
    offers = ctx.session.exec(
        select(Listing)
        .where(Listing.school_id == actor.school_id, Listing.kind == "offer", live(today))
        .order_by(col(Listing.created_at).desc())
        .limit(5)
    ).all()
    requests = {request.id: request for offer in offers for request in requests_for(ctx.session, offer, today)[:SHOWN]}
    sections = [section for request in requests.values() for section in _sections(ctx, request, actor.school_id)]
    if not sections:
        return Message(
            title="Nothing to match yet.",
            text="Say `request <what you need>` (asking is a strength) or `offer <what you can give>`; "
            "I'll tell your lead when a match turns up.",
        )
    return Message(
        title="Requests your offers could meet",
        sections=tuple(sections),
        footer="The requesting school accepts a match; it then becomes your school's commitment.",
    )


def _request(ctx: Context, actor: Actor, args: str) -> Listing:
    listing = ctx.session.get(Listing, parse_ref(args, "R"))
    if listing is None or listing.kind != "request" or listing.network_id != actor.network_id:
        raise NotFound(f"I can't find request `{args.split()[0][:20]}` in your network.")
    return listing


def _sections(ctx: Context, request: Listing, offered_by: int | None = None) -> list[Section]:
    """The request's best matches as sections: for the school that asked, each with its Accept button; for an
    offering school (`offered_by`), only its own offers, and no button (the school that asked accepts)."""
    found = [(m, c) for m, c in suggest(ctx.session, request, ctx.now) if offered_by in (None, c.offer.school_id)]
    names = school_names(ctx.session, {c.offer.school_id for _, c in found} | {request.school_id})
    return [
        Section(
            text=f"{c.offer.text} — from {names[c.offer.school_id]} ({ref(m)}, for {ref(request)})"
            if offered_by is None
            else f"{request.text} — asked by {names[request.school_id]} ({ref(m)})",
            fields=(Field("Why", c.reason),),
            actions=(Action(f"accept-{ref(m)}", "Accept this offer", f"accept {ref(m)}", "primary"),)
            if offered_by is None
            else (),
        )
        for m, c in found
    ]


def accept(ctx: Context, args: str) -> Message:
    """`accept M12`, by the school that asked: the offering school commits to deliver to it."""
    actor = ctx.require_member()
    found = ctx.session.get(Match, parse_ref(args, "M"))
    offer = ctx.session.get(Listing, found.offer_id) if found else None
    request = ctx.session.get(Listing, found.request_id) if found else None
    if found is None or offer is None or request is None or request.network_id != actor.network_id:
        raise NotFound("I can't find that match. Say `match` to see the latest ones.")
    if actor.school_id != request.school_id:
        raise NotAllowed("Only the school that asked can accept a match for its request.")
    moved = ctx.session.execute(
        update(Match).where(col(Match.id) == found.id, col(Match.status) == "suggested").values(status="accepted")
    )
    if rows_changed(moved) != 1:
        raise CommandError(f"{ref(found)} has already been accepted or closed.")
    commitment = _commit(ctx, actor, found, offer, request)
    names = school_names(ctx.session, [offer.school_id, request.school_id])
    giver, receiver = names[offer.school_id], names[request.school_id]
    return Message(
        title=f"Accepted: {giver} will deliver to {receiver} ({ref(commitment)})",
        text=offer.text,
        fields=(Field("Due", describe_day(commitment.due_at, ctx.timezone)),),
        footer=f"Thank you both. Say `done {ref(commitment)}` when it's delivered.",
    )


def _commit(ctx: Context, actor: Actor, found: Match, offer: Listing, request: Listing) -> Commitment:
    today = ctx.now.astimezone(LONDON).date()
    due_day = min(d for d in (offer.expires_on, request.expires_on, default_expiry(today)) if d is not None)
    commitment = Commitment(
        network_id=offer.network_id,
        from_school_id=offer.school_id,
        to_school_id=request.school_id,
        owner_id=offer.member_id,
        what=offer.text,
        category=offer.category,
        due_at=datetime.combine(max(due_day, today), DUE_TIME, LONDON),
        match_id=found.id,
        created_by=actor.member_id,
        created_at=ctx.now,
    )
    request.status = "matched"
    ctx.session.add_all([commitment, request])
    ctx.session.flush()
    commitments.after_change(ctx, commitment)  # nudged like any other promise
    ctx.log("accept", ref(found), commitment=ref(commitment))
    if offer.member_id != actor.member_id:
        reference = ref(commitment)
        school = school_names(ctx.session, [request.school_id]).get(request.school_id, "their school")
        told = Message(
            title=f"{sentence(gist(offer.text))}: now your promise to {school} ({reference})",
            text=f"They accepted your offer for their request: “{gist(request.text)}”",
            actions=(Action(f"done-{reference}", "Done", f"done {reference}", "primary"),),
        )
        key = f"accepted:{found.id}:{offer.member_id}"
        notices.tell(ctx.session, offer.member_id, key, told, ctx.now, kind=kinds.ACCEPTED, subject_id=commitment.id)
    return commitment
