"""A joint session's calendar invitation: an RFC 5545 .ics file, offered in chat and through a signed link.

The invitation is in Europe/London with its VTIMEZONE, so calendars show the right local time on either side
of a clock change.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlmodel import Session

from handlers.context import Context
from handlers.dates import describe
from handlers.joint_sessions.access import school_ids_of, taking_part
from handlers.lookups import school_names
from handlers.messages import Attachment, Field, Message
from handlers.refs import ref
from storage.models import JointSession

LONDON = ZoneInfo("Europe/London")
LENGTH = timedelta(hours=2)
_ICS_FILE = re.compile(r"kept-session-(\d{1,9})\.ics")


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
    return None if joint is None else _attachment(session, joint, school_ids_of(session, joint_id), now)


def ics(ctx: Context, args: str) -> Message:
    """`ics S12`: the session's calendar invitation as an .ics attachment."""
    _, joint, schools = taking_part(ctx, args)
    when = describe(joint.starts_at, ctx.timezone, ctx.now)
    return Message(
        title=f"{joint.title}: the calendar invitation ({ref(joint)})",
        fields=(Field("When", when), Field("Where", joint.venue)),
        attachments=(_attachment(ctx.session, joint, schools, ctx.now),),
    )
