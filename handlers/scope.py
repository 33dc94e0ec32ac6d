"""Which partnership a command is about, which schools it joins, and who leads them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from handlers.context import Actor, Context
from handlers.directory import find_partnership, partnerships_of
from handlers.errors import CommandError, NotAllowed
from storage.models import Commitment, Member, Partnership, PartnershipSchool, School


def partnership_for(ctx: Context, name: str) -> tuple[Actor, Partnership]:
    """The named partnership, or the caller's only one; refused unless the caller's school is in it."""
    actor = ctx.require_member()
    mine = partnerships_of(ctx.session, actor.school_id)
    if not name.strip():
        if len(mine) == 1:
            return actor, mine[0]
        if not mine:
            raise CommandError(
                f"{actor.school.name} isn't in a partnership yet. A lead can start one with "
                "`partnership <name> with <school>`."
            )
        raise CommandError("Which partnership? Yours: " + ", ".join(p.name for p in mine) + ".")
    partnership = find_partnership(ctx.session, actor.network_id, name)
    if partnership.id not in {p.id for p in mine}:
        raise NotAllowed(f"{actor.school.name} isn't part of {partnership.name}.")
    return actor, partnership


def school_ids(session: Session, partnership_id: int) -> list[int]:
    rows = session.exec(
        select(PartnershipSchool.school_id).where(PartnershipSchool.partnership_id == partnership_id)
    ).all()
    return sorted(rows)


def school_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.exec(select(School.id, School.name).where(col(School.id).in_(wanted))).all()
    return {school_id or 0: name for school_id, name in rows}


def leads_of(session: Session, ids: Iterable[int]) -> list[Member]:
    """The partnership leads of these schools (erased members excluded), in a stable order."""
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        session.exec(
            select(Member)
            .where(col(Member.school_id).in_(wanted), Member.role == "lead", Member.erased == False)  # noqa: E712
            .order_by(col(Member.id))
        ).all()
    )


def require_partnership_lead(ctx: Context, name: str, doing: str) -> tuple[Actor, Partnership]:
    """A lead of one of the partnership's schools, or NotAllowed (checked before the partnership is read)."""
    ctx.require_lead(doing)
    return partnership_for(ctx, name)


def delivered_within(ids: Collection[int], since: datetime, until: datetime) -> tuple[ColumnElement[bool], ...]:
    """Conditions for commitments delivered between two of `ids` (either way) from `since` until `until`."""
    return (
        col(Commitment.from_school_id).in_(ids),
        col(Commitment.to_school_id).in_(ids),
        col(Commitment.status) == "done",
        col(Commitment.done_at) >= since,
        col(Commitment.done_at) < until,
    )
