"""Humane times: working hours in the reader's zone, working days, and the school year each school lives by.

A school's calendar is layered: its own term dates where a lead has loaded them, else its network's, else its
nation's typical year (handlers/terms.py), which never runs out. Bank holidays come from the `holidays` library
for the school's nation, whatever the layer says. Local times are combined with zoneinfo, so a reminder planned
for 09:00 is 09:00 on both sides of a BST/GMT change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers.bank_holidays import bank_holidays
from handlers.terms import DEFAULT_NATION, NATIONS, SchoolYear, Span, typical_year_of
from storage.models import CalendarSpan, School, SchoolCalendar

__all__ = ["Span", "SchoolYear", "Calendar"]

DAY = timedelta(days=1)
EDGE = date(9990, 1, 1)  # working-day arithmetic stops here rather than overflow near date.max


@dataclass(frozen=True)
class WorkingHours:
    """When Kept may speak: `start` to `end` on `days` (0 is Monday), outside holidays."""

    start: time = time(8, 0)
    end: time = time(18, 0)
    days: frozenset[int] = frozenset(range(5))


WORKING_HOURS = WorkingHours()


@dataclass(frozen=True)
class Calendar:
    """The school year a school lives by: its own loaded years (school's, then network's) over its nation's."""

    own: tuple[SchoolYear, ...] = ()
    nation: str = DEFAULT_NATION
    typical: bool = True  # False only for tests and demos that want every weekday to be a working day

    def year_on(self, day: date) -> SchoolYear | None:
        """The layer that decides `day`: the first loaded year that covers it, else the nation's typical one."""
        found = next((year for year in self.own if year.covers(day)), None)
        if found is None and self.typical:
            return typical_year_of(self.nation, day)
        return found

    def holiday_on(self, day: date) -> Span | None:
        """The holiday, half term or INSET day `day` falls in, else the bank holiday it is, if any."""
        year = self.year_on(day)
        school_holiday = None if year is None else _day_off(year, day)
        bank = bank_holidays(self.nation, day.year).get(day)
        return school_holiday or (Span(bank, day, day) if bank else None)

    def terms_from(self, day: date) -> Iterator[Span]:
        """Every term that ends on or after `day`, in order (the current one first), across the layers."""
        while day < EDGE:
            year = self.year_on(day)
            if year is None:
                return
            ahead = sorted((t for t in year.terms if t.ends_on >= day), key=lambda t: t.starts_on)
            if not ahead:
                day = year.last + DAY
                continue
            yield ahead[0]
            day = ahead[0].ends_on + DAY

    def half_terms_from(self, day: date) -> Iterator[Span]:
        """The half terms (breaks of three weekdays or more inside a term, or named so) that start after `day`."""
        for term in self.terms_from(day):
            year = self.year_on(term.starts_on)
            breaks = year.breaks if year else ()
            yield from sorted(
                (b for b in breaks if term.covers(b.starts_on) and b.starts_on > day and _is_half_term(b)),
                key=lambda b: b.starts_on,
            )

    @property
    def loaded_until(self) -> date | None:
        """The last day the loaded term dates cover (None when the school uses its nation's typical year)."""
        return max((year.last for year in self.own), default=None)

    @property
    def label(self) -> str:
        if self.own:
            return self.own[0].name
        return f"{NATIONS.get(self.nation, 'England')}'s typical term dates (an estimate)"


def _is_half_term(span: Span) -> bool:
    name = span.name.lower()
    named = any(word in name for word in ("half term", "half-term", "mid-term", "midterm", "october", "halloween"))
    days = (span.starts_on + n * DAY for n in range((span.ends_on - span.starts_on).days + 1))
    weekdays = sum(1 for day in days if day.weekday() < 5)
    return named or weekdays >= 3


def _day_off(year: SchoolYear, day: date) -> Span | None:
    term = next((t for t in year.terms if t.covers(day)), None)
    if term is not None:
        return next((b for b in year.breaks if b.covers(day)), None)
    before = max((t.ends_on for t in year.terms if t.ends_on < day), default=year.first - DAY)
    after = min((t.starts_on for t in year.terms if t.starts_on > day), default=year.last + DAY)
    return Span(_holiday_name(before + DAY, after - DAY), before + DAY, after - DAY)


def _holiday_name(starts: date, ends: date) -> str:
    months = {(starts + n * DAY).month for n in range(min((ends - starts).days + 1, 70))}
    if 12 in months or (1 in months and 7 not in months):
        return "Christmas holidays"
    if months & {3, 4} and not months & {7, 8}:
        return "Easter holidays"
    if months & {7, 8}:
        return "Summer holidays"
    return "school holidays"


DEFAULT_CALENDAR = Calendar()
OPEN_ALL_YEAR = Calendar(typical=False, nation="")  # every weekday a working day: for tests that need no holidays


def term_end(day: date, calendar: Calendar = DEFAULT_CALENDAR) -> date:
    """The last day of the current term; in a holiday, of the coming one (an offer's default end date)."""
    term = next(calendar.terms_from(day), None)
    return term.ends_on if term else day + timedelta(weeks=12)


def calendar_for(session: Session, school_id: int | None) -> Calendar:
    """The calendar a school lives by: its own loaded term dates, its network's, then its nation's typical year."""
    school = session.get(School, school_id) if school_id is not None else None
    if school is None:
        return DEFAULT_CALENDAR
    rows = session.exec(
        select(SchoolCalendar).where(
            SchoolCalendar.network_id == school.network_id,
            col(SchoolCalendar.school_id).is_(None) | (col(SchoolCalendar.school_id) == school.id),
            col(SchoolCalendar.last_day).is_not(None),
        )
    ).all()
    ordered = sorted(rows, key=lambda row: row.school_id is None)  # the school's own first, then the network's
    return Calendar(tuple(school_year(session, row) for row in ordered), school.nation or DEFAULT_NATION)


def school_year(session: Session, row: SchoolCalendar) -> SchoolYear:
    """A loaded calendar's rows as a SchoolYear."""
    spans = session.exec(select(CalendarSpan).where(CalendarSpan.calendar_id == row.id)).all()
    terms = tuple(Span(s.name, s.starts_on, s.ends_on) for s in spans if s.kind == "term")
    breaks = tuple(Span(s.name, s.starts_on, s.ends_on) for s in spans if s.kind != "term")
    first = min((s.starts_on for s in spans), default=row.last_day or date.min)
    return SchoolYear(row.name, terms, breaks, first, row.last_day or first)


def holiday_on(day: date, calendar: Calendar) -> Span | None:
    """The holiday `day` falls in, if any (for the gentle warning when a due date lands in one)."""
    return calendar.holiday_on(day)


def is_working_day(day: date, calendar: Calendar, hours: WorkingHours = WORKING_HOURS) -> bool:
    return day.weekday() in hours.days and calendar.holiday_on(day) is None


def add_working_days(day: date, count: int, calendar: Calendar, hours: WorkingHours = WORKING_HOURS) -> date:
    """The working day `count` working days after `day` (before it, if negative). Zero means `day` itself.

    Never overflows: near the end of the calendar (year 9990) the walk stops where it is.
    """
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    for _ in range(3660):
        if remaining == 0 or not date(1, 2, 1) < day < EDGE:
            return day
        day += step
        if is_working_day(day, calendar, hours):
            remaining -= 1
    raise ValueError("no working days within ten years")


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` o'clock on `day` in `zone`, as aware UTC (zoneinfo picks the right offset for that date)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_allowed(moment: datetime, zone: ZoneInfo, calendar: Calendar, hours: WorkingHours = WORKING_HOURS) -> datetime:
    """`moment` itself if it is within working hours on a working day in `zone`, else the next such start.

    Never overflows: a moment at the very end of the calendar (year 9990 on) is allowed as it is.
    """
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(3660):
        if day >= EDGE:
            return moment
        if is_working_day(day, calendar, hours):
            opens, closes = local_moment(day, hours.start, zone), _closing(day, hours, zone)
            if moment < opens:
                return opens
            if moment < closes:
                return moment
        day += DAY
    raise ValueError("no working time within ten years")


def _closing(day: date, hours: WorkingHours, zone: ZoneInfo) -> datetime:
    if hours.end == time(0, 0):  # "until midnight"
        return local_moment(day + DAY, time(0, 0), zone)
    return local_moment(day, hours.end, zone)


def zone_named(name: str | None, fallback: str = "Europe/London") -> ZoneInfo:
    """A ZoneInfo for `name`, or `fallback` when it is empty or unknown."""
    try:
        return ZoneInfo(name or fallback)
    except (KeyError, ValueError):
        return ZoneInfo(fallback)
