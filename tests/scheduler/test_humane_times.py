"""Humane times: working hours in the reader's zone, school holidays, and both BST/GMT changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from handlers.calendar import DEFAULT_CALENDAR, OPEN_ALL_YEAR, Span, add_working_days, holiday_on, next_allowed
from handlers.clock import MovableClock
from handlers.dispatch import Kept
from handlers.messages import Message
from handlers.outbound import notices
from handlers.school_year.loading import calendar_row, store
from handlers.school_year.sources import read
from storage.models import Member, Notification, School
from tests.harness.delivery import RunUntil
from tests.harness.fixtures import MONDAY_9AM
from tests.harness.people import Person
from tests.harness.recording import RecordingNotifier
from tests.scheduler.test_nudges import sent

LONDON = ZoneInfo("Europe/London")


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_moment_inside_working_hours_is_allowed_as_it_is() -> None:
    tuesday_ten = utc(2026, 11, 24, 10)
    assert next_allowed(tuesday_ten, LONDON, DEFAULT_CALENDAR) == tuesday_ten


def test_an_evening_moves_to_the_next_morning_and_a_friday_evening_to_monday() -> None:
    assert next_allowed(utc(2026, 11, 24, 21), LONDON, DEFAULT_CALENDAR) == utc(2026, 11, 25, 8)
    assert next_allowed(utc(2026, 11, 27, 18), LONDON, DEFAULT_CALENDAR) == utc(2026, 11, 30, 8)
    assert next_allowed(utc(2026, 11, 24, 6), LONDON, DEFAULT_CALENDAR) == utc(2026, 11, 24, 8)


def test_working_hours_are_the_readers_own() -> None:
    # 09:00 in London is 04:00 in New York: a colleague there hears at 08:00 their time (13:00 GMT).
    assert next_allowed(utc(2026, 11, 24, 9), ZoneInfo("America/New_York"), OPEN_ALL_YEAR) == utc(2026, 11, 24, 13)


def test_the_christmas_holidays_wait_until_the_first_day_of_term() -> None:
    assert next_allowed(utc(2026, 12, 21, 10), LONDON, DEFAULT_CALENDAR) == utc(2027, 1, 5, 8)
    assert holiday_on(date(2026, 12, 25), DEFAULT_CALENDAR) == Span(
        "Christmas holidays", date(2026, 12, 19), date(2027, 1, 4)
    )


def test_the_default_calendar_never_runs_out_and_keeps_every_half_term() -> None:
    for year in (2026, 2030, 2045, 2099):
        days_off = {DEFAULT_CALENDAR.holiday_on(date(year, 1, 1) + timedelta(days=n)) for n in range(366)}
        names = {span.name for span in days_off if span}
        for name in ("February half term", "Easter holidays", "May half term", "Summer holidays", "October half term"):
            assert name in names, (year, name)


def test_working_days_skip_weekends_and_holidays() -> None:
    assert add_working_days(date(2026, 11, 27), -2, DEFAULT_CALENDAR) == date(2026, 11, 25)
    assert add_working_days(date(2026, 10, 23), 1, DEFAULT_CALENDAR) == date(2026, 11, 2)  # over half term
    assert add_working_days(date(2026, 11, 23), 0, DEFAULT_CALENDAR) == date(2026, 11, 23)


def test_a_morning_after_the_clocks_go_forward_is_eight_oclock_bst() -> None:
    # Last Sunday of March 2027 is the 28th: 08:00 on Monday 29th is 07:00 UTC.
    assert next_allowed(utc(2027, 3, 28, 12), LONDON, OPEN_ALL_YEAR) == utc(2027, 3, 29, 7)
    assert next_allowed(utc(2027, 3, 26, 18, 30), LONDON, OPEN_ALL_YEAR) == utc(2027, 3, 29, 7)


def test_a_morning_after_the_clocks_go_back_is_eight_oclock_gmt() -> None:
    # Last Sunday of October 2027 is the 31st: 08:00 on Friday 29th is 07:00 UTC, on Monday 1st 08:00 UTC.
    assert next_allowed(utc(2027, 10, 29, 6), LONDON, OPEN_ALL_YEAR) == utc(2027, 10, 29, 7)
    assert next_allowed(utc(2027, 10, 29, 17, 30), LONDON, OPEN_ALL_YEAR) == utc(2027, 11, 1, 8)


def _own_term_dates(kept: Kept, rows: str) -> None:
    """St Ada's School's own term dates (CSV rows), which replace the typical calendar where they run."""
    with kept.db.transaction() as session:
        school = session.exec(select(School).where(School.name == "St Ada's School")).one()
        row = calendar_row(session, school.network_id, school, "a file", None)
        store(session, row, read(rows), MONDAY_9AM)


async def test_nudges_land_at_nine_local_on_both_sides_of_the_spring_clock_change(
    grace: Person, kept: Kept, clock: MovableClock, run_until: RunUntil
) -> None:
    _own_term_dates(
        kept, "term,Spring term,05/01/2027,01/04/2027\nterm,Summer term,19/04/2027,21/07/2027"
    )  # no Easter yet
    clock.set(utc(2027, 3, 22, 10))
    assert grace.say("promise a science fair judge to Hopper Academy by 31/03").ok  # Wed 31 Mar, BST
    await run_until(utc(2027, 4, 1, 0))
    # two working days before, over Easter Monday and Good Friday (bank holidays): Thu 25 Mar, 09:00 GMT
    assert sent(kept) == [("-2d", utc(2027, 3, 25, 9)), ("-0d", utc(2027, 3, 31, 8))]  # 09:00 GMT, 09:00 BST


async def test_nudges_land_at_nine_local_on_both_sides_of_the_autumn_clock_change(
    grace: Person, kept: Kept, clock: MovableClock, run_until: RunUntil
) -> None:
    _own_term_dates(
        kept, "term,Autumn term,02/09/2027,17/12/2027\nterm,Spring term,04/01/2028,24/03/2028"
    )  # no half term
    clock.set(utc(2027, 10, 26, 10))
    assert grace.say("promise a minibus to Hopper Academy by 2/11").ok  # Tue 2 Nov, GMT
    await run_until(utc(2027, 11, 3, 0))
    assert sent(kept) == [("-2d", utc(2027, 10, 29, 8)), ("-0d", utc(2027, 11, 2, 9))]  # 09:00 BST, 09:00 GMT


async def test_a_schools_own_term_dates_replace_the_typical_calendar(
    grace: Person, kept: Kept, run_until: RunUntil
) -> None:
    _own_term_dates(
        kept,
        "term,Autumn term,02/09/2026,18/12/2026\nterm,Spring term,05/01/2027,26/03/2027\n"
        "inset,Trust INSET week,30/11/2026,04/12/2026",
    )
    assert grace.say("promise a minibus to Hopper Academy by 7/12").ok  # Mon 7 Dec
    await run_until(utc(2026, 12, 8, 0))
    assert sent(kept) == [("-2d", utc(2026, 11, 26, 9)), ("-0d", utc(2026, 12, 7, 9))]


def _tell_grace(kept: Kept, due_at: datetime, key: str = "notice:grace") -> None:
    with kept.db.transaction() as session:
        grace = session.exec(select(Member).where(Member.name == "Grace Okafor")).one()
        notices.tell(
            session, grace.id or 0, key, Message(title="A note for Grace"), due_at, kind="notice", due_at=due_at
        )


async def test_a_notice_due_in_the_evening_is_moved_to_the_next_morning_not_dropped(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _tell_grace(kept, utc(2026, 11, 23, 19, 30))
    reports = await run_until(utc(2026, 11, 24, 12), step=timedelta(minutes=30))
    assert sent(kept) == [("grace", utc(2026, 11, 24, 8))]
    assert sum(len(r.postponed) for r in reports) == 1  # moved once, not re-claimed every tick
    assert slack_inbox.to("U-GraceOkafor") == ["A note for Grace"]


async def test_a_notice_due_in_the_christmas_holidays_waits_for_term(
    grace: Person, kept: Kept, clock: MovableClock, run_until: RunUntil
) -> None:
    clock.set(utc(2026, 12, 18, 17))
    _tell_grace(kept, utc(2026, 12, 21, 10))
    await run_until(utc(2027, 1, 6, 0))
    assert sent(kept) == [("grace", utc(2027, 1, 5, 8))]


async def test_the_clock_moving_backwards_neither_repeats_nor_skips_a_nudge(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    await run_until(utc(2026, 11, 25, 10))
    clock.set(utc(2026, 11, 25, 7))  # an NTP correction, or a host with a wrong clock
    await run_until(utc(2026, 11, 28, 0))
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 27 Nov (C1)", "A minibus: due today, 17:00 (C1)"]
    with kept.db.transaction() as session:
        assert session.exec(select(Notification).where(Notification.status == "claimed")).all() == []
