"""What makes a joint session happen and count: its logistics checklist, an .ics invitation, and its impact.

Each planned session gets the checklist from the MoU's headings (transport, venue, staffing, consent, risk
assessment, refreshments); assigning an item makes it a commitment with a date, nudged like any other.
The invitation is RFC 5545 with a VTIMEZONE for Europe/London, so calendars show the right local time on
either side of a clock change. After the session its organiser records pupils reached, staff involved and a
line of impact (counts only: Kept never stores pupils' names).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from handlers import commitments
from handlers.context import Actor, Context
from handlers.dates import describe, parse_moment
from handlers.directory import find_member, name_key
from handlers.errors import CommandError, NotAllowed, NotFound
from handlers.messages import Action, Attachment, Field, Message, Section
from handlers.refs import parse_ref, split_ref
from handlers.scope import school_names
from storage.models import ChecklistItem, Commitment, JointSession, Member, SessionSchool

CHECKLIST = ("transport", "venue", "staffing", "consent", "risk assessment", "refreshments")
LONDON = ZoneInfo("Europe/London")
LENGTH = timedelta(hours=2)
LEAD_TIME = timedelta(days=7)  # transport and consent take a week
_ICS_FILE = re.compile(r"kept-session-(\d{1,9})\.ics")
_ASSIGN = re.compile(r"^(?P<item>.+?)\s+to\s+(?P<who>.+?)(?:\s+by\s+(?P<when>.+))?$", re.IGNORECASE)
_IMPACT = re.compile(
    r"^(?P<pupils>\d{1,5})\s+pupils?\s*,?\s*(?P<staff>\d{1,4})\s+staff\s*:\s*(?P<line>.+)$", re.IGNORECASE
)


def add_checklist(session: Session, joint: JointSession) -> None:
    """Give a newly planned session its logistics checklist (once; planning twice adds nothing)."""
    have = set(session.exec(select(ChecklistItem.item).where(ChecklistItem.session_id == joint.id)).all())
    session.add_all(ChecklistItem(session_id=joint.id or 0, item=item) for item in CHECKLIST if item not in have)


def _joint(ctx: Context, head: str) -> tuple[Actor, JointSession, list[int]]:
    """The session named by `head`, if the caller's school takes part; with its schools."""
    actor = ctx.require_member()
    number = parse_ref(head, "S")
    joint = ctx.session.get(JointSession, number)
    schools = _school_ids(ctx.session, number)
    if joint is None or joint.network_id != actor.network_id or actor.school_id not in schools:
        raise NotFound(f"I can't find a joint session S{number} that your school is part of.")
    return actor, joint, schools


def checklist(ctx: Context, args: str) -> Message:
    """`checklist S12`: the session's logistics, who has each item, with an Assign-to-me button for the rest."""
    _, joint, _ = _joint(ctx, args)
    rows = ctx.session.exec(
        select(ChecklistItem, Commitment, Member)
        .join(Commitment, col(Commitment.id) == ChecklistItem.commitment_id, isouter=True)
        .join(Member, col(Member.id) == Commitment.owner_id, isouter=True)
        .where(ChecklistItem.session_id == joint.id)
        .order_by(col(ChecklistItem.id))
    ).all()
    sections = tuple(
        Section(text=f"{item.item.capitalize()}: with {member.name} (C{c.id}, {c.status})")
        if c is not None and member is not None
        else Section(
            text=f"{item.item.capitalize()}: not assigned yet",
            actions=(Action(f"assign-{item.id}", "I'll do it", f"assign S{joint.id} {item.item} to me"),),
        )
        for item, c, member in rows
    )
    return Message(
        title=f"Checklist for S{joint.id}: {joint.title}",
        sections=sections,
        footer=f"`assign S{joint.id} <item> to <colleague or me> by <date>` makes an item a commitment.",
    )


def assign(ctx: Context, args: str) -> Message:
    """`assign S12 transport to <member or me> [by <date>]`: the checklist item becomes that person's commitment."""
    head, rest = split_ref(args)
    actor, joint, schools = _joint(ctx, head)
    found = _ASSIGN.match(rest)
    if not found:
        raise CommandError(f"Say `assign S{joint.id} transport to <colleague or me> by <date>`.")
    item = _item(ctx, joint, found.group("item"))
    owner = _assignee(ctx, actor, schools, found.group("who"))
    due = _due(ctx, joint, found.group("when"))
    commitment = Commitment(
        network_id=joint.network_id,
        from_school_id=owner.school_id,
        to_school_id=_receiver(ctx, joint, schools, owner.school_id),
        owner_id=owner.id or 0,
        what=f"{item.item.capitalize()} for {joint.title} (S{joint.id})",
        category="shared-services" if item.item == "transport" else "other",
        due_at=due,
        session_id=joint.id,
        created_by=actor.member_id,
        created_at=ctx.now,
    )
    ctx.session.add(commitment)
    ctx.session.flush()
    item.commitment_id = commitment.id
    ctx.session.add(item)
    ctx.log("assign", f"S{joint.id}", item=item.item, commitment=f"C{commitment.id}", owner=owner.name)
    commitments.after_change(ctx, commitment)
    return Message(
        title=f"{item.item.capitalize()} for S{joint.id} is now with {owner.name} (C{commitment.id}).",
        fields=(Field("Due", describe(due, ctx.timezone, ctx.now)),),
        actions=commitments.commitment_actions(f"C{commitment.id}"),
    )


def _item(ctx: Context, joint: JointSession, text: str) -> ChecklistItem:
    key = " ".join(text.lower().split())
    item = ctx.session.exec(
        select(ChecklistItem).where(ChecklistItem.session_id == joint.id, ChecklistItem.item == key)
    ).first()
    if item is None:
        raise NotFound(f"The checklist items are: {', '.join(CHECKLIST)}.")
    if item.commitment_id is not None:
        raise CommandError(
            f"{item.item.capitalize()} for S{joint.id} is already assigned: see `checklist S{joint.id}`."
        )
    return item


def _assignee(ctx: Context, actor: Actor, schools: list[int], who: str) -> Member:
    """`me`, or a colleague at one of the session's schools (searched the caller's school first)."""
    if name_key(who) == "me":
        return actor.member
    ordered = [actor.school_id, *(s for s in schools if s != actor.school_id)]
    for school_id in ordered:
        try:
            return find_member(ctx.session, school_id, who)
        except NotFound:
            continue
    raise NotFound(f"I can't find `{who.strip()[:60]}` at the schools in this session.")


def _receiver(ctx: Context, joint: JointSession, schools: list[int], giver: int) -> int:
    """Who the item is done for: the organising school, or (if the organiser's school does it) a guest school."""
    organiser = ctx.session.get(Member, joint.organiser_id)
    host = organiser.school_id if organiser else schools[0]
    return host if giver != host else next(s for s in schools if s != giver)


def _due(ctx: Context, joint: JointSession, when: str | None) -> datetime:
    if when:
        return parse_moment(when, ctx.now, ctx.timezone)
    ahead = datetime.combine((joint.starts_at - LEAD_TIME).astimezone(LONDON).date(), time(17, 0), LONDON)
    return ahead if ahead > ctx.now else joint.starts_at


def invitation(joint: JointSession, schools: list[str], now: datetime) -> str:
    """The session as an RFC 5545 calendar, in Europe/London with its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kept//Joint sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"kept-session-{joint.id}@kept")
    event.add("dtstamp", now)
    starts = joint.starts_at.astimezone(LONDON)
    event.add("dtstart", starts)
    event.add("dtend", starts + LENGTH)
    event.add("summary", joint.title)
    event.add("location", joint.venue)
    event.add("description", "Joint session with " + ", ".join(schools))
    calendar.add_component(event)
    year = starts.date()
    calendar.add_missing_timezones(first_date=year - timedelta(days=366), last_date=year + timedelta(days=366))
    return bytes(calendar.to_ical()).decode()


def _school_ids(session: Session, joint_id: int) -> list[int]:
    return sorted(session.exec(select(SessionSchool.school_id).where(SessionSchool.session_id == joint_id)))


def _attachment(session: Session, joint: JointSession, schools: list[int], now: datetime) -> Attachment:
    names = sorted(school_names(session, schools).values())
    return Attachment(f"kept-session-{joint.id}.ics", "text/calendar", invitation(joint, names, now))


def session_of(attachment: Attachment) -> int | None:
    """The joint session an attachment is the invitation for (None for any other file)."""
    found = _ICS_FILE.fullmatch(attachment.filename)
    return int(found.group(1)) if found else None


def ics_for(session: Session, joint_id: int, now: datetime) -> Attachment | None:
    """Session S<joint_id>'s .ics invitation, read fresh, for a signed download link; None if there is none.

    No one is checked here: whoever holds the signed link may have the file (the link is the permission).
    """
    joint = session.get(JointSession, joint_id)
    return None if joint is None else _attachment(session, joint, _school_ids(session, joint_id), now)


def ics(ctx: Context, args: str) -> Message:
    """`ics S12`: the session's calendar invitation as an .ics attachment."""
    _, joint, schools = _joint(ctx, args)
    when = describe(joint.starts_at, ctx.timezone, ctx.now)
    return Message(
        title=f"Calendar invitation for S{joint.id}: {joint.title}",
        fields=(Field("When", when), Field("Where", joint.venue)),
        attachments=(_attachment(ctx.session, joint, schools, ctx.now),),
    )


def impact(ctx: Context, args: str) -> Message:
    """`impact S12 <pupils> pupils, <staff> staff: <one line>`, by the organiser once the session has begun."""
    head, rest = split_ref(args)
    actor, joint, _ = _joint(ctx, head)
    if joint.organiser_id != actor.member_id:
        raise NotAllowed(f"Only the organiser of S{joint.id} records its impact.")
    if joint.starts_at > ctx.now:
        raise CommandError(f"S{joint.id} hasn't happened yet: record its impact afterwards.")
    found = _IMPACT.match(rest.strip())
    if not found:
        raise CommandError(f"Say `impact S{joint.id} 28 pupils, 3 staff: <one line of impact>`.")
    joint.pupils_reached, joint.staff_involved = int(found.group("pupils")), int(found.group("staff"))
    joint.impact = " ".join(found.group("line").split())[:500]
    joint.status = "held"
    ctx.session.add(joint)
    ctx.log("impact", f"S{joint.id}", pupils=joint.pupils_reached, staff=joint.staff_involved)
    return Message(
        title=f"Thank you: impact recorded for S{joint.id}.",
        fields=(
            Field("Pupils reached", str(joint.pupils_reached)),
            Field("Staff involved", str(joint.staff_involved)),
            Field("Impact", joint.impact),
        ),
        footer="It will appear in the termly report.",
    )
