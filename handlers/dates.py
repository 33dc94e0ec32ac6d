"""Reading dates as teachers say them, in commands and forms alike, day-first, in the reader's zone.

One parser for every date Kept reads. It understands, besides `12/03` (12 March), `12/03/2027`, `3 June`,
`2026-12-04`, `today` and `tomorrow`:

- the school year, from the school's own calendar (handlers/calendar.py): `end of term`, `end of next term`,
  `next term` and `start of next term` (the first day of the first term that starts after today), `half term`
  (the last school day before the next half term), `after half term`, `end of the year` (the end of the summer
  term), `end of the spring term`, `Christmas` and `Easter` (the end of the term before them);
- weeks: `Friday` and `this Friday` are the coming Friday (today, if it is Friday); `next Friday` is the Friday
  of next week, the week that starts next Monday; `Monday week` and `a week on Monday` are a week after the coming
  Monday; `a week today`, `in a fortnight`, `in 3 days`, `in two weeks`, `end of the week`, `end of the month`;
- times: `3pm`, `3:30pm`, `15:30`, `15.30`, `noon`. A day with no time gets the caller's default (17:00 for a
  due date, 09:00 for a session or a `start of` phrase); a time alone is today's, or tomorrow's once it has gone.

Dates already past, or more than three years ahead, are refused kindly, and nothing changes.
"""

from __future__ import annotations

import calendar as months
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.calendar import DEFAULT_CALENDAR, Calendar, Span, calendar_for, is_working_day
from handlers.context import Context
from handlers.errors import BadDate

END_OF_DAY = time(17, 0)  # "by Friday" means by the end of the school day
START_OF_DAY = time(9, 0)
HORIZON_YEARS = 3
DATE_HINT = "e.g. Friday, 12/03, end of term or Monday week"  # for forms: they take the same words
EXAMPLES = "Try `Friday`, `12/03` (12 March), `end of term`, `Monday week` or `tomorrow 3pm`."

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_MONTH_NAMES = (
    {name.lower(): n for n, name in enumerate(months.month_name) if n}
    | {name.lower(): n for n, name in enumerate(months.month_abbr) if n}
    | {"sept": 9}
)
_MONTHS = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_NUMBER = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight)"

_TWELVE_HOUR = re.compile(r"(?:\bat\s+)?\b(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?m\.?(?![a-z])")
_TWENTY_FOUR = re.compile(r"(?:\bat\s+)?(?<![\d/.-])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d./-])")
_NOON = re.compile(r"(?:\bat\s+)?\b(noon|midday)\b")
_LEADING = re.compile(r"^(?:by|on|before|for|until|till|til)\s+")
_DURATION = re.compile(r"^(?:in\s+)?(" + _NUMBER + r")\s*(d|days?|w|wks?|weeks?|fortnights?)(?:'?s?\s+time)?$")


@dataclass(frozen=True)
class Reading:
    """What a phrase says: a day, and the time it implies when none was given (None: the caller's default)."""

    day: date
    implied_time: time | None = None


Phrase = Callable[[re.Match[str], date, Calendar], Reading]


# ---------------------------------------------------------------------------------------------- the entry points


def parse_moment(
    text: str,
    now: datetime,
    zone: ZoneInfo,
    default_time: time = END_OF_DAY,
    calendar: Calendar = DEFAULT_CALENDAR,
) -> datetime:
    """An aware UTC moment from what someone typed. A day with no time gets `default_time`.

    Raises BadDate, with the text quoted back, when it can't be read, is already past or is beyond the horizon.
    """
    moment = _read(text, now.astimezone(zone), zone, default_time, calendar)
    if moment <= now:
        raise BadDate(f"{describe(moment, zone, now)} has already passed. Please pick a later date.")
    return moment.astimezone(UTC)


def parse_day(text: str, now: datetime, zone: ZoneInfo, calendar: Calendar = DEFAULT_CALENDAR) -> date:
    """A day, today or later, from what someone typed: for an end date or a review date in a form."""
    local_now = now.astimezone(zone)
    day = _read(text, local_now, zone, time(0, 0), calendar).date()
    if day < local_now.date():
        raise BadDate(f"{describe_date(day, with_year=True)} has already passed. Please pick a later date.")
    return day


def _read(text: str, local_now: datetime, zone: ZoneInfo, default_time: time, calendar: Calendar) -> datetime:
    cleaned = _clean(text)
    if not cleaned:
        raise BadDate("I need a date, such as `Friday`, `12/03` or `tomorrow 3pm`.")
    day_text, at = split_time(cleaned, text)
    if day_text:
        moment = _moment(day_text, text, local_now, zone, at, default_time, calendar)
    else:
        moment = datetime.combine(local_now.date(), at or default_time, tzinfo=zone)
        moment = moment if moment > local_now else moment + timedelta(days=1)
    check_horizon(moment, local_now, zone)
    return moment


def read_moment(ctx: Context, text: str, default_time: time = END_OF_DAY) -> datetime:
    """`parse_moment` for the caller: in their zone, by their school's calendar."""
    return parse_moment(text, ctx.now, ctx.timezone, default_time, school_calendar(ctx))


def read_day(ctx: Context, text: str) -> date:
    """`parse_day` for the caller: in their zone, by their school's calendar."""
    return parse_day(text, ctx.now, ctx.timezone, school_calendar(ctx))


def school_calendar(ctx: Context) -> Calendar:
    """The caller's school's calendar (its nation's typical year for someone who hasn't joined)."""
    return calendar_for(ctx.session, ctx.actor.school_id) if ctx.actor else DEFAULT_CALENDAR


def check_horizon(moment: datetime, now: datetime, zone: ZoneInfo) -> None:
    """Refuse, kindly, a moment more than three years ahead (`31/12/9999` is a slip, not a plan)."""
    today = now.astimezone(zone).date()
    try:
        limit = today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year + HORIZON_YEARS, day=28)
    if moment.astimezone(zone).date() > limit:
        raise BadDate(
            f"That's further ahead than I plan: please pick a date before {describe_date(limit, with_year=True)}."
        )


def shift(moment: datetime, text: str) -> datetime | None:
    """`moment` moved by a duration like `1 day`, `2 weeks`, `3d` or `a fortnight`; None if `text` is not one."""
    found = _DURATION.match(_clean(text))
    if not found:
        return None
    amount, unit = _count(found.group(1)), found.group(2).lower()
    days = {"f": 14, "w": 7}.get(unit[0], 1)
    return moment + timedelta(days=amount * days)


# ----------------------------------------------------------------------------------------------- reading a phrase


def _clean(text: str) -> str:
    cleaned = " ".join(text.strip().lower().replace(",", " ").split()).rstrip(".!?")
    cleaned = re.sub(r"^the\s+", "", _LEADING.sub("", cleaned))
    return cleaned


def split_time(cleaned: str, said: str) -> tuple[str, time | None]:
    """The day part of `cleaned` (lower case) and the time it names, if any. Raises BadDate for two times."""
    found: list[tuple[re.Match[str], time]] = []
    for match in _TWELVE_HOUR.finditer(cleaned):
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "p" else 0)
        found.append((match, time(hour, int(match.group(2) or 0))))
    if not found:
        found += [(m, time(int(m.group(1)), int(m.group(2)))) for m in _TWENTY_FOUR.finditer(cleaned)]
    found += [(m, time(12, 0)) for m in _NOON.finditer(cleaned)]
    if len(found) > 1:
        raise BadDate(f"I found more than one time in `{said[:60]}`. Please give just one, like `3pm`.")
    if not found:
        return cleaned, None
    match, at = found[0]
    rest = (cleaned[: match.start()] + " " + cleaned[match.end() :]).strip()
    rest = re.sub(r"\s+(?:at|from)$", "", " ".join(rest.split()))
    return _LEADING.sub("", rest), at


def _moment(
    day_text: str, said: str, local_now: datetime, zone: ZoneInfo, at: time | None, default: time, cal: Calendar
) -> datetime:
    today = local_now.date()
    for pattern, phrase, school_year in PHRASES:
        found = pattern.fullmatch(day_text)
        if found is None:
            continue
        reading = phrase(found, today, cal)
        moment = datetime.combine(reading.day, at or reading.implied_time or default, tzinfo=zone)
        if school_year and moment <= local_now:  # the last day of term, after hours: the next one's
            reading = phrase(found, reading.day + timedelta(days=1), cal)
            moment = datetime.combine(reading.day, at or reading.implied_time or default, tzinfo=zone)
        return moment
    parsed = _dateparser(day_text, local_now)
    if parsed is None or not _looks_like_a_date(day_text):
        raise BadDate(f"Sorry, I couldn't read `{said.strip()[:60]}` as a date. {EXAMPLES}")
    return datetime.combine(parsed.date(), at or default, tzinfo=zone)


def _looks_like_a_date(text: str) -> bool:
    """dateparser reads almost anything; only trust it with a month name or digits in the text."""
    return bool(re.search(r"\d", text) or re.search(r"\b(?:" + _MONTHS + r")\b", text))


def _dateparser(text: str, local_now: datetime) -> datetime | None:
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "PREFER_DAY_OF_MONTH": "first",
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
    }
    import dateparser  # a fallback for the few phrasings Kept's own reader leaves: 8 MiB, so only when needed

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return dateparser.parse(text, languages=["en"], settings=settings)
        except (OverflowError, ValueError):  # "in 99999999 days": past the calendar's end
            return None


def _count(word: str) -> int:
    return _NUMBERS.get(word, 0) if not word.isdigit() else int(word)


def _weekday(word: str) -> int:
    return next(n for n, name in enumerate(WEEKDAYS) if name.startswith(word[:3]))


def _coming(today: date, weekday: int) -> date:
    """The coming `weekday`: today, if it is that day."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _next_week(today: date, weekday: int) -> date:
    """`weekday` in next week (the week that starts next Monday)."""
    monday = today + timedelta(days=7 - today.weekday())
    return monday + timedelta(days=weekday)


def _in_future(day: int, month: int, year: int | None, today: date) -> date:
    if year is not None:
        return date(year + (2000 if year < 100 else 0), month, day)
    this_year = date(today.year, month, day) if _valid(today.year, month, day) else None
    return this_year if this_year and this_year >= today else date(today.year + 1, month, day)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _numeric(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    day, month, year = int(found["d"]), int(found["m"]), int(found["y"]) if found["y"] else None
    return Reading(_checked(lambda: _in_future(day, month, year, today), found.group(0)))


def _iso(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    year, month, day = int(found["y"]), int(found["m"]), int(found["d"])
    return Reading(_checked(lambda: date(year, month, day), found.group(0)))


def _named(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    day, month = int(found["d"]), _MONTH_NAMES[found["month"]]
    year = int(found["y"]) if found["y"] else None
    return Reading(_checked(lambda: _in_future(day, month, year, today), found.group(0)))


def _checked(make: Callable[[], date], said: str) -> date:
    try:
        return make()
    except ValueError:
        raise BadDate(f"Sorry, I couldn't read `{said[:60]}` as a date: there's no such day. {EXAMPLES}") from None


def _relative(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    amount, unit = _count(found["n"]), found["unit"]
    if unit.startswith("month"):
        index = today.month - 1 + amount
        year, month = today.year + index // 12, index % 12 + 1
        return Reading(date(year, month, min(today.day, months.monthrange(year, month)[1])))
    days = {"f": 14, "w": 7}.get(unit[0], 1)
    return Reading(today + timedelta(days=amount * days))


def _days_ahead(days: int) -> Phrase:
    return lambda found, today, cal: Reading(today + timedelta(days=days))


def _coming_weekday(weeks: int) -> Phrase:
    """`Friday` (weeks=0): the coming one, today included; `Friday week` (weeks=1): a week after that."""
    return lambda found, today, cal: Reading(_coming(today, _weekday(found["wd"])) + timedelta(weeks=weeks))


def _next_weekday(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    return Reading(_next_week(today, _weekday(found["wd"])))


def _end_of_week(weeks: int) -> Phrase:
    def phrase(found: re.Match[str], today: date, cal: Calendar) -> Reading:
        friday = _coming(today, 4) if today.weekday() <= 4 else _next_week(today, 4)
        return Reading(friday + timedelta(weeks=weeks))

    return phrase


def _end_of_month(ahead: int) -> Phrase:
    def phrase(found: re.Match[str], today: date, cal: Calendar) -> Reading:
        index = today.month - 1 + ahead
        year, month = today.year + index // 12, index % 12 + 1
        return Reading(date(year, month, months.monthrange(year, month)[1]))

    return phrase


# ------------------------------------------------------------------------------------------- the school year


def _no_terms() -> BadDate:
    return BadDate("I don't know your school's term dates, so I can't work that out. Please give a date, like `12/03`.")


def _first(spans: Iterator[Span]) -> Span:
    found = next(spans, None)
    if found is None:
        raise _no_terms()
    return found


def _end_of_term(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    return Reading(_first(cal.terms_from(today)).ends_on)


def _next_term(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    return Reading(_first(t for t in cal.terms_from(today) if t.starts_on > today).starts_on, START_OF_DAY)


def _end_of_next_term(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    return Reading(_first(t for t in cal.terms_from(today) if t.starts_on > today).ends_on)


def _half_term(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    """By half term: the last school day before it; after half term: the first school day after it."""
    half = next(cal.half_terms_from(today), None)
    if half is None:
        raise _no_terms()
    if found["after"]:
        return Reading(_school_day(half.ends_on + timedelta(days=1), cal, 1), START_OF_DAY)
    return Reading(_school_day(half.starts_on - timedelta(days=1), cal, -1))


def _school_day(day: date, cal: Calendar, step: int) -> date:
    for _ in range(40):
        if is_working_day(day, cal):
            return day
        day += timedelta(days=step)
    return day


SEASON_MONTHS = {"autumn": (8, 9, 10), "spring": (12, 1, 2), "summer": (3, 4, 5, 6)}
BEFORE = {"christmas": (12,), "easter": (3, 4), "year": (5, 6, 7, 8)}


def _season_term(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    """`end of the spring term`, `start of the summer term`: the coming term of that season."""
    season, starting = found["season"], found["edge"] != "end"

    def fits(term: Span) -> bool:
        in_season = season in term.name.lower() or term.starts_on.month in SEASON_MONTHS[season]
        return in_season and (not starting or term.starts_on > today)

    term = _first(t for t in cal.terms_from(today) if fits(t))
    return Reading(term.starts_on, START_OF_DAY) if starting else Reading(term.ends_on)


def _before(found: re.Match[str], today: date, cal: Calendar) -> Reading:
    """`Christmas`, `Easter`, `end of the year`: the last day of the term that ends before that holiday."""
    wanted = BEFORE[found["which"]]
    return Reading(_first(t for t in cal.terms_from(today) if t.ends_on.month in wanted).ends_on)


_SCHOOL_YEAR_PHRASES: tuple[tuple[str, Phrase], ...] = (
    (r"(?:end|last\s+day)\s+of\s+(?:this\s+|the\s+)?term|term\s+end", _end_of_term),
    (r"end\s+of\s+next\s+term", _end_of_next_term),
    (r"(?:(?:start|beginning|first\s+day)\s+of\s+)?next\s+term|(?:start|beginning)\s+of\s+term", _next_term),
    (r"(?:(?P<after>after|end\s+of)\s+)?(?:the\s+)?half[\s-]?terms?", _half_term),
    (r"(?P<edge>end|start|beginning)\s+of\s+(?:the\s+)?(?P<season>autumn|spring|summer)\s+term", _season_term),
    (r"(?:end\s+of\s+)?(?:the\s+)?(?P<which>christmas|easter)(?:\s+holidays)?", _before),
    (r"end\s+of\s+(?:the\s+)?(?:school\s+)?(?P<which>year)", _before),
)

_PHRASE_LIST: tuple[tuple[str, Phrase], ...] = (
    (r"today|tonight|end\s+of\s+(?:the\s+)?day", _days_ahead(0)),
    (r"yesterday", _days_ahead(-1)),
    (r"tomorrow|tmrw", _days_ahead(1)),
    (r"a\s+week\s+today|today\s+week", _days_ahead(7)),
    (r"a\s+week\s+tomorrow|tomorrow\s+week", _days_ahead(8)),
    (r"(?:a\s+)?fortnight\s+today", _days_ahead(14)),
    (r"(?:in\s+)?(?P<n>" + _NUMBER + r")\s+(?P<unit>days?|weeks?|fortnights?|months?)(?:'?s?\s+time)?", _relative),
    (r"(?:this\s+(?:coming\s+)?)?(?P<wd>" + _WD + ")", _coming_weekday(0)),
    (r"next\s+(?P<wd>" + _WD + ")", _next_weekday),
    (r"(?P<wd>" + _WD + r")\s+next\s+week", _next_weekday),
    (r"(?P<wd>" + _WD + r")\s+week", _coming_weekday(1)),
    (r"a\s+week\s+(?:on|from)\s+(?P<wd>" + _WD + ")", _coming_weekday(1)),
    (r"end\s+of\s+(?:the\s+|this\s+)?week", _end_of_week(0)),
    (r"(?:end\s+of\s+)?next\s+week", _end_of_week(1)),
    (r"end\s+of\s+(?:the\s+|this\s+)?month", _end_of_month(0)),
    (r"end\s+of\s+next\s+month", _end_of_month(1)),
    (r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})", _iso),
    (r"(?:" + _WD + r"\s+)?(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?", _numeric),
    (
        r"(?:" + _WD + r"\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<month>" + _MONTHS + r")\.?"
        r"(?:\s+(?P<y>\d{4}))?",
        _named,
    ),
    (
        r"(?:" + _WD + r"\s+)?(?P<month>" + _MONTHS + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<y>\d{4}))?",
        _named,
    ),
)

# (pattern, phrase, whether it names a point in the school year)
PHRASES: tuple[tuple[re.Pattern[str], Phrase, bool], ...] = tuple(
    (re.compile(pattern), phrase, school_year)
    for rows, school_year in ((_PHRASE_LIST, False), (_SCHOOL_YEAR_PHRASES, True))
    for pattern, phrase in rows
)


# ----------------------------------------------------------------------------------------------- writing dates


def describe(moment: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """`Fri 27 Nov, 17:00` in the reader's zone; with the year when it isn't `now`'s."""
    local = moment.astimezone(zone)
    with_year = now is not None and local.year != now.astimezone(zone).year
    return f"{describe_date(local.date(), with_year=with_year)}, {local:%H:%M}"


def describe_day(moment: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """`Fri 27 Nov`: the day of `moment` in the reader's zone; with the year when it isn't `now`'s."""
    local = moment.astimezone(zone)
    with_year = now is not None and local.year != now.astimezone(zone).year
    return describe_date(local.date(), with_year=with_year)


def describe_date(day: date, *, with_year: bool = False) -> str:
    """`Fri 27 Nov` (or `Fri 27 Nov 2026`): how Kept writes a day everywhere."""
    text = f"{day:%a} {day.day} {day:%b}"
    return f"{text} {day.year}" if with_year else text
