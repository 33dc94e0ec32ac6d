"""The weekly digest a partnership's channel receives: what was delivered (and thanks), what is coming, what
is new, and a one-line give and take.

It celebrates and informs. Overdue work is never named here: no person or school is shown as late in a
channel; that goes privately to owners and their leads (handlers/reminders.py). The scheduler calls
`weekly_digest` to deliver it; `digest` previews it on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from handlers.context import Context
from handlers.errors import CommandError
from handlers.health import flows
from handlers.messages import Field, Message, Section
from handlers.scope import partnership_for, school_ids, school_names
from storage.models import Commitment, JointSession, Listing, Match, Member, Partnership

WEEK = timedelta(days=7)
SHOWN = 8


@dataclass(frozen=True)
class Delivery:
    what: str
    by: str
    giver: int
    receiver: int
    thanks: str


def weekly_digest(session: Session, partnership_id: int, now: datetime) -> Message | None:
    """The digest for the week ending `now`; None when a partnership has nothing to share (or no partners)."""
    partnership = session.get(Partnership, partnership_id)
    ids = school_ids(session, partnership_id)
    if partnership is None or len(ids) < 2:
        return None
    names = school_names(session, ids)
    delivered = _delivered(session, ids, now - WEEK, now)
    sessions_ahead, due_ahead = _coming_up(session, partnership_id, ids, now)
    new = _new(session, ids, now - WEEK)
    if not (delivered or sessions_ahead or due_ahead or any(new.values())):
        return None
    return Message(
        title=f"This week in {partnership.name}: " + _headline(len(delivered)),
        text=_thanks_line(delivered),
        sections=tuple(_section(d, names) for d in delivered[:SHOWN]),
        fields=(
            Field("Coming up this week", f"{_n(sessions_ahead, 'joint session')}, {_n(due_ahead, 'commitment')} due"),
            Field(
                "New this week",
                f"{_n(new['offer'], 'offer')}, {_n(new['request'], 'request')}, {_n(new['match'], 'match', 'matches')}",
            ),
            Field("Give and take", give_and_take_line(session, ids, names)),
        ),
        footer="Say `board` for open offers and requests, `health` for the full balance.",
    )


def _n(count: int, noun: str, plural: str = "") -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _headline(count: int) -> str:
    if not count:
        return "here's what's coming up."
    return f"{_n(count, 'promise')} delivered. Thank you!"


def _delivered(session: Session, ids: list[int], since: datetime, until: datetime) -> list[Delivery]:
    rows = session.exec(
        select(Commitment, Member)
        .join(Member, col(Member.id) == Commitment.owner_id)
        .where(
            col(Commitment.from_school_id).in_(ids),
            col(Commitment.to_school_id).in_(ids),
            Commitment.status == "done",
            col(Commitment.done_at) >= since,
            col(Commitment.done_at) < until,
        )
        .order_by(col(Commitment.done_at))
    ).all()
    return [
        Delivery(c.what, "a colleague" if m.erased else m.name, c.from_school_id, c.to_school_id, c.thanks)
        for c, m in rows
    ]


def _thanks_line(delivered: list[Delivery]) -> str:
    people = list(dict.fromkeys(d.by for d in delivered))
    if not people:
        return "Nothing was marked delivered this week; small steps count, and there's plenty on the way."
    if len(people) > 1:
        return f"Thank you, {', '.join(people[:-1])} and {people[-1]}!"
    return f"Thank you, {people[0]}!"


def _section(delivery: Delivery, names: dict[int, str]) -> Section:
    text = f"{delivery.by} ({names[delivery.giver]}) delivered {delivery.what} for {names[delivery.receiver]}"
    fields = (Field(f"{names[delivery.receiver]} says", f"“{delivery.thanks}”"),) if delivery.thanks else ()
    return Section(text=text, fields=fields)


def _coming_up(session: Session, partnership_id: int, ids: list[int], now: datetime) -> tuple[int, int]:
    sessions = session.exec(
        select(func.count())
        .select_from(JointSession)
        .where(
            JointSession.partnership_id == partnership_id,
            JointSession.status == "planned",
            col(JointSession.starts_at) >= now,
            col(JointSession.starts_at) < now + WEEK,
        )
    ).one()
    due = session.exec(
        select(func.count())
        .select_from(Commitment)
        .where(
            col(Commitment.from_school_id).in_(ids),
            col(Commitment.to_school_id).in_(ids),
            Commitment.status == "open",
            col(Commitment.due_at) >= now,
            col(Commitment.due_at) < now + WEEK,
        )
    ).one()
    return int(sessions), int(due)


def _new(session: Session, ids: list[int], since: datetime) -> dict[str, int]:
    listed = dict(
        session.exec(
            select(Listing.kind, func.count())
            .where(col(Listing.school_id).in_(ids), col(Listing.created_at) >= since)
            .group_by(col(Listing.kind))
        ).all()
    )
    request_ids = select(Listing.id).where(col(Listing.school_id).in_(ids), Listing.kind == "request")
    offer_ids = select(Listing.id).where(col(Listing.school_id).in_(ids), Listing.kind == "offer")
    matches = session.exec(
        select(func.count())
        .select_from(Match)
        .where(
            col(Match.created_at) >= since,
            or_(col(Match.request_id).in_(request_ids), col(Match.offer_id).in_(offer_ids)),
        )
    ).one()
    return {"offer": int(listed.get("offer", 0)), "request": int(listed.get("request", 0)), "match": int(matches)}


def give_and_take_line(session: Session, ids: list[int], names: dict[int, str]) -> str:
    """`St Ada's School gave 5, Hopper Academy gave 3`: deliveries each school has made to its partners."""
    given = dict.fromkeys(ids, 0)
    for (giver, _), flow in flows(session, ids).items():
        given[giver] += flow.count
    return ", ".join(f"{names[s]} gave {given[s]}" for s in ids)


def digest(ctx: Context, args: str) -> Message:
    """`digest [partnership]`: preview this week's digest, plus (for the reader alone) their own week."""
    actor, partnership = partnership_for(ctx, args)
    found = weekly_digest(ctx.session, partnership.id or 0, ctx.now)
    if found is None:
        if len(school_ids(ctx.session, partnership.id or 0)) < 2:
            raise CommandError(f"{partnership.name} has only one school so far, so there's no digest yet.")
        return Message(
            title=f"Nothing to share in {partnership.name}'s digest this week.",
            text="It goes out when something is delivered, coming up or new.",
        )
    mine = ctx.session.exec(
        select(func.count())
        .select_from(Commitment)
        .where(
            Commitment.owner_id == actor.member_id, Commitment.status == "open", col(Commitment.due_at) < ctx.now + WEEK
        )
    ).one()
    return Message(
        title=found.title,
        text=found.text,
        sections=found.sections,
        fields=(*found.fields, Field("Yours this week (only you see this)", _n(int(mine), "commitment"))),
        footer="A preview: the channel gets this without your own line.",
    )
