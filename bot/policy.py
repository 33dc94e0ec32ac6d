"""Settings -> the plain reminder values handlers and the scheduler take (handlers never read Settings)."""

from __future__ import annotations

from datetime import time

from bot.config import Settings
from handlers.calendar import WorkingHours
from handlers.policy import ReminderPolicy, parse_offsets


def reminder_policy(settings: Settings) -> ReminderPolicy:
    """The reminder offsets and working hours from settings, as plain values for the handlers."""
    opens, closes = (time.fromisoformat(part) for part in settings.work_hours.split("-"))
    [lead_after] = parse_offsets(settings.lead_after)
    [impact_after] = parse_offsets(settings.impact_after)
    return ReminderPolicy(
        before_due=parse_offsets(settings.nudge_offsets),
        overdue=parse_offsets(settings.overdue_offsets),
        tell_lead_after=lead_after,
        before_session=parse_offsets(settings.session_offsets),
        impact_after=impact_after,
        hours=WorkingHours(start=opens, end=closes),
    )
