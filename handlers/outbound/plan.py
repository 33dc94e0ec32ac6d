"""Planning what Kept will send, as outbox rows written in the changing transaction: a commitment's nudges,
follow-ups and the note to its owner's lead; a joint session's reminders and its impact ask; each week's digest.

Features call `plan_commitment` and `plan_joint_session` after every change. Keys carry the due moment they were
planned for, so a snoozed commitment gets fresh nudges while nothing already sent is ever sent again; rows no
longer wanted are cancelled. What each row says, and whether it is still true, is decided when it is sent
(outbound/prepare.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from handlers.calendar import Calendar, add_working_days, calendar_for, is_working_day, local_moment, zone_named
from handlers.outbound.kinds import DIGEST, ESCALATION, IMPACT_ASK, NUDGE, OVERDUE, SESSION_REMINDER, stamp
from handlers.policy import DEFAULT_POLICY, Offset, ReminderPolicy
from handlers.refs import ref_of
from storage import outbox
from storage.models import Commitment, JointSession, Member, Notification, Partnership, SessionSchool

PAUSED = "paused_while_away"  # marks a held nudge in its payload, so `back` can bring it forward


@dataclass(frozen=True)
class Planned:
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    member_id: int | None = None  # someone other than the plan's owner


def commitment_prefix(commitment_id: int | None) -> str:
    return f"nudge:{ref_of('C', commitment_id)}:"


def joint_session_prefix(session_id: int | None) -> str:
    return f"session:{ref_of('S', session_id)}:"


def _owner_calendar(session: Session, commitment: Commitment) -> tuple[ZoneInfo, Calendar]:
    owner = session.get(Member, commitment.owner_id)
    return zone_named(owner.timezone if owner else None), calendar_for(session, commitment.from_school_id)


def _working_day_moment(
    due: datetime,
    offset: Offset,
    sign: int,
    zone: ZoneInfo,
    holidays: Calendar,
    policy: ReminderPolicy,
) -> datetime:
    if offset.unit != "d":
        return due + sign * offset.exact
    day = due.astimezone(zone).date()
    if sign < 0 and not is_working_day(day, holidays, policy.hours):
        day = add_working_days(day, -1, holidays, policy.hours)  # due on a Saturday: the Friday is "due morning"
    return local_moment(add_working_days(day, sign * offset.amount, holidays, policy.hours), policy.morning, zone)


def commitment_plan(session: Session, commitment: Commitment, policy: ReminderPolicy) -> list[Planned]:
    """Every reminder an open commitment gets: nudges before it is due, follow-ups, then its owner's lead."""
    zone, holidays = _owner_calendar(session, commitment)
    base = f"{commitment_prefix(commitment.id)}{stamp(commitment.due_at)}:"
    due = commitment.due_at
    plan = [
        Planned(NUDGE, f"{base}-{o.label}", _working_day_moment(due, o, -1, zone, holidays, policy))
        for o in policy.before_due
    ]
    plan += [
        Planned(OVERDUE, f"{base}+{o.label}", _working_day_moment(due, o, 1, zone, holidays, policy))
        for o in policy.overdue
    ]
    lead = policy.tell_lead_after
    plan.append(Planned(ESCALATION, f"{base}lead", _working_day_moment(due, lead, 1, zone, holidays, policy)))
    return plan


def plan_commitment(
    session: Session, commitment: Commitment, now: datetime, policy: ReminderPolicy = DEFAULT_POLICY
) -> None:
    """(Re)plan a commitment's reminders after any change: an open one gets its nudges (moments already past
    are skipped), anything else has its pending ones cancelled. Call it in the changing transaction."""
    prefix = commitment_prefix(commitment.id)
    if commitment.status != "open":
        outbox.cancel(session, prefix)
        return
    plan = commitment_plan(session, commitment, policy)
    _replace(session, prefix, plan, now, member_id=commitment.owner_id, subject_id=commitment.id)


def _replace(
    session: Session, prefix: str, plan: list[Planned], now: datetime, member_id: int, subject_id: int | None
) -> None:
    wanted = {p.key for p in plan}
    outbox.cancel_keys(session, [key for key in outbox.pending_keys(session, prefix) if key not in wanted])
    for item in plan:
        if item.due_at >= now:
            outbox.enqueue(
                session,
                kind=item.kind,
                key=item.key,
                due_at=item.due_at,
                now=now,
                member_id=item.member_id or member_id,
                subject_id=subject_id,
                payload=item.payload,
            )


def joint_session_plan(
    joint_session: JointSession, policy: ReminderPolicy, guests: Sequence[int] = ()
) -> list[Planned]:
    """Reminders before a joint session (the first one checks logistics) for the organiser and each guest (the
    other schools' leads), and the impact ask after it, for the organiser."""
    base = f"{joint_session_prefix(joint_session.id)}{stamp(joint_session.starts_at)}:"
    start = joint_session.starts_at
    offsets = sorted(policy.before_session, key=lambda o: -o.exact)
    plan = [
        Planned(
            SESSION_REMINDER,
            f"{base}-{o.label}" + (f":M{guest}" if guest else ""),
            start - o.exact,
            {"logistics": i == 0},
            guest,
        )
        for guest in (None, *guests)
        for i, o in enumerate(offsets)
    ]
    plan.append(Planned(IMPACT_ASK, f"{base}impact", start + policy.impact_after.exact))
    return plan


def plan_joint_session(
    session: Session, joint_session: JointSession, now: datetime, policy: ReminderPolicy = DEFAULT_POLICY
) -> None:
    """(Re)plan a joint session's reminders for everyone coming; a cancelled session has them cancelled."""
    prefix = joint_session_prefix(joint_session.id)
    if joint_session.status == "cancelled":
        outbox.cancel(session, prefix)
        return
    _replace(
        session,
        prefix,
        joint_session_plan(joint_session, policy, guests_of(session, joint_session)),
        now,
        member_id=joint_session.organiser_id,
        subject_id=joint_session.id,
    )


def guests_of(session: Session, joint_session: JointSession) -> list[int]:
    """The leads of the other schools taking part: they see to their own transport, consent and staffing."""
    organiser = session.get(Member, joint_session.organiser_id)
    leads = session.exec(
        select(Member.id)
        .join(SessionSchool, col(SessionSchool.school_id) == Member.school_id)
        .where(
            SessionSchool.session_id == joint_session.id,
            Member.role == "lead",
            Member.erased == False,  # noqa: E712
            Member.school_id != (organiser.school_id if organiser else 0),
        )
        .order_by(col(Member.id))
    ).all()
    return [lead for lead in leads if lead is not None]


def digest_moment(partnership: Partnership, now: datetime) -> datetime:
    """The first digest moment after `now`: its weekday and hour, in the partnership's own zone."""
    zone = zone_named(partnership.timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    for week in range(2):
        day = monday + timedelta(days=7 * week + partnership.digest_weekday % 7)
        moment = local_moment(day, time(partnership.digest_hour % 24), zone)
        if moment > now:
            return moment
    raise AssertionError("a digest moment always falls within two weeks")


def digest_key(partnership_id: int | None, moment: datetime, zone: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(zone).date().isocalendar()
    return f"digest:{partnership_id}:{year}-W{week:02d}"


def plan_digest(session: Session, partnership: Partnership, now: datetime) -> None:
    """Plan the partnership's next weekly digest: one row per ISO week, so one digest a week whatever happens.
    A row for a week that is already planned just moves (the digest day or hour changed)."""
    moment = digest_moment(partnership, now)
    key = digest_key(partnership.id, moment, zone_named(partnership.timezone))
    outbox.enqueue(
        session,
        kind=DIGEST,
        key=key,
        due_at=moment,
        now=now,
        partnership_id=partnership.id,
        subject_id=partnership.id,
    )


def ensure_digests(session: Session, now: datetime) -> int:
    """Plan the next digest of every partnership that has none waiting (new ones, and after each digest)."""
    waiting = exists().where(
        and_(
            col(Notification.partnership_id) == Partnership.id,
            col(Notification.kind) == DIGEST,
            col(Notification.status).in_((outbox.PENDING, outbox.CLAIMED)),
        )
    )
    partnerships = session.exec(select(Partnership).where(~waiting)).all()
    for partnership in partnerships:
        plan_digest(session, partnership, now)
    return len(partnerships)
