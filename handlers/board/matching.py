"""Matching supply to demand: which open offers could meet a request, ranked with a reason, and accepting one.

A candidate is an open, unexpired offer from another school in the same network that shares the request's
category or some of its words. Its score adds the category (3), each word in common (1, up to 3) and how
close the schools already are (2 if they share a partnership, 1 if they share a partner). Strong matches are
told privately, once, to both schools' leads; accepting one makes the commitment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, case, func, insert, union, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from handlers import categories
from handlers.board import wording
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
from storage.db import rows_changed
from storage.models import Commitment, Listing, ListingWord, Match, Partnership, PartnershipSchool

CATEGORY_WEIGHT = 3.0
WORD_WEIGHT = 1.0
MAX_WORDS = 3
CLOSENESS = {1: 2.0, 2: 1.0}
STRONG = 5.0
SHOWN = 3
POOL = 100
COMMON_WORD = 1000  # a word on more listings than this is too common to find matches by
DUE_TIME = time(17, 0)


@dataclass(frozen=True)
class Candidate:
    offer: Listing
    score: float
    reason: str

    @property
    def strong(self) -> bool:
        return self.score >= STRONG


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


def index_words(session: Session, listing: Listing) -> None:
    """Record a new listing's key words (stems) for matching to look up. Call it once, when it is created."""
    stems = sorted({stem[:60] for stem in wording.key_words(listing.text)})
    if stems:
        session.execute(insert(ListingWord), [{"stem": stem, "listing_id": listing.id} for stem in stems])


def distinctive_stems(session: Session, listing: Listing) -> list[str]:
    """The listing's key words, less those so common on the board that they say little (`year` in a big network)."""
    stems = [stem[:60] for stem in wording.key_words(listing.text)]
    postings = dict(
        session.exec(
            select(ListingWord.stem, func.count())
            .where(col(ListingWord.stem).in_(stems))
            .group_by(col(ListingWord.stem))
        ).all()
    )
    return [stem for stem in stems if postings.get(stem, 0) <= COMMON_WORD]


def similar(session: Session, listing: Listing, kind: str, today: date) -> SelectOfScalar[Listing]:
    """Live listings of `kind` from other schools sharing `listing`'s category or a distinctive key word, roughly
    best first. Both are index lookups (the board index, ListingWord), so no text is scanned and no board is
    read whole; `score` then ranks the few found exactly."""
    same = col(Listing.category) == listing.category
    by_category = select(Listing.id).where(
        Listing.network_id == listing.network_id, Listing.kind == kind, Listing.status == "open", same
    )
    rough: ColumnElement[int] = case((same, int(CATEGORY_WEIGHT)), else_=0)
    query = select(Listing)
    stems = distinctive_stems(session, listing)
    if stems:
        by_word = select(ListingWord.listing_id).where(col(ListingWord.stem).in_(stems))
        hits = (
            select(ListingWord.listing_id, func.count().label("hits"))
            .where(col(ListingWord.stem).in_(stems))
            .group_by(col(ListingWord.listing_id))
            .subquery()
        )
        query = query.outerjoin(hits, hits.c.listing_id == Listing.id)
        rough = rough + func.coalesce(hits.c.hits, 0)
        wanted = col(Listing.id).in_(union(by_category, by_word))
    else:
        wanted = col(Listing.id).in_(by_category)
    return query.where(wanted, _live_from_others(listing, kind, today)).order_by(
        rough.desc(), col(Listing.created_at), col(Listing.id)
    )


def _live_from_others(listing: Listing, kind: str, today: date) -> ColumnElement[bool]:
    return and_(
        col(Listing.network_id) == listing.network_id,
        col(Listing.kind) == kind,
        live(today),
        col(Listing.school_id) != listing.school_id,
    )


def candidates(session: Session, request: Listing, today: date, near: Iterable[int] = ()) -> list[Listing]:
    """Open offers that could meet `request`: the best POOL by the rough score, plus every offer from a school
    nearby (closeness can lift those past the pool's edge), so `rank` scores a bounded number of rows."""
    pool = session.exec(similar(session, request, "offer", today).limit(POOL)).all()
    nearby = list(near)
    close = (
        session.exec(
            select(Listing).where(_live_from_others(request, "offer", today), col(Listing.school_id).in_(nearby))
        ).all()
        if nearby
        else []
    )
    return list({offer.id: offer for offer in [*pool, *close]}.values())


def score(request: Listing, offer: Listing, near: dict[int, tuple[int, str]]) -> Candidate | None:
    """How well `offer` could meet `request`, and why; None when nothing but distance links them."""
    reasons: list[str] = []
    points = 0.0
    if offer.category == request.category and request.category != "other":
        points += CATEGORY_WEIGHT
        reasons.append(f"same category: {categories.label(request.category).lower()}")
    offered = wording.key_words(offer.text)
    common = [written for stemmed, written in wording.key_words(request.text).items() if stemmed in offered]
    if common:
        points += WORD_WEIGHT * min(len(common), MAX_WORDS)
        reasons.append("both mention " + " ".join(common[:MAX_WORDS]))
    if not points:
        return None
    distance, partnership = near.get(offer.school_id, (0, ""))
    if distance:
        points += CLOSENESS[distance]
        reasons.append(
            f"your schools already work together in {partnership}"
            if distance == 1
            else f"you share a partner through {partnership}"
        )
    return Candidate(offer, points, "; ".join(reasons))


def rank(session: Session, request: Listing, today: date) -> list[Candidate]:
    """Every candidate for `request`, best first (then the older offer first, as it has waited longer)."""
    near = closeness(session, request.school_id)
    found = candidates(session, request, today, near)
    scored = [c for o in found if (c := score(request, o, near)) is not None]
    return sorted(scored, key=lambda c: (-c.score, c.offer.created_at, c.offer.id or 0))


def suggest(session: Session, request: Listing, now: datetime, limit: int = SHOWN) -> list[tuple[Match, Candidate]]:
    """Store the top matches for `request` as Match rows and tell both leads of each newly strong one, once."""
    ranked = rank(session, request, today_in_london(now))[:limit]
    offer_ids = [c.offer.id for c in ranked]
    stored = session.exec(select(Match).where(Match.request_id == request.id, col(Match.offer_id).in_(offer_ids))).all()
    known = {m.offer_id: m for m in stored}
    found: list[tuple[Match, Candidate]] = []
    newly_strong: list[tuple[Match, Candidate]] = []
    for candidate in ranked:
        match = known.get(candidate.offer.id or 0)
        if match is None:
            match = Match(request_id=request.id or 0, offer_id=candidate.offer.id or 0, created_at=now)
        if candidate.strong and match.status == "suggested" and (match.id is None or match.score < STRONG):
            # told once: when it is first found strong (the dedupe key guards against a second telling too)
            newly_strong.append((match, candidate))
        match.score, match.reason = candidate.score, candidate.reason
        session.add(match)
        found.append((match, candidate))
    session.flush()
    if newly_strong:
        _tell_leads(session, request, newly_strong, now)
    return found


def scan_new_listings(session: Session, now: datetime, batch: int = 50) -> int:
    """Match offers and requests logged since the last scan; the scheduler runs this every tick.

    Finding matches costs more than logging the listing, so it is kept off the command's path: a new
    listing is matched within one tick, and its strong matches told to the leads then. Returns how many it took.
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
    """Refresh the matches a new offer or request takes part in (its words are already indexed)."""
    if listing.kind == "request":
        suggest(session, listing, now)
        return
    requests = session.exec(similar(session, listing, "request", today_in_london(now)).limit(POOL)).all()
    for request in requests:
        suggest(session, request, now)


def _tell_leads(session: Session, request: Listing, matches: list[tuple[Match, Candidate]], now: datetime) -> None:
    schools = {request.school_id, *(c.offer.school_id for _, c in matches)}
    names = school_names(session, schools)
    leads = leads_of(session, schools)
    for match, candidate in matches:
        offer = candidate.offer
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
            key = f"match:{match.id}:{lead.school_id}:{lead.id}"
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
    for request in requests:
        sections += _sections(ctx, request)
    if not sections:
        return Message(
            title="No offers match yet.",
            text="I'll tell your lead when one arrives. The `board` shows everything open.",
        )
    return Message(
        title="Offers that could meet your requests",
        sections=tuple(sections),
        footer="Accepting makes it a commitment from the offering school.",
    )


def _where_we_could_help(ctx: Context, actor: Actor, today: date) -> Message:
    """For a school with offers but no requests of its own: the requests its offers could meet."""
    offers = ctx.session.exec(
        select(Listing)
        .where(Listing.school_id == actor.school_id, Listing.kind == "offer", live(today))
        .order_by(col(Listing.created_at).desc())
        .limit(5)
    ).all()
    requests = {
        request.id: request
        for offer in offers
        for request in ctx.session.exec(similar(ctx.session, offer, "request", today).limit(SHOWN)).all()
    }
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
            text=f"{c.offer.text} — from {names[c.offer.school_id]} ({ref(m)})"
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
