"""What the planned reminders say when they are sent: nudges, follow-ups and the note to a lead for a commitment;
reminders and the impact ask for a joint session. Each returns None when its reason has gone (done, moved,
cancelled), so a message is never sent that is no longer true.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.dates import describe, describe_date
from handlers.messages import Action, Field, Message
from handlers.outbound.kinds import ESCALATION, IMPACT_ASK, OVERDUE
from handlers.phrases import gist, sentence
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


_OVERDUE_HINT = "If it's done, tell me; if it needs longer, snooze it; or release it with a word."


def commitment_reminder(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> Message | None:
    """A nudge before the due date, a follow-up after it, or the note to the owner's lead: the promise first, in
    its owner's words, then when, then its ref. Whether it is still true was checked before (outbound/kinds.py)."""
    commitment = session.get(Commitment, row.subject_id) if row.subject_id else None
    if commitment is None:
        return None
    reference = ref(commitment)
    school = session.get(School, commitment.to_school_id)
    what, fields = sentence(gist(commitment.what)), (Field("For", school.name if school else "a partner school"),)
    text = commitment.what if len(commitment.what) > len(what) else ""
    if row.kind == ESCALATION:
        owner = session.get(Member, commitment.owner_id)
        who = owner.name if owner and not owner.erased else "A colleague"
        return Message(
            title=f"{what}: a week past its date ({reference})",
            text=_lines(text, f"{who} may just need a hand, or a new date. A friendly word could help."),
            fields=fields,
        )
    due, today = commitment.due_at.astimezone(zone).date(), now.astimezone(zone).date()
    if row.kind == OVERDUE or due < today:
        title, text = f"{what}: was due {describe_date(due)} ({reference})", _lines(text, _OVERDUE_HINT)
    elif due == today:
        title = f"{what}: due today, {commitment.due_at.astimezone(zone):%H:%M} ({reference})"
    else:
        title = f"{what}: due {describe_date(due)} ({reference})"
    return Message(title=title, text=text, fields=fields, actions=nudge_actions(reference))


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


_LOGISTICS = "Transport, consent forms, the venue and staffing: is everything in hand?"
_IMPACT_ASK = (
    "When you have a moment, tell us the pupils reached, the staff involved and one line about it, "
    "e.g. `impact {ref} 28 pupils, 3 staff: the Year 6s loved the rockets`. It goes into the partnership's "
    "record and the termly review."
)


def joint_session_reminder(session: Session, row: Notification, now: datetime, zone: ZoneInfo) -> Message | None:
    """A reminder before a joint session (the first checks logistics, with the checklist a press away), or the
    impact ask after it."""
    joint = session.get(JointSession, row.subject_id) if row.subject_id else None
    if joint is None:
        return None
    reference = ref(joint)
    when = describe(joint.starts_at, zone, now)
    if row.kind == IMPACT_ASK:
        return Message(title=f"How did {joint.title} go? ({reference})", text=_IMPACT_ASK.format(ref=reference))
    if row.payload.get("logistics"):
        return Message(
            title=f"{joint.title}: {when} ({reference})",
            text=_LOGISTICS,
            fields=(Field("Where", joint.venue),),
            actions=(Action("checklist", "See the checklist", f"checklist {reference}", "primary"),),
        )
    return Message(
        title=f"{joint.title}: {when} ({reference})",
        text="Looking forward to it.",
        fields=(Field("Where", joint.venue),),
    )
