"""A joint session's calendar invitation: an RFC 5545 .ics file, offered in chat and through a signed link.

Written so every calendar reads it the same way:
- times are in Europe/London with a VTIMEZONE of yearly rules (RRULE, not one-off RDATEs, which ical.js and
  vobject misapply), or in UTC if those rules ever stop matching zoneinfo's for the session's dates;
- a live session has no METHOD (a plain calendar to add, which needs no ORGANIZER); a cancelled one is
  `METHOD:CANCEL` with its ORGANIZER and `STATUS:CANCELLED`, so a calendar that holds it takes it off;
- the UID is unique to this Kept (`kept-session-12@<KEPT_PUBLIC_URL's host>`) and SEQUENCE rises with every
  change, so a reschedule replaces the copy people already have;
- DTEND is the session's real end.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.context import Context
from handlers.joint_sessions.access import school_ids_of, taking_part
from handlers.joint_sessions.schedule import ends_at, session_time
from handlers.lookups import school_names
from handlers.messages import Attachment, Field, Message
from handlers.refs import ref
from storage.models import JointSession, Member, School

LONDON = ZoneInfo("Europe/London")
_ICS_FILE = re.compile(r"kept-session-(\d{1,9})\.ics")

# Europe/London since 1996 (EU summer time): clocks go forward at 01:00 UTC on the last Sunday of March and back
# at 01:00 UTC on the last Sunday of October.
LONDON_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19810329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19961027T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, 0, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _rules_hold(moment: datetime) -> bool:
    """Whether `moment` can be written as London local time: LONDON_VTIMEZONE's rules give zoneinfo's offset (they
    will, unless the law changes) and the local time is not the hour that happens twice in October."""
    summer = _last_sunday(moment.year, 3) <= moment < _last_sunday(moment.year, 10)
    local = moment.astimezone(LONDON)
    once = local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset()
    return once and local.utcoffset() == timedelta(hours=1 if summer else 0)


def deployment_host(public_url: str) -> str:
    """What makes UIDs unique to this Kept: KEPT_PUBLIC_URL's host and path (`kept.stadas.sch.uk`)."""
    parts = urlsplit(public_url)
    return (parts.netloc + parts.path.rstrip("/")).lower() or "kept.invalid"


def invitation(joint: JointSession, schools: list[str], organiser: str, now: datetime, public_url: str) -> str:
    """The session as an RFC 5545 calendar (see the module's docstring for how it is written)."""
    from icalendar import Calendar, Event, Timezone, vCalAddress  # only when someone asks for the file

    calendar = Calendar()
    calendar.add("prodid", "-//Kept//Joint sessions//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"kept-session-{joint.id}@{deployment_host(public_url)}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", joint.sequence)
    starts, ends = joint.starts_at, ends_at(joint)
    local = _rules_hold(starts) and _rules_hold(ends)
    event.add("dtstart", starts.astimezone(LONDON if local else UTC))
    event.add("dtend", ends.astimezone(LONDON if local else UTC))
    event.add("summary", joint.title)
    event.add("location", joint.venue)
    event.add("description", "Joint session with " + ", ".join(schools))
    if joint.status == "cancelled":
        calendar.add("method", "CANCEL")
        event.add("status", "CANCELLED")
        event.add("organizer", vCalAddress(public_url.rstrip("/") + "/"), parameters={"CN": organiser})
    else:
        event.add("status", "CONFIRMED")
    if local:
        calendar.add_component(Timezone.from_ical(LONDON_VTIMEZONE))
    calendar.add_component(event)
    return bytes(calendar.to_ical()).decode()


def _organiser(session: Session, joint: JointSession) -> str:
    member = session.get(Member, joint.organiser_id)
    school = session.get(School, member.school_id) if member else None
    if member is None or member.erased or school is None:
        return "Kept"
    return f"{member.name}, {school.name}"


def _attachment(
    session: Session, joint: JointSession, schools: list[int], now: datetime, public_url: str
) -> Attachment:
    names = sorted(school_names(session, schools).values())
    content = invitation(joint, names, _organiser(session, joint), now, public_url)
    return Attachment(f"kept-session-{joint.id}.ics", "text/calendar", content)


def session_of(attachment: Attachment) -> int | None:
    """The joint session an attachment is the invitation for (None for any other file)."""
    found = _ICS_FILE.fullmatch(attachment.filename)
    return int(found.group(1)) if found else None


def ics_for(session: Session, joint_id: int, now: datetime, public_url: str) -> Attachment | None:
    """Session S<joint_id>'s .ics invitation, read fresh, for a signed download link; None if there is none.

    No one is checked here: whoever holds the signed link may have the file (the link is the permission).
    """
    joint = session.get(JointSession, joint_id)
    if joint is None:
        return None
    return _attachment(session, joint, school_ids_of(session, joint_id), now, public_url)


def ics(ctx: Context, args: str) -> Message:
    """`ics S12`: the session's calendar invitation as an .ics attachment (a cancelled one takes it off)."""
    _, joint, schools = taking_part(ctx, args)
    cancelled = joint.status == "cancelled"
    return Message(
        title=f"{joint.title}: the calendar invitation" + (", called off" if cancelled else "") + f" ({ref(joint)})",
        fields=(Field("When", session_time(ctx, joint)), Field("Where", joint.venue)),
        attachments=(_attachment(ctx.session, joint, schools, ctx.now, ctx.public_url),),
        footer="Opening it takes the session off your calendar." if cancelled else "",
    )
