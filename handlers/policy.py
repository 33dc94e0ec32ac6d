"""When reminders fall, as plain values: offsets from a due moment, and the policy `bot/` builds from Settings.

Handlers never read Settings; the composition root turns KEPT_NUDGE_OFFSETS and friends into a ReminderPolicy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta

from handlers.calendar import WORKING_HOURS, WorkingHours

_SPAN = re.compile(r"^\s*(\d{1,4})\s*(m|min|h|d|w)\s*$")
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def compact_span(text: str) -> tuple[int, str] | None:
    """`2d`, `3h`, `30m`, `1w` (`min` for minutes too) -> (2, "d"); None for anything else. The one short
    grammar for lengths of time that operators type (reminder offsets) and `kept chat` takes (`:advance 3d`)."""
    found = _SPAN.match(text)
    if not found:
        return None
    unit = found.group(2)
    return int(found.group(1)), "m" if unit == "min" else unit


def span(text: str) -> timedelta | None:
    """`3d` -> three days, exactly; None if `text` is not a compact span."""
    found = compact_span(text)
    return _UNIT[found[1]] * found[0] if found else None


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
        return _UNIT[self.unit] * self.amount


def parse_offsets(text: str) -> tuple[Offset, ...]:
    """`"2d, 0d"` -> (Offset(2, 'd'), Offset(0, 'd')). Raises ValueError naming the part it could not read."""
    offsets = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = compact_span(part)
        if found is None or found[1] == "w":
            raise ValueError(f"reminder offset {part!r} should look like 2d, 3h or 30m")
        offsets.append(Offset(*found))
    return tuple(offsets)


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders fall (bot/wiring.py builds one from Settings)."""

    before_due: tuple[Offset, ...] = (Offset(2), Offset(0))
    overdue: tuple[Offset, ...] = (Offset(1), Offset(6))
    tell_lead_after: Offset = Offset(7)
    before_session: tuple[Offset, ...] = (Offset(7), Offset(1), Offset(2, "h"))
    impact_after: Offset = Offset(1)
    morning: time = time(9, 0)
    hours: WorkingHours = field(default=WORKING_HOURS)


DEFAULT_POLICY = ReminderPolicy()
