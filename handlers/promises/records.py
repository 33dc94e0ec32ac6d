"""Delivery records (on time, late, released with notice, missed) and the receiving school closing the loop.

A record is shown to the member and to their own school's lead, never to other schools: it is for
reflection, not a league table. The receiving school confirms a delivery arrived (`confirm C12`) and may
thank the people who made it (`thanks C12 <words>`); confirmed deliveries weigh more in give and take, and
thanks feed the weekly digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from handlers.context import Actor, Context
from handlers.errors import CommandError, NotAllowed, NotFound
from handlers.lookups import leads_of, school_names
from handlers.messages import Action, Field, Message, Section
from handlers.outbound import kinds, notices
from handlers.phrases import gist, sentence
from handlers.refs import parse_ref, ref, ref_of, split_ref
from storage.db import rows_changed
from storage.models import Commitment, Member

MAX_THANKS = 500


@dataclass(frozen=True)
class Record:
    on_time: int = 0
    late: int = 0
    released: int = 0
    missed: int = 0
    confirmed: int = 0

    @property
    def delivered(self) -> int:
        return self.on_time + self.late

    def summary(self) -> str:
        if not (self.delivered or self.released or self.missed):
            return "nothing closed yet"
        parts = [
            f"{self.on_time} on time",
            f"{self.late} late",
            f"{self.released} released with notice",
            f"{self.missed} missed",
        ]
        return ", ".join(parts) + f" ({self.confirmed} confirmed by the receiving school)"


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def delivery_records(session: Session, by: str, ids: list[int]) -> dict[int, Record]:
    """Records grouped by `owner_id` or `from_school_id`, in one aggregate query."""
    key = col(Commitment.owner_id) if by == "owner" else col(Commitment.from_school_id)
    done = col(Commitment.status) == "done"
    rows = session.execute(
        sa_select(
            key,
            _count(and_(done, col(Commitment.done_at) <= col(Commitment.due_at))),
            _count(and_(done, col(Commitment.done_at) > col(Commitment.due_at))),
            _count(col(Commitment.status) == "released"),
            _count(col(Commitment.status) == "missed"),
            _count(and_(done, col(Commitment.confirmed_at).is_not(None))),
        )
        .where(key.in_(ids))
        .group_by(key)
    ).all()
    found = {row[0]: Record(*(int(n) for n in row[1:])) for row in rows}
    return {i: found.get(i, Record()) for i in ids}


def record(ctx: Context, args: str) -> Message:
    """`record`: the caller's own delivery record; a lead also sees their school's, member by member."""
    actor = ctx.require_member()
    mine = delivery_records(ctx.session, "owner", [actor.member_id])[actor.member_id]
    fields = (Field("Your record", mine.summary()),)
    if not actor.is_lead:
        return Message(title="Your delivery record", fields=fields, footer="Only you and your school's lead see this.")
    school = delivery_records(ctx.session, "school", [actor.school_id])[actor.school_id]
    colleagues = ctx.session.exec(
        select(Member)
        .where(Member.school_id == actor.school_id, col(Member.erased).is_(False))
        .order_by(col(Member.name))
    ).all()
    by_member = delivery_records(ctx.session, "owner", [m.id or 0 for m in colleagues])
    sections = tuple(Section(text=f"{m.name}: {by_member[m.id or 0].summary()}") for m in colleagues)
    return Message(
        title=f"Delivery record: {actor.school_name}",
        fields=(*fields, Field(actor.school_name, school.summary())),
        sections=sections,
        footer="Only your school sees this: records are for reflection, never a league table.",
    )


def ask_to_confirm(session: Session, commitment: Commitment, now: datetime) -> None:
    """On `done`: ask the receiving school's leads, privately and once, to confirm it arrived (one press)."""
    reference = ref(commitment)
    names = school_names(session, [commitment.from_school_id])
    giver = names.get(commitment.from_school_id, "A partner school")
    message = Message(
        title=f"{sentence(gist(commitment.what))}: delivered by {giver} ({reference})",
        text="Did it arrive? One press confirms it; `thanks " + reference + " <words>` adds your thanks.",
        actions=(Action(f"confirm-{reference}", "Confirm it arrived", f"confirm {reference}", "primary"),),
    )
    for lead in leads_of(session, [commitment.to_school_id]):
        key = f"confirm:{reference}:{lead.id}"
        notices.tell(session, lead.id or 0, key, message, now, kind=kinds.CONFIRM_ASK, subject_id=commitment.id)


def _receiving(ctx: Context, head: str) -> tuple[Actor, Commitment]:
    actor = ctx.require_member()
    number = parse_ref(head, "C")
    commitment = ctx.session.get(Commitment, number)
    if commitment is None or commitment.network_id != actor.network_id:
        raise NotFound(f"I can't find commitment {ref_of('C', number)}.")
    if commitment.to_school_id != actor.school_id:
        raise NotAllowed(f"Only the school that received {ref_of('C', number)} can confirm it or thank for it.")
    if commitment.status != "done":
        raise CommandError(f"{ref_of('C', number)} hasn't been marked delivered yet, so there's nothing to confirm.")
    return actor, commitment


def confirm(ctx: Context, args: str) -> Message:
    """`confirm C12`, by the receiving school: it arrived. A second press changes nothing."""
    actor, commitment = _receiving(ctx, args)
    if _mark_confirmed(ctx, commitment):
        _tell_owner(ctx, kinds.CONFIRMED, commitment, f"{actor.school_name} confirmed it arrived. Thank you!")
    return Message(
        title=f"{sentence(gist(commitment.what))}: confirmed it arrived ({ref(commitment)})",
        text="Thank you for closing the loop.",
        footer=f"Say `thanks {ref(commitment)} <words>` to thank them in this week's digest.",
    )


def thanks(ctx: Context, args: str) -> Message:
    """`thanks C12 <words>`, by the receiving school: confirms it arrived and thanks the people who gave it."""
    head, words = split_ref(args)
    actor, commitment = _receiving(ctx, head)
    words = " ".join(words.split())[:MAX_THANKS]
    if len(words) < 2:
        raise CommandError(f"Say what you'd like to thank them for: `thanks {ref(commitment)} <a few words>`.")
    _mark_confirmed(ctx, commitment)
    commitment.thanks = words
    ctx.session.add(commitment)
    ctx.log("thanks", ref(commitment), words=words)
    _tell_owner(ctx, kinds.THANKED, commitment, f"{actor.school_name} says thank you: “{words}”")
    return Message(title="Thank you: your thanks will be passed on, and shared in this week's digest.")


def _mark_confirmed(ctx: Context, commitment: Commitment) -> bool:
    result = ctx.session.execute(
        update(Commitment)
        .where(col(Commitment.id) == commitment.id, col(Commitment.confirmed_at).is_(None))
        .values(confirmed_at=ctx.now)
    )
    ctx.session.refresh(commitment)
    changed = rows_changed(result) > 0
    if changed:
        ctx.log("confirm", ref(commitment), network_id=commitment.network_id)
    return changed


def _tell_owner(ctx: Context, kind: str, commitment: Commitment, said: str) -> None:
    key = f"{kind}:{ref(commitment)}:{ctx.now.isoformat()}"
    message = Message(title=f"{sentence(gist(commitment.what))} ({ref(commitment)})", text=said)
    notices.tell(ctx.session, commitment.owner_id, key, message, ctx.now, kind=kind, subject_id=commitment.id)
