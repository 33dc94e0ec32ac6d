"""Reading the dates people type ("next Friday", "12/03", "tomorrow 3pm"), day-first, in their zone."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from handlers.errors import BadDate

END_OF_DAY = time(17, 0)  # "by Friday" means by the end of the school day
START_OF_DAY = time(9, 0)
HORIZON_YEARS = 5  # further ahead than any promise, session or absence Kept keeps; beyond it, date sums overflow

_TIME = re.compile(r"\b(\d{1,2}[:.]\d{2}|\d{1,2}\s*(am|pm)|noon|midday)\b", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(?:in\s+)?(\d{1,3})\s*(d|days?|w|wks?|weeks?)\s*$", re.IGNORECASE)
_SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future", "PREFER_DAY_OF_MONTH": "first"}


def parse_moment(text: str, now: datetime, zone: ZoneInfo, default_time: time = END_OF_DAY) -> datetime:
    """An aware UTC moment from what someone typed. A date with no time gets `default_time`.

    Raises BadDate, with the text quoted back, when it can't be read or it is already past.
    """
    cleaned = re.sub(r"^(next|this|on|by)\s+", "", text.strip(), flags=re.IGNORECASE)
    if not cleaned:
        raise BadDate("I need a date, such as `Friday`, `12/03` or `tomorrow 3pm`.")
    local_now = now.astimezone(zone)
    parsed = _dateparser(cleaned, local_now, zone)
    if parsed is None:
        raise BadDate(
            f"Sorry, I couldn't read `{text[:60]}` as a date. Try `Friday`, `12/03` (12 March) or `tomorrow 3pm`."
        )
    explicit_time = bool(_TIME.search(cleaned))
    relative = bool(_DURATION.match(cleaned))
    if not explicit_time and not relative:
        parsed = datetime.combine(parsed.date(), default_time)
    moment = parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed
    if moment <= local_now:
        raise BadDate(f"{describe(moment, zone, now)} has already passed. Please pick a later date.")
    if moment.year > local_now.year + HORIZON_YEARS:
        raise BadDate(f"That's too far ahead for me: please pick a date within the next {HORIZON_YEARS} years.")
    return moment.astimezone(UTC)


def _dateparser(text: str, local_now: datetime, zone: ZoneInfo) -> datetime | None:
    settings = dict(_SETTINGS, RELATIVE_BASE=local_now.replace(tzinfo=None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return dateparser.parse(text, languages=["en"], settings=settings)
        except (OverflowError, ValueError):  # "in 99999999 days": past the calendar's end
            return None


def shift(moment: datetime, text: str) -> datetime | None:
    """`moment` moved by a duration like `1 day`, `2 weeks`, `3d`; None if `text` is not a duration."""
    found = _DURATION.match(text)
    if not found:
        return None
    amount, unit = int(found.group(1)), found.group(2).lower()
    return moment + (timedelta(weeks=amount) if unit.startswith("w") else timedelta(days=amount))


def parse_iso_date(text: str, field_name: str = "date") -> date:
    """A form's date input (YYYY-MM-DD). Raises BadDate naming the field."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadDate(f"The {field_name} should be a date like 2026-12-04.") from None


def describe(moment: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """`Fri 27 Nov, 17:00` in the reader's zone; with the year when it isn't `now`'s."""
    local = moment.astimezone(zone)
    with_year = now is not None and local.year != now.astimezone(zone).year
    return f"{describe_date(local.date(), with_year=with_year)}, {local:%H:%M}"


def describe_day(moment: datetime, zone: ZoneInfo) -> str:
    """`Fri 27 Nov`: the day of `moment` in the reader's zone."""
    return describe_date(moment.astimezone(zone).date())


def describe_date(day: date, *, with_year: bool = False) -> str:
    """`Fri 27 Nov` (or `Fri 27 Nov 2026`): how Kept writes a day everywhere."""
    text = f"{day:%a} {day.day} {day:%b}"
    return f"{text} {day.year}" if with_year else text
