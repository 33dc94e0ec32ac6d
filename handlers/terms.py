"""School terms: each UK nation's typical school year, worked out by rule for any year, and the term names reports use.

A school that has loaded its own term dates (handlers/calendar.py) uses those; the typical year is what a school
without them falls back to, so no day ever silently becomes a working day. The rules follow what most local
authorities publish (England and Wales: early September to about 21 July with three half terms, Wales with a
fortnight in October; Scotland: mid-August to late June; Northern Ireland: 1 September to 30 June). They are
estimates, and `calendar` says so to a lead.

Report ranges (autumn-2026 and so on) are contiguous, so every day of the year falls in exactly one term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from handlers.errors import CommandError

SEASONS = ("autumn", "spring", "summer")
_NAME = re.compile(r"^\s*(autumn|spring|summer)[\s-]+(\d{4})\s*$", re.IGNORECASE)

NATIONS = {"england": "England", "wales": "Wales", "scotland": "Scotland", "northern ireland": "Northern Ireland"}
DEFAULT_NATION = "england"
FIRST_YEAR, LAST_YEAR = 1990, 9990  # typical years are worked out only inside these, so date arithmetic never overflows


@dataclass(frozen=True)
class Span:
    """A named run of days (a term, a half term, a holiday, an INSET day), inclusive of both dates."""

    name: str
    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class SchoolYear:
    """Term dates as data: terms, and the days off inside them (half terms, INSET days), between `first` and `last`.

    Every day from `first` to `last` outside a term is a holiday.
    """

    name: str
    terms: tuple[Span, ...]
    breaks: tuple[Span, ...]
    first: date
    last: date
    estimated: bool = False

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


def _weekday_on_or_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def _weekday_on_or_before(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _week_off(name: str, monday: date, weeks: int = 1, weekdays: int = 5) -> Span:
    """A break from the Saturday before `monday`, through `weekdays` days of its last week, to the weekend after."""
    last = monday + timedelta(weeks=weeks - 1, days=weekdays - 1)
    return Span(name, monday - timedelta(days=2), last + timedelta(days=(6 - last.weekday()) if weekdays == 5 else 0))


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


def _autumn_start(nation: str, year: int) -> date:
    if nation == "scotland":
        return _weekday_on_or_after(date(year, 8, 18))
    if nation == "northern ireland":
        return _weekday_on_or_after(date(year, 9, 1))
    return _weekday_on_or_after(date(year, 9, 2))


def _spring_start(year: int) -> date:
    """About 5 January: a Thursday or Friday gives way to the Monday before, and New Year's days are skipped."""
    day = _weekday_on_or_after(date(year, 1, 5))
    if day.weekday() >= 3:
        day = _monday_on_or_before(day)
    while day.weekday() >= 5 or (day.month, day.day) in ((1, 1), (1, 2)) or day == _new_year_observed(year):
        day += timedelta(days=1)
    return day


def _new_year_observed(year: int) -> date:
    new_year = date(year, 1, 1)
    return new_year if new_year.weekday() < 5 else _monday_on_or_after(new_year)


def _easter_fortnight(year: int) -> tuple[date, date]:
    """The Easter holidays: the Monday of Holy Week to the Friday after Easter."""
    easter = easter_sunday(year)
    return easter - timedelta(days=6), easter + timedelta(days=5)


def _summer_end(nation: str, year: int) -> date:
    if nation == "scotland":
        return _friday_on_or_before(date(year, 6, 30))
    if nation == "northern ireland":
        return _weekday_on_or_before(date(year, 6, 30))
    return _weekday_on_or_before(date(year, 7, 21))


def _half_terms(nation: str, year: int) -> tuple[Span, ...]:
    """The breaks inside the terms of the school year that starts in the autumn of `year`."""
    if nation == "scotland":
        return (
            _week_off("October holiday", _monday_on_or_before(date(year, 10, 16))),
            _week_off("February mid-term break", _monday_on_or_after(date(year + 1, 2, 9)), weekdays=2),
        )
    if nation == "northern ireland":
        return (
            _week_off("Halloween break", _monday_on_or_before(date(year, 10, 31))),
            _week_off("February mid-term break", _monday_on_or_after(date(year + 1, 2, 14))),
        )
    october = _monday_on_or_before(date(year, 10, 27))
    return (
        _week_off("October half term", october, weeks=2 if nation == "wales" else 1),
        _week_off("February half term", _monday_on_or_after(date(year + 1, 2, 14))),
        _week_off("May half term", _monday_on_or_before(date(year + 1, 5, 31))),
    )


@lru_cache(maxsize=256)
def typical_year(nation: str, year: int) -> SchoolYear:
    """The typical school year of `nation` that starts in the autumn of `year`, up to the day before the next."""
    nation = nation if nation in NATIONS else DEFAULT_NATION
    easter_starts, easter_ends = _easter_fortnight(year + 1)
    terms = (
        Span("Autumn term", _autumn_start(nation, year), _friday_on_or_before(date(year, 12, 21))),
        Span("Spring term", _spring_start(year + 1), easter_starts - timedelta(days=3)),
        Span("Summer term", _weekday_on_or_after(easter_ends + timedelta(days=3)), _summer_end(nation, year + 1)),
    )
    following = _autumn_start(nation, year + 1) - timedelta(days=1)
    name = f"{NATIONS[nation]}'s typical term dates"
    return SchoolYear(name, terms, _half_terms(nation, year), terms[0].starts_on, following, estimated=True)


def typical_year_of(nation: str, day: date) -> SchoolYear:
    """The typical school year that `day` falls in (its terms, or the summer holidays after them)."""
    year = min(max(day.year, FIRST_YEAR), LAST_YEAR)
    found = typical_year(nation, year)
    return found if day >= found.first or year == FIRST_YEAR else typical_year(nation, year - 1)


@dataclass(frozen=True)
class Term:
    """A named term for reports: `starts` and `ends` bound the report range; `last_day` is when teaching stops."""

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


def term(season: str, year: int) -> Term:
    """The report term `season` of calendar year `year` (autumn-2026 is September to December 2026)."""
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
    """The report term `day` falls in."""
    for season in SEASONS:
        candidate = term(season, day.year)
        if candidate.starts <= day <= candidate.ends:
            return candidate
    raise AssertionError(day)  # the three ranges cover the whole year


def term_named(name: str) -> Term:
    """`autumn-2026`, `Spring 2027`: the term, or a CommandError that shows the expected shape."""
    found = _NAME.match(name)
    if not found:
        raise CommandError(f"I couldn't read the term `{name[:40]}`. Try autumn-2026 or spring-2027.")
    return term(found.group(1).lower(), int(found.group(2)))
