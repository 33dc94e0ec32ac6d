"""What the planned reminders say when they are sent: nudges, follow-ups and the note to a lead for a commitment;
reminders and the impact ask for a joint session. Each returns None when its reason has gone (done, moved,
cancelled), so a message is never sent that is no longer true.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.dates import describe, describe_day
from handlers.messages import Action, Field, Message
from handlers.outbound.plan import ESCALATION, IMPACT_ASK, OVERDUE, stamp
from handlers.refs import ref
from storage.models import Commitment, JointSession, Member, Notification, School


def nudge_actions(reference: str) -> tuple[Action, ...]:
    """Every nudge carries these, most useful first: the first three are in view, the rest in an overflow menu
    (Done, Snooze a week, Need help; then Snooze a day, Pick a date, Release)."""
    return (
        Action("done", "Done", f"done {reference}", "primary"),
        Action("snooze_week", "Snooze a week", f"snooze {reference} 1 week"),
        Action("help_needed", "Need help", f"help-needed {reference}"),
        Action("snooze_day", "Snooze a day", f"snooze {reference} 1 day"),
        Action("snooze_pick", "Pick a date", f"snooze {reference}"),
        Action("release", "Release", f"release {reference}", "danger"),
    )


def _planned_for(key: str, moment: datetime) -> bool:
    """True if the key was planned for this due moment (the commitment or session has not moved since)."""
    return f":{stamp(moment)}:" in key


_OVERDUE_HINT = "If it's done, tell me; if it needs longer, snooze it; or release it with a word."


def commitment_reminder(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> Message | None:
    """A nudge before the due date, a follow-up after it, or the note to the owner's lead."""
    commitment = session.get(Commitment, row.subject_id) if row.subject_id else None
    if commitment is None or commitment.status != "open" or not _planned_for(row.dedupe_key, commitment.due_at):
        return None
    reference = ref(commitment)
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


def joint_session_reminder(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> Message | None:
    """A reminder before a joint session (the first checks logistics), or the impact ask after it."""
    joint = session.get(JointSession, row.subject_id) if row.subject_id else None
    if joint is None or joint.status == "cancelled" or not _planned_for(row.dedupe_key, joint.starts_at):
        return None
    reference = ref(joint)
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
