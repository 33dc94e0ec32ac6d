"""Joint sessions: dated events with pupils or staff from several schools."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import col, select

from handlers.context import Actor, Context
from handlers.dates import START_OF_DAY, describe, read_moment
from handlers.errors import BadDate, CommandError
from handlers.joint_sessions import checklist
from handlers.joint_sessions.access import organised
from handlers.joint_sessions.length import Length, split_length
from handlers.lookups import clean_name, find_school
from handlers.messages import Field, Message, Section
from handlers.outbound import kinds, notices
from handlers.outbound.plan import guests_of, plan_joint_session
from handlers.refs import ref, split_ref
from storage.models import JointSession, PartnershipSchool, School, SessionSchool

USAGE = (
    "Say `session <title> on <date time> at <venue> with <school>, <school>`, e.g. "
    "`session Year 6 science day on 4/12 10am for 90 minutes at St Ada's School with Hopper Academy`."
)
USUAL_LENGTH = timedelta(hours=2)  # a school's lead can set its own: `session-length 90 minutes`
_SHAPE = re.compile(r"^(?P<title>.+?)\s+on\s+(?P<rest>.+?)\s+with\s+(?P<schools>.+)$", re.IGNORECASE)


def plan(ctx: Context, args: str) -> Message:
    """Plan a joint session between the caller's school and the schools named after `with`."""
    actor = ctx.require_member()
    found = _SHAPE.match(args.strip())
    if not found:
        raise CommandError(USAGE)
    title = clean_name(found.group("title"), "session title")
    rest, length = split_length(found.group("rest"))
    starts_at, venue = _when_and_venue(ctx, rest)
    ends_at = length.end(starts_at, ctx.timezone) if length else starts_at + usual_length(actor)
    schools = _schools(ctx, actor, found.group("schools"))
    joint = JointSession(
        network_id=actor.network_id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        organiser_id=actor.member_id,
        created_at=ctx.now,
        partnership_id=_partnership_of(ctx, [actor.school_id, *schools]),
    )
    ctx.session.add(joint)
    ctx.session.flush()
    for school_id in {actor.school_id, *schools}:
        ctx.session.add(SessionSchool(session_id=joint.id or 0, school_id=school_id))
    checklist.add_checklist(ctx.session, joint)
    ctx.log("session", ref(joint), title=title, starts_at=starts_at.isoformat(), venue=venue)
    after_change(ctx, joint)
    names = [s.name for s in ctx.session.exec(select(School).where(col(School.id).in_(schools)))]
    return Message(
        title=f"{title}: planned ({ref(joint)})",
        fields=(
            Field("When", session_time(ctx, joint)),
            Field("Where", venue),
            Field("With", ", ".join([actor.school_name, *sorted(names)])),
        ),
        footer="I'll remind everyone a week before (transport and consent take time), the day before and "
        "two hours before.",
    )


def _when_and_venue(ctx: Context, text: str) -> tuple[datetime, str]:
    """Split `4/12 at 10am at St Ada's` into a time and a venue, trying each ` at ` from the right."""
    parts = re.split(r"\s+at\s+", text, flags=re.IGNORECASE)
    if len(parts) < 2:
        raise CommandError("Where will it be? " + USAGE)
    last_error: BadDate | None = None
    for cut in range(len(parts) - 1, 0, -1):
        when, venue = " at ".join(parts[:cut]), " at ".join(parts[cut:])
        try:
            return read_moment(ctx, when, START_OF_DAY), clean_name(venue, "venue")
        except BadDate as exc:
            last_error = exc
    assert last_error is not None
    raise last_error


def usual_length(actor: Actor) -> timedelta:
    """How long a session lasts when no one says: the school's own choice, else two hours."""
    minutes = actor.school.session_minutes
    return timedelta(minutes=minutes) if minutes else USUAL_LENGTH


def ends_at(joint: JointSession) -> datetime:
    """When a session ends (sessions planned before lengths were kept last the usual two hours)."""
    return joint.ends_at or joint.starts_at + USUAL_LENGTH


def session_time(ctx: Context, joint: JointSession) -> str:
    """`Fri 4 Dec, 10:00 to 11:30` in the reader's zone."""
    return f"{describe(joint.starts_at, ctx.timezone, ctx.now)} to {ends_at(joint).astimezone(ctx.timezone):%H:%M}"


def _schools(ctx: Context, actor: Actor, text: str) -> list[int]:
    names = [p.strip() for chunk in text.split(",") for p in re.split(r"\s+and\s+", chunk) if p.strip()]
    ids = [find_school(ctx.session, actor.network_id, name).id or 0 for name in names]
    others = sorted(set(ids) - {actor.school_id})
    if not others:
        raise CommandError("A joint session needs at least one other school: name it after `with`.")
    return others


def _partnership_of(ctx: Context, school_ids: list[int]) -> int | None:
    """The partnership that holds every school in the session, if exactly one does."""
    rows = ctx.session.exec(select(PartnershipSchool).where(col(PartnershipSchool.school_id).in_(school_ids)))
    holds: dict[int, set[int]] = {}
    for row in rows:
        holds.setdefault(row.partnership_id, set()).add(row.school_id)
    complete = [p for p, schools in holds.items() if schools >= set(school_ids)]
    return complete[0] if len(complete) == 1 else None


def upcoming(ctx: Context, args: str) -> Message:
    """Joint sessions the caller's school takes part in, from now on, soonest first."""
    actor = ctx.require_member()
    rows = ctx.session.exec(
        select(JointSession)
        .join(SessionSchool, col(SessionSchool.session_id) == JointSession.id)
        .where(
            SessionSchool.school_id == actor.school_id,
            JointSession.starts_at >= ctx.now,
            JointSession.status == "planned",
        )
        .order_by(col(JointSession.starts_at))
        .limit(20)
    ).all()
    if not rows:
        return Message(title="No joint sessions coming up.", text=USAGE)
    sections = tuple(
        Section(
            text=f"{ref(s)} · {s.title}",
            fields=(Field("When", session_time(ctx, s)), Field("Where", s.venue)),
        )
        for s in rows
    )
    return Message(title=f"Joint sessions coming up ({len(rows)})", sections=sections)


def after_change(ctx: Context, joint: JointSession) -> None:
    """Keep a session's reminders in step with its time."""
    plan_joint_session(ctx.session, joint, ctx.now, ctx.reminder_policy)


def reschedule(ctx: Context, args: str) -> Message:
    """`reschedule S12 <date time>`: the organiser (or their lead) moves a session; its reminders move with it."""
    head, when = split_ref(args)
    joint = organised(ctx, head, "move")
    if not when:
        raise CommandError(f"When should {ref(joint)} be? Say `reschedule {ref(joint)} 10/12 2pm`.")
    text, length = split_length(" " + re.sub(r"^to\s+", "", when, flags=re.IGNORECASE))
    starts_at = read_moment(ctx, text, START_OF_DAY)
    joint.ends_at = _new_end(ctx, joint, starts_at, length)
    joint.starts_at = starts_at
    joint.sequence += 1
    ctx.session.add(joint)
    ctx.log("reschedule", ref(joint), starts_at=starts_at.isoformat())
    after_change(ctx, joint)
    said = describe(starts_at, ctx.timezone, ctx.now)
    _tell_guests(ctx, joint, kinds.RESCHEDULED, f"{joint.title}: moved to {said} ({ref(joint)})")
    return Message(
        title=f"{joint.title}: moved to {said} ({ref(joint)})",
        footer="The other schools' leads have been told, and everyone's reminders have moved with it.",
    )


def _new_end(ctx: Context, joint: JointSession, starts_at: datetime, length: Length | None) -> datetime:
    """A moved session keeps its length unless a new one is given."""
    return length.end(starts_at, ctx.timezone) if length else starts_at + (ends_at(joint) - joint.starts_at)


def cancel(ctx: Context, args: str) -> Message:
    """`cancel S12 <reason>`: the organiser (or their lead) calls a session off; its reminders stop."""
    head, reason = split_ref(args)
    joint = organised(ctx, head, "cancel")
    if len(reason) < 3:
        raise CommandError(f"A few words of reason help the other schools: `cancel {ref(joint)} <reason>`.")
    joint.status = "cancelled"
    joint.sequence += 1
    ctx.session.add(joint)
    ctx.log("cancel", ref(joint), reason=reason)
    after_change(ctx, joint)
    _tell_guests(ctx, joint, kinds.CALLED_OFF, f"{joint.title}: called off ({ref(joint)})", f"“{reason}”")
    return Message(title=f"{joint.title}: called off ({ref(joint)})", footer="The other schools' leads have been told.")


def _tell_guests(ctx: Context, joint: JointSession, kind: str, title: str, text: str = "") -> None:
    facts = {"starts_at": joint.starts_at.isoformat()}
    for guest in guests_of(ctx.session, joint):
        key = f"{kind}:{ref(joint)}:{ctx.now.isoformat()}:{guest}"
        message = Message(title=title, text=text)
        notices.tell(ctx.session, guest, key, message, ctx.now, kind=kind, facts=facts, subject_id=joint.id)
