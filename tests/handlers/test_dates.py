"""Dates as teachers say them: the school year's phrases around term ends, half terms and the year end (England and
Scotland), the this/next weekday rule, day-first numerals, times, the horizon, and forms that take the same words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.calendar import DEFAULT_CALENDAR, OPEN_ALL_YEAR, Calendar, add_working_days, next_allowed
from handlers.dates import describe, parse_day, parse_moment
from handlers.errors import BadDate

LONDON = ZoneInfo("Europe/London")
ENGLAND, SCOTLAND = Calendar(nation="england"), Calendar(nation="scotland")


def said(text: str, now: datetime, calendar: Calendar = ENGLAND) -> str:
    return describe(parse_moment(text, now, LONDON, calendar=calendar), LONDON, now)


def utc(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


MONDAY = utc(2026, 11, 30)  # the new user, on Monday 30 November 2026

SCHOOL_YEAR = [
    # (now, calendar, phrase, due) in England's typical year 2026-27 and 2027-28
    (MONDAY, ENGLAND, "by end of term", "Fri 18 Dec, 17:00"),
    (MONDAY, ENGLAND, "by half term", "Fri 12 Feb 2027, 17:00"),
    (MONDAY, ENGLAND, "after half term", "Mon 22 Feb 2027, 09:00"),
    (MONDAY, ENGLAND, "next term", "Tue 5 Jan 2027, 09:00"),
    (MONDAY, ENGLAND, "start of next term", "Tue 5 Jan 2027, 09:00"),
    (MONDAY, ENGLAND, "end of next term", "Fri 19 Mar 2027, 17:00"),
    (MONDAY, ENGLAND, "end of the year", "Wed 21 Jul 2027, 17:00"),
    (MONDAY, ENGLAND, "end of the spring term", "Fri 19 Mar 2027, 17:00"),
    (MONDAY, ENGLAND, "Christmas", "Fri 18 Dec, 17:00"),
    (MONDAY, ENGLAND, "end of term 3pm", "Fri 18 Dec, 15:00"),
    # the last day of term: its end until the school day is over, then the next term's
    (utc(2026, 12, 18, 10), ENGLAND, "end of term", "Fri 18 Dec, 17:00"),
    (utc(2026, 12, 18, 18), ENGLAND, "end of term", "Fri 19 Mar 2027, 17:00"),
    # in the Christmas holidays, across the year end
    (utc(2026, 12, 29), ENGLAND, "end of term", "Fri 19 Mar 2027, 17:00"),
    (utc(2026, 12, 29), ENGLAND, "next term", "Tue 5 Jan 2027, 09:00"),
    (utc(2026, 12, 29), ENGLAND, "half term", "Fri 12 Feb 2027, 17:00"),
    # during February half term: the next half term is May's
    (utc(2027, 2, 16), ENGLAND, "half term", "Fri 28 May, 17:00"),
    (utc(2027, 2, 16), ENGLAND, "after half term", "Mon 7 Jun, 09:00"),
    (utc(2027, 2, 16), ENGLAND, "next term", "Mon 5 Apr, 09:00"),
    # in the summer holidays: the school year ahead
    (utc(2027, 7, 26), ENGLAND, "end of term", "Fri 17 Dec, 17:00"),
    (utc(2027, 7, 26), ENGLAND, "next term", "Thu 2 Sep, 09:00"),
    (utc(2027, 7, 26), ENGLAND, "half term", "Fri 22 Oct, 17:00"),
    (utc(2027, 7, 26), ENGLAND, "end of the year", "Fri 21 Jul 2028, 17:00"),
    # Scotland: a two-day February break, a June year end and an August start
    (MONDAY, SCOTLAND, "half term", "Fri 12 Feb 2027, 17:00"),
    (MONDAY, SCOTLAND, "after half term", "Wed 17 Feb 2027, 09:00"),
    (MONDAY, SCOTLAND, "end of the year", "Fri 25 Jun 2027, 17:00"),
    (utc(2026, 10, 14), SCOTLAND, "end of term", "Fri 18 Dec, 17:00"),
    (utc(2027, 6, 25), SCOTLAND, "end of term", "Fri 25 Jun, 17:00"),
    (utc(2027, 6, 25), SCOTLAND, "next term", "Wed 18 Aug, 09:00"),
    (utc(2027, 6, 28), SCOTLAND, "end of term", "Fri 17 Dec, 17:00"),
    (utc(2027, 6, 28), SCOTLAND, "half term", "Fri 8 Oct, 17:00"),
    (utc(2027, 6, 28), SCOTLAND, "end of the year", "Fri 30 Jun 2028, 17:00"),
]


@pytest.mark.parametrize(("now", "calendar", "phrase", "due"), SCHOOL_YEAR)
def test_the_school_year_phrases_follow_the_schools_calendar(
    now: datetime, calendar: Calendar, phrase: str, due: str
) -> None:
    assert said(phrase, now, calendar) == due


WEEKS = [
    # (now, phrase, due): `Friday` is the coming one (today counts); `next Friday` is in next week
    (MONDAY, "Friday", "Fri 4 Dec, 17:00"),
    (MONDAY, "this Friday", "Fri 4 Dec, 17:00"),
    (MONDAY, "next Friday", "Fri 11 Dec, 17:00"),
    (MONDAY, "Friday next week", "Fri 11 Dec, 17:00"),
    (MONDAY, "Monday week", "Mon 7 Dec, 17:00"),
    (MONDAY, "a week on Friday", "Fri 11 Dec, 17:00"),
    (MONDAY, "in a fortnight", "Mon 14 Dec, 17:00"),
    (MONDAY, "a week today", "Mon 7 Dec, 17:00"),
    (MONDAY, "in 3 days", "Thu 3 Dec, 17:00"),
    (MONDAY, "end of the week", "Fri 4 Dec, 17:00"),
    (utc(2026, 12, 4), "Friday", "Fri 4 Dec, 17:00"),
    (utc(2026, 12, 4), "next Friday", "Fri 11 Dec, 17:00"),
    (utc(2026, 12, 5), "Friday", "Fri 11 Dec, 17:00"),
    (utc(2026, 12, 5), "next Friday", "Fri 11 Dec, 17:00"),
    (utc(2026, 12, 29), "Friday", "Fri 1 Jan 2027, 17:00"),
    (utc(2026, 12, 29), "next Monday", "Mon 4 Jan 2027, 17:00"),
    (utc(2026, 12, 29), "in a fortnight", "Tue 12 Jan 2027, 17:00"),
]


@pytest.mark.parametrize(("now", "phrase", "due"), WEEKS)
def test_weekdays_follow_one_documented_rule(now: datetime, phrase: str, due: str) -> None:
    assert said(phrase, now) == due


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("12/03", "Fri 12 Mar 2027, 17:00"),  # day-first, and next year's once this year's has passed
        ("12/03/2027 3pm", "Fri 12 Mar 2027, 15:00"),
        ("4/12", "Fri 4 Dec, 17:00"),
        ("04.12.2026", "Fri 4 Dec, 17:00"),
        ("3 June", "Thu 3 Jun 2027, 17:00"),
        ("Fri 4 Dec", "Fri 4 Dec, 17:00"),
        ("2026-12-04", "Fri 4 Dec, 17:00"),
        ("3pm", "Mon 30 Nov, 15:00"),
        ("9am", "Tue 1 Dec, 09:00"),  # already gone today
        ("tomorrow 15:30", "Tue 1 Dec, 15:30"),
        ("Friday at 3.30pm", "Fri 4 Dec, 15:30"),
        ("noon on Friday", "Fri 4 Dec, 12:00"),
    ],
)
def test_numerals_are_day_first_and_times_are_kept(phrase: str, due: str) -> None:
    assert said(phrase, MONDAY) == due


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("31/12/9999", "further ahead than I plan: please pick a date before Fri 30 Nov 2029"),
        ("12/03/2030", "further ahead than I plan"),
        ("31/02", "there's no such day"),
        ("banana", "couldn't read `banana`"),
        ("yesterday", "has already passed"),
        ("3pm 4pm Friday", "more than one time"),
    ],
)
def test_dates_kept_cannot_use_are_refused_kindly(phrase: str, reason: str) -> None:
    with pytest.raises(BadDate, match=reason.replace("`", ".")):
        parse_moment(phrase, MONDAY, LONDON)


def test_without_term_dates_a_term_phrase_asks_for_a_date() -> None:
    with pytest.raises(BadDate, match="I don't know your school's term dates"):
        parse_moment("end of term", MONDAY, LONDON, calendar=OPEN_ALL_YEAR)


@settings(max_examples=150, deadline=None)
@given(
    day=st.integers(1, 31),
    month=st.integers(1, 12),
    year=st.integers(1, 9999),
    steps=st.integers(-30, 30),
    nation=st.sampled_from(["england", "wales", "scotland", "northern ireland"]),
)
def test_no_date_the_parser_accepts_overflows_the_working_day_arithmetic(
    day: int, month: int, year: int, steps: int, nation: str
) -> None:
    calendar = Calendar(nation=nation)
    try:
        moment = parse_moment(f"{day}/{month}/{year}", MONDAY, LONDON, calendar=calendar)
    except BadDate:
        return
    assert moment - MONDAY <= timedelta(days=3 * 366)
    add_working_days(moment.date(), steps, calendar)
    assert next_allowed(moment, LONDON, calendar) >= moment


@pytest.mark.parametrize("day", [date(9989, 12, 31), date(9999, 12, 30)])
def test_the_working_day_arithmetic_stops_at_the_calendars_edges_rather_than_overflow(day: date) -> None:
    add_working_days(day, 5, DEFAULT_CALENDAR)
    add_working_days(day, -5, DEFAULT_CALENDAR)
    next_allowed(datetime.combine(day, datetime.min.time(), tzinfo=UTC), LONDON, DEFAULT_CALENDAR)


def test_a_day_for_a_form_is_today_or_later() -> None:
    assert parse_day("today", MONDAY, LONDON) == date(2026, 11, 30)
    assert parse_day("end of term", MONDAY, LONDON) == date(2026, 12, 18)
    with pytest.raises(BadDate, match="Sun 29 Nov 2026 has already passed"):
        parse_day("29/11/2026", MONDAY, LONDON)
