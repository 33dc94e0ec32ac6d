"""Planning reminders as outbox rows, and rendering them: commitment nudges, session reminders, digests.

Other handlers call `plan_commitment`, `cancel_commitment`/`cancel_reminders` and `plan_session` after every
change, in the same transaction. Keys carry the due moment they were planned for, so a snoozed commitment
gets fresh nudges while nothing already sent is ever sent again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from handlers.calendar import (
    WORKING_HOURS,
    Span,
    WorkingHours,
    add_working_days,
    is_working_day,
    local_moment,
    school_holidays,
    zone_named,
)
from handlers.dates import describe, describe_day
from handlers.messages import Action, Field, Message
from storage import outbox
from storage.models import (
    Commitment,
    JointSession,
    Member,
    Notification,
    Partnership,
    School,
    SessionSchool,
)

NUDGE, OVERDUE, ESCALATION = "nudge", "overdue", "escalation"
SESSION_REMINDER, IMPACT_ASK, DIGEST = "session_reminder", "impact_ask", "digest"
COMMITMENT_KINDS = (NUDGE, OVERDUE, ESCALATION)

_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_OFFSET = re.compile(r"^\s*(\d{1,4})\s*([dhm])\s*$")


@dataclass(frozen=True)
class Offset:
    """A distance from a due moment. For commitments, days count working days and land at the morning hour;
    for sessions every unit is exact. Hours and minutes are always exact (a demo can use minutes)."""

    amount: int
    unit: str = "d"

    @property
    def label(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def exact(self) -> timedelta:
        return {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}[self.unit] * self.amount


def parse_offsets(text: str) -> tuple[Offset, ...]:
    """`"2d, 0d"` -> (Offset(2, 'd'), Offset(0, 'd')). Raises ValueError naming the part it could not read."""
    offsets = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = _OFFSET.match(part)
        if not found:
            raise ValueError(f"reminder offset {part!r} should look like 2d, 3h or 30m")
        offsets.append(Offset(int(found.group(1)), found.group(2)))
    return tuple(offsets)


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders fall, as plain values (bot/cli.py builds one from Settings)."""

    before_due: tuple[Offset, ...] = (Offset(2), Offset(0))
    overdue: tuple[Offset, ...] = (Offset(1), Offset(6))
    tell_lead_after: Offset = Offset(7)
    before_session: tuple[Offset, ...] = (Offset(7), Offset(1), Offset(2, "h"))
    impact_after: Offset = Offset(1)
    morning: time = time(9, 0)
    hours: WorkingHours = field(default=WORKING_HOURS)


DEFAULT_POLICY = ReminderPolicy()


@dataclass(frozen=True)
class Planned:
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    member_id: int | None = None  # someone other than the plan's owner


def commitment_prefix(commitment_id: int | None) -> str:
    return f"nudge:C{commitment_id}:"


def session_prefix(session_id: int | None) -> str:
    return f"session:S{session_id}:"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%MZ")


def _owner_calendar(session: Session, commitment: Commitment) -> tuple[ZoneInfo, tuple[Span, ...]]:
    owner = session.get(Member, commitment.owner_id)
    return zone_named(owner.timezone if owner else None), school_holidays(session, commitment.from_school_id)


def _working_day_moment(
    due: datetime,
    offset: Offset,
    sign: int,
    zone: ZoneInfo,
    holidays: tuple[Span, ...],
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
    base = f"{commitment_prefix(commitment.id)}{_stamp(commitment.due_at)}:"
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


def cancel_reminders(session: Session, prefix: str) -> None:
    """Cancel every pending reminder whose key starts with `prefix` (see `commitment_prefix`)."""
    outbox.cancel(session, prefix)


def cancel_commitment(session: Session, commitment: Commitment) -> None:
    """Cancel a commitment's pending nudges (it was done or released)."""
    outbox.cancel(session, commitment_prefix(commitment.id))


def session_plan(joint_session: JointSession, policy: ReminderPolicy, guests: Sequence[int] = ()) -> list[Planned]:
    """Reminders before a joint session (the first one checks logistics) for the organiser and each guest (the
    other schools' leads), and the impact ask after it, for the organiser."""
    base = f"{session_prefix(joint_session.id)}{_stamp(joint_session.starts_at)}:"
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


def plan_session(
    session: Session, joint_session: JointSession, now: datetime, policy: ReminderPolicy = DEFAULT_POLICY
) -> None:
    """(Re)plan a joint session's reminders for everyone coming; a cancelled session has them cancelled."""
    prefix = session_prefix(joint_session.id)
    if joint_session.status == "cancelled":
        outbox.cancel(session, prefix)
        return
    _replace(
        session,
        prefix,
        session_plan(joint_session, policy, session_guests(session, joint_session)),
        now,
        member_id=joint_session.organiser_id,
        subject_id=joint_session.id,
    )


def session_guests(session: Session, joint_session: JointSession) -> list[int]:
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


# Rendering: what each reminder says. Each returns None when its reason has gone (done, moved, cancelled).


def nudge_actions(reference: str) -> tuple[Action, ...]:
    """Every nudge carries these: Done, Snooze (a day, a week, or a date picked in a form), Release, Need help."""
    return (
        Action("done", "Done", f"done {reference}", "primary"),
        Action("snooze_day", "Snooze 1 day", f"snooze {reference} 1 day"),
        Action("snooze_week", "Snooze 1 week", f"snooze {reference} 1 week"),
        Action("snooze_pick", "Pick a date", f"snooze {reference}"),
        Action("release", "Release", f"release {reference}", "danger"),
        Action("help_needed", "Need help", f"help-needed {reference}"),
    )


def _planned_for(key: str, moment: datetime) -> bool:
    """True if the key was planned for this due moment (the commitment or session has not moved since)."""
    return f":{_stamp(moment)}:" in key


_OVERDUE_HINT = "If it's done, tell me; if it needs longer, snooze it; or release it with a word."


def commitment_reminder(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> Message | None:
    """A nudge before the due date, a follow-up after it, or the note to the owner's lead."""
    commitment = session.get(Commitment, row.subject_id) if row.subject_id else None
    if commitment is None or commitment.status != "open" or not _planned_for(row.dedupe_key, commitment.due_at):
        return None
    reference = f"C{commitment.id}"
    school = session.get(School, commitment.to_school_id)
    fields = (
        Field("For", school.name if school else "another school"),
        Field("Due", describe(commitment.due_at, zone, now)),
    )
    if row.kind == ESCALATION:
        owner = session.get(Member, commitment.owner_id)
        who = owner.name if owner and not owner.erased else "A colleague"
        return Message(
            title=f"{who}'s promise {reference} is a week past its date",
            text=f"{commitment.what}\nThey may just need a hand, or a new date. A friendly word could help.",
            fields=fields,
        )
    today = now.astimezone(zone).date()
    if row.kind == OVERDUE or commitment.due_at.astimezone(zone).date() < today:
        title = f"{reference} was due {describe_day(commitment.due_at, zone)}"
        text = f"{commitment.what}\n{_OVERDUE_HINT}"
    elif commitment.due_at.astimezone(zone).date() == today:
        title, text = f"{reference} is due today", commitment.what
    else:
        title, text = (
            f"A gentle reminder: {reference} is due {describe_day(commitment.due_at, zone)}",
            commitment.what,
        )
    return Message(title=title, text=text, fields=fields, actions=nudge_actions(reference))


_LOGISTICS = "Transport, consent forms, the venue and staffing: is everything in hand?"
_IMPACT_ASK = (
    "When you have a moment, tell us the pupils reached, the staff involved and one line about it, "
    "e.g. `impact {ref} 28 pupils, 3 staff: the Year 6s loved the rockets`. It goes into the partnership's "
    "record and the termly report."
)


def session_reminder(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> Message | None:
    """A reminder before a joint session (the first checks logistics), or the impact ask after it."""
    joint = session.get(JointSession, row.subject_id) if row.subject_id else None
    if joint is None or joint.status == "cancelled" or not _planned_for(row.dedupe_key, joint.starts_at):
        return None
    reference = f"S{joint.id}"
    fields = (Field("When", describe(joint.starts_at, zone, now)), Field("Where", joint.venue))
    if row.kind == IMPACT_ASK:
        return Message(
            title=f"How did {joint.title} ({reference}) go?",
            text=_IMPACT_ASK.format(ref=reference),
            fields=fields,
        )
    if joint.starts_at <= now:
        return None
    text = _LOGISTICS if row.payload.get("logistics") else "Looking forward to it."
    return Message(title=f"Coming up: {joint.title} ({reference})", text=text, fields=fields)
