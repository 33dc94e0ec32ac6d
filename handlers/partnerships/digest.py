"""The weekly digest a partnership's channel receives: what was delivered (and thanks), what is coming, and what
is new.

It celebrates and informs. Overdue work is never named here: no person or school is shown as late in a
channel; that goes privately to owners and their leads (outbound/prepare.py). The scheduler calls
`weekly_digest` to deliver it; `digest` previews it on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from handlers.context import Context
from handlers.errors import CommandError
from handlers.lookups import school_ids
from handlers.messages import Field, Message, Section
from handlers.partnerships.access import partnership_for
from handlers.partnerships.figures import delivered_within
from handlers.phrases import count, listed
from storage.models import Commitment, JointSession, Listing, Member, Partnership, PartnershipSchool, School

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
    """The digest for the week ending `now`; None when a partnership has nothing to share (or no partners).

    It is read in a channel, so it celebrates and informs and nothing else: what was delivered and who to thank,
    what is coming, what is new. No counts by school or person, no late work, no balance (DOMAIN.md: who sees
    what). A handful of queries whatever the size of the network.
    """
    name, names = _schools(session, partnership_id)
    ids = sorted(names)
    if len(ids) < 2:
        return None
    delivered = _delivered(session, ids, now - WEEK, now)
    counts = _counts(session, partnership_id, ids, now)
    fields = tuple(field for field in (_coming(counts), _new(counts)) if field is not None)
    if not (delivered or fields):
        return None
    return Message(
        title=f"This week in {name}: " + _headline(len(delivered)),
        text=_thanks_line(delivered),
        sections=tuple(_section(d, names) for d in delivered[:SHOWN]),
        fields=fields,
        footer="Say `board` for open offers and requests.",
    )


def _coming(counts: dict[str, int]) -> Field | None:
    parts = [count(counts["sessions"], "joint session")] if counts["sessions"] else []
    parts += [count(counts["due"], "promise") + " due"] if counts["due"] else []
    return Field("Coming up", " and ".join(parts)) if parts else None


def _new(counts: dict[str, int]) -> Field | None:
    parts = [count(counts[k], k[:-1]) for k in ("offers", "requests") if counts[k]]
    return Field("New on the board", " and ".join(parts)) if parts else None


def _schools(session: Session, partnership_id: int) -> tuple[str, dict[int, str]]:
    """The partnership's name and its schools' names, in one query."""
    rows = session.exec(
        select(Partnership.name, School.id, School.name)
        .join(PartnershipSchool, col(PartnershipSchool.partnership_id) == Partnership.id)
        .join(School, col(School.id) == PartnershipSchool.school_id)
        .where(Partnership.id == partnership_id)
    ).all()
    return (rows[0][0] if rows else ""), {school_id or 0: school for _, school_id, school in rows}


def _headline(delivered: int) -> str:
    if not delivered:
        return "here's what's coming up."
    return f"{count(delivered, 'promise')} kept. Thank you!"


def _delivered(session: Session, ids: list[int], since: datetime, until: datetime) -> list[Delivery]:
    rows = session.exec(
        select(Commitment, Member)
        .join(Member, col(Member.id) == Commitment.owner_id)
        .where(*delivered_within(ids, since, until))
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
    return f"Thank you, {listed(people)}!"


def _section(delivery: Delivery, names: dict[int, str]) -> Section:
    text = f"{delivery.by} ({names[delivery.giver]}) delivered {delivery.what} for {names[delivery.receiver]}"
    fields = (Field(f"{names[delivery.receiver]} says", f"“{delivery.thanks}”"),) if delivery.thanks else ()
    return Section(text=text, fields=fields)


def _counts(session: Session, partnership_id: int, ids: list[int], now: datetime) -> dict[str, int]:
    """Coming up this week and new this past week, as counts, in one round trip."""
    ahead, since = now + WEEK, now - WEEK

    def rows(model: Any, *where: Any) -> Any:
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    theirs = col(Listing.school_id).in_(ids)
    row = session.execute(
        sa_select(
            rows(
                JointSession,
                JointSession.partnership_id == partnership_id,
                JointSession.status == "planned",
                col(JointSession.starts_at) >= now,
                col(JointSession.starts_at) < ahead,
            ),
            rows(
                Commitment,
                col(Commitment.from_school_id).in_(ids),
                col(Commitment.to_school_id).in_(ids),
                Commitment.status == "open",
                col(Commitment.due_at) >= now,
                col(Commitment.due_at) < ahead,
            ),
            rows(Listing, theirs, Listing.kind == "offer", col(Listing.created_at) >= since),
            rows(Listing, theirs, Listing.kind == "request", col(Listing.created_at) >= since),
        )
    ).one()
    keys = ("sessions", "due", "offers", "requests")
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


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
        fields=(*found.fields, Field("Yours this week (only you see this)", count(int(mine), "promise") + " due")),
        footer="A preview: the channel gets this without your own line.",
    )
