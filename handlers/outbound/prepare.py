"""What a due notification becomes: send it now (to whom, saying what), move it to a humane time, or drop it.

The scheduler calls `prepare` for each claimed row, inside a short transaction, and acts on the outcome.
Domain state is re-checked here, so a nudge for a commitment done a minute ago is dropped, not sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from handlers import lookups
from handlers.calendar import (
    DEFAULT_CALENDAR,
    Calendar,
    calendar_for,
    holiday_on,
    local_moment,
    next_allowed,
    zone_named,
)
from handlers.dates import describe_date, describe_day
from handlers.messages import Address, Message
from handlers.outbound import kinds, notices, plan, reminders
from handlers.partnerships.digest import weekly_digest
from handlers.phrases import gist, sentence
from handlers.policy import DEFAULT_POLICY, ReminderPolicy
from handlers.refs import ref
from storage.models import Commitment, Identity, Member, Notification, Partnership, PartnershipChannel


@dataclass(frozen=True)
class Send:
    """Deliver `message` to every address. If none can be reached, `unreachable_member` (if any) is the person
    whose lead hears of it."""

    message: Message
    addresses: tuple[Address, ...]
    unreachable_member: int | None = None


@dataclass(frozen=True)
class Later:
    """Not now: try again at `until` (outside working hours, in a holiday, while someone is away)."""

    until: datetime
    reason: str
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class Drop:
    """Never: the reason for the notification has gone."""

    reason: str


Outcome = Send | Later | Drop
T = TypeVar("T")


@dataclass(frozen=True)
class Audience:
    """Who a row is for, and whose calendar decides when it may be delivered."""

    addresses: tuple[Address, ...]
    zone: ZoneInfo
    holidays: Calendar
    member: Member | None = None


def prepare(session: Session, row: Notification, now: datetime, policy: ReminderPolicy = DEFAULT_POLICY) -> Outcome:
    """Decide what to do with one claimed row at `now`: its kind's condition is checked first (outbound/kinds.py),
    then its reader's hours and holidays, then whether they have heard about this subject today already."""
    kind = kinds.kind_of(row)
    untrue = kind.still_true(session, row, now)
    if untrue is not None:
        return Drop(untrue)
    audience = _audience(session, row)
    if audience is None:
        return Drop("nobody to tell")
    if kind.leads_only and audience.member is not None and audience.member.role != "lead":
        return Drop("it is for leads, and they are no longer a lead")
    paused = _away(session, row, audience.member, now, policy)
    if paused is not None:
        return paused
    allowed = next_allowed(now, audience.zone, audience.holidays, policy.hours)
    if row.kind == kinds.DIGEST and holiday_on(now.astimezone(audience.zone).date(), audience.holidays):
        return Drop("no digest in a holiday week")
    if allowed > now:
        return Later(allowed, "outside working hours")
    if _superseded(session, row, now):
        return Drop("a later reminder for the same promise is due too")
    message = _render(session, row, now, audience.zone)
    if message is None:
        return Drop("nothing to say")
    if kind.slot == "day" and not _first_today(session, row, now, audience.zone):
        return Drop("they have already heard about it today")
    return Send(message, audience.addresses, audience.member.id if audience.member else None)


def prepare_batch(
    session: Session, rows: list[Notification], now: datetime, policy: ReminderPolicy = DEFAULT_POLICY
) -> dict[int, Outcome]:
    """`prepare` for a claimed batch in one transaction, its recipients and their chat accounts read in two
    queries for the whole batch rather than two for each row."""
    member_ids = sorted({row.member_id for row in rows if row.member_id})
    accounts = _accounts(session, member_ids)
    for member in session.exec(select(Member).where(col(Member.id).in_(member_ids))):
        session.info[("member", member.id)] = member
        session.info[("identities", member.id)] = accounts.get(member.id or 0, ())
    return {row.id or 0: prepare(session, row, now, policy) for row in rows}


def _first_today(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> bool:
    """Reserve this row's slot (its kind's family, subject, recipient and the reader's day); False if another row
    holds it. The slot column is unique, so two workers can't both send the same reminder in one day."""
    family = "session" if row.kind in (kinds.SESSION_REMINDER, kinds.IMPACT_ASK) else "promise"
    slot = f"{family}:{row.subject_id}:{row.member_id}:{now.astimezone(zone).date()}"
    taken = select(Notification.id).where(Notification.slot == slot, col(Notification.id) != row.id)
    if session.exec(taken).first() is not None:
        return False
    session.execute(update(Notification).where(col(Notification.id) == row.id).values(slot=slot))
    return True


def _superseded(session: Session, row: Notification, now: datetime) -> bool:
    """After downtime several nudges of one promise may be due at once: only the latest is worth sending."""
    if row.kind not in kinds.PAUSED_WHILE_AWAY:
        return False
    base = row.dedupe_key.rsplit(":", 1)[0] + ":"
    later = select(Notification.id).where(
        col(Notification.dedupe_key).startswith(base, autoescape=True),
        col(Notification.kind).in_(kinds.PAUSED_WHILE_AWAY),
        col(Notification.status).in_(("pending", "claimed")),
        col(Notification.id) > row.id,  # planned later (a promise's reminders are planned in order)
        col(Notification.due_at) <= now,
    )
    return session.exec(later).first() is not None


def _render(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> Message | None:
    if row.kind in kinds.COMMITMENT_KINDS:
        return reminders.commitment_reminder(session, row, now, zone)
    if row.kind in (kinds.SESSION_REMINDER, kinds.IMPACT_ASK):
        return reminders.joint_session_reminder(session, row, now, zone)
    if row.kind == kinds.DIGEST:
        return weekly_digest(session, row.partnership_id, now) if row.partnership_id is not None else None
    return notices.message_from_payload(row.payload)


def _audience(session: Session, row: Notification) -> Audience | None:
    if row.kind == kinds.DIGEST:
        return _channels(session, row.partnership_id)
    member = _remembered(session, ("member", row.member_id), lambda: session.get(Member, row.member_id or 0))
    if member is None or member.erased:
        return None
    holidays = _remembered(session, ("holidays", member.school_id), lambda: calendar_for(session, member.school_id))
    if row.kind == kinds.ESCALATION:
        leads = lookups.school_leads(session, member)
        if not leads:
            return None
        return Audience(_identities(session, leads), zone_named(leads[0].timezone), holidays)
    addresses = _remembered(session, ("identities", member.id), lambda: _identities(session, [member]))
    return Audience(addresses, zone_named(member.timezone), holidays, member)


def _remembered(session: Session, key: tuple[str, int | None], look_up: Callable[[], T]) -> T:
    """Look something up once per transaction: a claimed batch often has many rows for one person or school."""
    if key not in session.info:
        session.info[key] = look_up()
    found: T = session.info[key]
    return found


def _channels(session: Session, partnership_id: int | None) -> Audience | None:
    partnership = session.get(Partnership, partnership_id) if partnership_id else None
    if partnership is None:
        return None
    rows = session.exec(select(PartnershipChannel).where(PartnershipChannel.partnership_id == partnership.id)).all()
    addresses = tuple(Address(r.platform, r.tenant_id, channel_id=r.channel_id) for r in rows)
    if not addresses:  # no channel chosen yet: nothing to send, and nothing has gone wrong
        return None
    return Audience(addresses, zone_named(partnership.timezone), DEFAULT_CALENDAR)


def _identities(session: Session, members: list[Member]) -> tuple[Address, ...]:
    accounts = _accounts(session, [m.id for m in members if m.id is not None])
    return tuple(address for m in members for address in accounts.get(m.id or 0, ()))


def _accounts(session: Session, member_ids: list[int]) -> dict[int, tuple[Address, ...]]:
    """Each member's active chat accounts, oldest first, in one query."""
    found: dict[int, list[Address]] = {}
    rows = session.exec(
        select(Identity)
        .where(col(Identity.member_id).in_(member_ids), col(Identity.active).is_(True))
        .order_by(col(Identity.id))
    )
    for r in rows:
        found.setdefault(r.member_id, []).append(Address(r.platform, r.tenant_id, user_id=r.user_id))
    return {member_id: tuple(addresses) for member_id, addresses in found.items()}


def _away(
    session: Session, row: Notification, member: Member | None, now: datetime, policy: ReminderPolicy
) -> Later | None:
    """A nudge for someone away waits until they are back; their lead hears once, so it can be handed over."""
    if member is None or row.kind not in kinds.PAUSED_WHILE_AWAY or member.away_until is None:
        return None
    zone = zone_named(member.timezone)
    if member.away_until < now.astimezone(zone).date():
        return None
    _tell_leads_away(session, row, member, now)
    back = local_moment(member.away_until + timedelta(days=1), policy.hours.start, zone)
    until = next_allowed(back, zone, calendar_for(session, member.school_id), policy.hours)
    return Later(until, "away", {**row.payload, plan.PAUSED: True})


def _tell_leads_away(session: Session, row: Notification, member: Member, now: datetime) -> None:
    """Once for each promise that falls due while its owner is away: their leads hear, so it can be covered."""
    commitment = session.get(Commitment, row.subject_id) if row.subject_id else None
    if commitment is None or member.away_until is None:
        return
    zone = zone_named(member.timezone)
    message = Message(
        title=f"{sentence(gist(commitment.what))}: due {describe_day(commitment.due_at, zone)}, while "
        f"{member.name} is away ({ref(commitment)})",
        text=f"Could someone pick it up, or agree a new date? I'll hold their reminders until they're back after "
        f"{describe_date(member.away_until)}.",
    )
    facts = {"away_until": str(member.away_until)}
    for lead in lookups.school_leads(session, member):
        key = f"away:{ref(commitment)}:{member.away_until}:{lead.id}"
        notices.tell(session, lead.id or 0, key, message, now, kind=kinds.AWAY, facts=facts, subject_id=commitment.id)


def report_unreachable(session: Session, row: Notification, member_id: int, now: datetime) -> int:
    """Tell a member's lead, privately and once, that Kept could not reach them. Returns how many were told."""
    member = session.get(Member, member_id)
    if member is None or row.dedupe_key.startswith("unreachable:"):
        return 0
    message = Message(
        title=f"I couldn't reach {member.name} on chat",
        text="Their account may have left the workspace or the team. If they've moved on, their promises may "
        "need a new owner; `mine` and the board show what's open.",
    )
    told = 0
    for lead in lookups.school_leads(session, member):
        assert lead.id is not None
        key = f"unreachable:M{member_id}:{row.id}:{lead.id}"
        told += notices.tell(
            session, lead.id, key, message, now, kind=kinds.UNREACHABLE, facts={"member_id": member_id}
        )
    return told
