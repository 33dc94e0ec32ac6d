"""Humane times: working hours in the reader's zone, working days, and school holidays (England by default).

A school with Holiday rows of its own uses those instead of the default calendar. Local times are combined
with zoneinfo, so a reminder planned for 09:00 is 09:00 on both sides of a BST/GMT change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from storage.models import Holiday


@dataclass(frozen=True)
class Span:
    """A named holiday, inclusive of both dates."""

    name: str
    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class WorkingHours:
    """When Kept may speak: `start` to `end` on `days` (0 is Monday), outside holidays."""

    start: time = time(8, 0)
    end: time = time(18, 0)
    days: frozenset[int] = frozenset(range(5))


WORKING_HOURS = WorkingHours()


def _span(name: str, starts: str, ends: str) -> Span:
    return Span(name, date.fromisoformat(starts), date.fromisoformat(ends))


# A typical England calendar (most local authorities), with the in-term May Day bank holidays.
# Schools whose dates differ replace it with their own Holiday rows.
ENGLAND_HOLIDAYS: tuple[Span, ...] = (
    _span("Christmas holidays", "2024-12-21", "2025-01-05"),
    _span("February half term", "2025-02-15", "2025-02-23"),
    _span("Easter holidays", "2025-04-05", "2025-04-21"),
    _span("May Day bank holiday", "2025-05-05", "2025-05-05"),
    _span("May half term", "2025-05-24", "2025-06-01"),
    _span("Summer holidays", "2025-07-23", "2025-09-02"),
    _span("October half term", "2025-10-25", "2025-11-02"),
    _span("Christmas holidays", "2025-12-20", "2026-01-04"),
    _span("February half term", "2026-02-14", "2026-02-22"),
    _span("Easter holidays", "2026-03-28", "2026-04-12"),
    _span("May Day bank holiday", "2026-05-04", "2026-05-04"),
    _span("May half term", "2026-05-23", "2026-05-31"),
    _span("Summer holidays", "2026-07-22", "2026-09-01"),
    _span("October half term", "2026-10-24", "2026-11-01"),
    _span("Christmas holidays", "2026-12-19", "2027-01-04"),
    _span("February half term", "2027-02-13", "2027-02-21"),
    _span("Easter holidays", "2027-03-26", "2027-04-11"),
    _span("May Day bank holiday", "2027-05-03", "2027-05-03"),
    _span("May half term", "2027-05-29", "2027-06-06"),
    _span("Summer holidays", "2027-07-22", "2027-09-01"),
    _span("October half term", "2027-10-23", "2027-10-31"),
    _span("Christmas holidays", "2027-12-18", "2028-01-03"),
    _span("February half term", "2028-02-12", "2028-02-20"),
    _span("Easter holidays", "2028-04-08", "2028-04-23"),
    _span("May Day bank holiday", "2028-05-01", "2028-05-01"),
    _span("May half term", "2028-05-27", "2028-06-04"),
    _span("Summer holidays", "2028-07-21", "2028-09-03"),
    _span("October half term", "2028-10-21", "2028-10-29"),
    _span("Christmas holidays", "2028-12-16", "2029-01-01"),
)


def school_holidays(session: Session, school_id: int | None) -> tuple[Span, ...]:
    """A school's own holidays if it has entered any, else the default England calendar."""
    if school_id is None:
        return ENGLAND_HOLIDAYS
    rows = session.exec(select(Holiday).where(Holiday.school_id == school_id)).all()
    if not rows:
        return ENGLAND_HOLIDAYS
    return tuple(Span(row.name, row.starts_on, row.ends_on) for row in rows)


def holiday_on(day: date, holidays: tuple[Span, ...]) -> Span | None:
    """The holiday `day` falls in, if any (for the gentle warning when a due date lands in one)."""
    return next((span for span in holidays if span.covers(day)), None)


def is_working_day(day: date, holidays: tuple[Span, ...], hours: WorkingHours = WORKING_HOURS) -> bool:
    return day.weekday() in hours.days and holiday_on(day, holidays) is None


def add_working_days(day: date, count: int, holidays: tuple[Span, ...], hours: WorkingHours = WORKING_HOURS) -> date:
    """The working day `count` working days after `day` (before it, if negative). Zero means `day` itself."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    for _ in range(3660):
        if remaining == 0:
            return day
        day += step
        if is_working_day(day, holidays, hours):
            remaining -= 1
    raise ValueError("no working days within ten years")


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` o'clock on `day` in `zone`, as aware UTC (zoneinfo picks the right offset for that date)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_allowed(
    moment: datetime, zone: ZoneInfo, holidays: tuple[Span, ...], hours: WorkingHours = WORKING_HOURS
) -> datetime:
    """`moment` itself if it is within working hours on a working day in `zone`, else the next such start."""
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(3660):
        if is_working_day(day, holidays, hours):
            opens, closes = local_moment(day, hours.start, zone), _closing(day, hours, zone)
            if moment < opens:
                return opens
            if moment < closes:
                return moment
        day += timedelta(days=1)
    raise ValueError("no working time within ten years")


def _closing(day: date, hours: WorkingHours, zone: ZoneInfo) -> datetime:
    if hours.end == time(0, 0):  # "until midnight"
        return local_moment(day + timedelta(days=1), time(0, 0), zone)
    return local_moment(day, hours.end, zone)


def zone_named(name: str | None, fallback: str = "Europe/London") -> ZoneInfo:
    """A ZoneInfo for `name`, or `fallback` when it is empty or unknown."""
    try:
        return ZoneInfo(name or fallback)
    except (KeyError, ValueError):
        return ZoneInfo(fallback)
