"""School terms in England: when the current term ends, and the dates a term name like autumn-2026 covers.

A term ends the day before the next Christmas, Easter or summer holiday in the shared England calendar
(handlers/calendar.py); past that calendar's years, the usual rule (the last Friday before Christmas, the
Thursday before Easter, the last Friday on or before 22 July). Report ranges are contiguous, so every day of
the year falls in exactly one term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.calendar import ENGLAND_HOLIDAYS
from handlers.errors import CommandError

SEASONS = ("autumn", "spring", "summer")
TERM_BREAKS = ("Christmas holidays", "Easter holidays", "Summer holidays")
_NAME = re.compile(r"^\s*(autumn|spring|summer)[\s-]+(\d{4})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """A named term: `starts` and `ends` bound the report range; `last_day` is when teaching stops."""

    season: str
    year: int
    starts: date
    ends: date
    last_day: date

    @property
    def name(self) -> str:
        return f"{self.season}-{self.year}"

    @property
    def label(self) -> str:
        return f"{self.season.capitalize()} term {self.year}"


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def term(season: str, year: int) -> Term:
    """The term `season` of calendar year `year` (autumn-2026 is September to December 2026)."""
    easter = easter_sunday(year)
    if season == "autumn":
        christmas = _friday_on_or_before(date(year, 12, 20))
        return Term(season, year, date(year, 9, 1), date(year, 12, 31), christmas)
    if season == "spring":
        return Term(season, year, date(year, 1, 1), easter, easter - timedelta(days=3))
    if season == "summer":
        return Term(
            season,
            year,
            easter + timedelta(days=1),
            date(year, 8, 31),
            _friday_on_or_before(date(year, 7, 22)),
        )
    raise ValueError(season)


def term_of(day: date) -> Term:
    """The term `day` falls in (its report range)."""
    for season in SEASONS:
        candidate = term(season, day.year)
        if candidate.starts <= day <= candidate.ends:
            return candidate
    raise AssertionError(day)  # the three ranges cover the whole year


def term_end(day: date) -> date:
    """The last teaching day of the current term; once it has passed, the next term's (the default expiry)."""
    breaks = [s.starts_on for s in ENGLAND_HOLIDAYS if s.name in TERM_BREAKS and s.starts_on > day]
    if breaks:
        return min(breaks) - timedelta(days=1)
    current = term_of(day)
    if day <= current.last_day:
        return current.last_day
    following = term_of(current.ends + timedelta(days=1))
    return following.last_day


def term_named(name: str) -> Term:
    """`autumn-2026`, `Spring 2027`: the term, or a CommandError that shows the expected shape."""
    found = _NAME.match(name)
    if not found:
        raise CommandError(f"I couldn't read the term `{name[:40]}`. Try autumn-2026 or spring-2027.")
    return term(found.group(1).lower(), int(found.group(2)))
