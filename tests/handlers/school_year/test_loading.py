"""Term dates as data: a lead loads them (CSV rows, an iCalendar or CSV link), the network's are every school's
default, the nation decides the bank holidays, links are fetched again each week, and leads hear a term ahead
when their dates run out. Nothing silently becomes a working day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import select

from handlers.calendar import calendar_for
from handlers.clock import MovableClock
from handlers.dispatch import Kept
from handlers.school_year.loading import claim_due_links
from handlers.school_year.sources import SourceError, read
from scheduler.calendars import fetch_url
from scheduler.delivery import DeliveryLoop
from storage.models import CalendarSpan, Commitment, School, SchoolCalendar
from tests.harness.delivery import make_delivery_loop
from tests.harness.people import Join, Person
from tests.harness.recording import RecordingNotifier

ST_ADAS_CSV = """kind,name,starts,ends
term,Autumn term,02/09/2026,11/12/2026
inset,INSET day,07/12/2026,
term,Spring term,04/01/2027,26/03/2027
holiday,February half term,15/02/2027,19/02/2027
"""

LA_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Reading Borough Council//Term dates//EN
BEGIN:VEVENT
UID:1@rbc
DTSTART;VALUE=DATE:20260902
SUMMARY:Autumn Term starts
END:VEVENT
BEGIN:VEVENT
UID:2@rbc
DTSTART;VALUE=DATE:20261026
DTEND;VALUE=DATE:20261031
SUMMARY:October half term
END:VEVENT
BEGIN:VEVENT
UID:3@rbc
DTSTART;VALUE=DATE:20261216
SUMMARY:Autumn Term ends
END:VEVENT
BEGIN:VEVENT
UID:4@rbc
DTSTART;VALUE=DATE:20270105
SUMMARY:Spring Term starts
END:VEVENT
BEGIN:VEVENT
UID:5@rbc
DTSTART;VALUE=DATE:20270104
SUMMARY:INSET day (schools closed to pupils)
END:VEVENT
BEGIN:VEVENT
UID:6@rbc
DTSTART;VALUE=DATE:20270326
SUMMARY:Spring Term ends
END:VEVENT
BEGIN:VEVENT
UID:7@rbc
DTSTART:20261119T180000Z
DTEND:20261119T200000Z
SUMMARY:Parents' evening
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def sam(person: Join, grace: Person) -> Person:
    """Sam Patel, St Ada's School's lead (Grace Okafor is staff there; Priya Shah leads Hopper Academy)."""
    return person("Sam Patel")


@pytest.fixture
def priya(person: Join, grace: Person) -> Person:
    return person("Priya Shah")


def _due(kept: Kept) -> datetime:
    with kept.db.transaction() as session:
        return session.exec(select(Commitment).order_by(Commitment.id.desc())).first().due_at  # type: ignore[union-attr]


def _calendar(kept: Kept, school: str):  # type: ignore[no-untyped-def]
    with kept.db.transaction() as session:
        found = session.exec(select(School).where(School.name == school)).one()
        return calendar_for(session, found.id)


def test_a_lead_pastes_csv_rows_and_end_of_term_follows_them(
    sam: Person, grace: Person, priya: Person, kept: Kept
) -> None:
    reply = sam.say("calendar csv\n" + ST_ADAS_CSV)
    assert reply.ok, reply.title
    assert reply.title == (
        "Loaded the term dates for St Ada's School: 2 terms and 2 days off, from Wed 2 Sep 2026 to Fri 26 Mar 2027."
    )
    assert grace.say("promise a minibus to Hopper Academy by end of term").ok
    assert _due(kept) == datetime(2026, 12, 11, 17, 0, tzinfo=UTC)  # St Ada's own last day
    assert priya.say("promise a choir to St Ada's School by end of term").ok
    assert _due(kept) == datetime(2026, 12, 18, 17, 0, tzinfo=UTC)  # Hopper Academy: England's typical dates
    warned = grace.say("promise a lab to Hopper Academy by 7/12")
    assert "Mon 7 Dec falls on INSET day" in warned.footer
    assert "Mon 3 May falls on May Day" in priya.say("promise a band to St Ada's School by 3/5/2027").footer
    shown = grace.say("calendar")
    assert ("Term dates", "Term dates for St Ada's School") in [(f.label, f.value) for f in shown.fields]
    assert "run to Fri 26 Mar 2027" in shown.footer


def test_only_a_lead_changes_the_calendar_and_a_bad_row_changes_nothing(sam: Person, grace: Person, kept: Kept) -> None:
    refused = grace.say("calendar csv\n" + ST_ADAS_CSV)
    assert not refused.ok and "Only a school's partnership lead" in refused.title
    bad = sam.say("calendar csv\nterm,Autumn term,02/09/2026,31/02/2027")
    assert not bad.ok and bad.title.startswith("Row 1: I couldn't read `31/02/2027` as a date")
    with kept.db.transaction() as session:
        assert session.exec(select(CalendarSpan)).all() == []
    assert _calendar(kept, "St Ada's School").own == ()


def test_a_local_authoritys_icalendar_is_read_for_terms_and_days_off() -> None:
    dates = read(LA_ICS)
    assert [(t.name, t.starts_on, t.ends_on) for t in dates.terms] == [
        ("Autumn term", date(2026, 9, 2), date(2026, 12, 16)),
        ("Spring term", date(2027, 1, 5), date(2027, 3, 26)),
    ]
    assert [(b.name, b.starts_on, b.ends_on) for b in dates.breaks] == [
        ("October half term", date(2026, 10, 26), date(2026, 10, 30)),  # DTEND is exclusive
    ]
    assert dates.left_out == 1  # the parents' evening (the INSET day before term is a holiday anyway)


def test_a_file_of_holidays_alone_has_its_terms_worked_out_between_the_long_ones() -> None:
    dates = read(
        "Summer holidays,23/07/2026,01/09/2026\nOctober half term,26/10/2026,30/10/2026\n"
        "Christmas holidays,19/12/2026,04/01/2027\n"
    )
    assert [(t.name, t.starts_on, t.ends_on) for t in dates.terms] == [
        ("Autumn term", date(2026, 9, 2), date(2026, 12, 18))
    ]
    assert [b.name for b in dates.breaks] == ["October half term"]
    with pytest.raises(SourceError, match="couldn't find any terms"):
        read("October half term,26/10/2026,30/10/2026")


def test_the_networks_dates_are_every_schools_default_and_a_schools_own_come_first(
    sam: Person, priya: Person, kept: Kept
) -> None:
    assert sam.say(
        "calendar network csv\nterm,Autumn term,03/09/2026,16/12/2026\nterm,Spring term,05/01/2027,25/03/2027"
    ).ok
    assert _calendar(kept, "Hopper Academy").label == "Term dates for the network"
    assert priya.say("promise a choir to St Ada's School by end of term").ok
    assert _due(kept) == datetime(2026, 12, 16, 17, 0, tzinfo=UTC)
    assert priya.say("calendar csv\nterm,Autumn term,01/09/2026,15/12/2026").ok
    assert priya.say("promise a band to St Ada's School by end of term").ok
    assert _due(kept) == datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
    assert sam.say("calendar network clear").ok
    assert _calendar(kept, "St Ada's School").own == ()


@pytest.mark.parametrize(
    ("nation", "day", "name"),
    [
        ("scotland", date(2026, 11, 30), "Saint Andrew's Day"),
        ("northern ireland", date(2027, 3, 17), "Saint Patrick's Day"),
        ("wales", date(2026, 11, 4), "October half term"),  # Wales's October break is a fortnight
    ],
)
def test_a_schools_nation_decides_its_bank_holidays_and_typical_year(
    sam: Person, kept: Kept, nation: str, day: date, name: str
) -> None:
    assert _calendar(kept, "St Ada's School").holiday_on(day) is None  # a school day in England
    reply = sam.say(f"calendar nation {nation}")
    assert reply.ok, reply.title
    holiday = _calendar(kept, "St Ada's School").holiday_on(day)
    assert holiday is not None and holiday.name == name


def test_after_loaded_dates_run_out_the_typical_year_takes_over_so_no_day_silently_becomes_a_working_day(
    sam: Person, kept: Kept
) -> None:
    assert sam.say("calendar csv\n" + ST_ADAS_CSV).ok
    calendar = _calendar(kept, "St Ada's School")
    assert calendar.loaded_until == date(2027, 3, 26)
    assert calendar.holiday_on(date(2027, 8, 10)).name == "Summer holidays"  # type: ignore[union-attr]
    assert calendar.holiday_on(date(2031, 12, 24)).name == "Christmas holidays"  # type: ignore[union-attr]


@pytest.fixture
async def la_site() -> AsyncIterator[tuple[TestServer, dict[str, tuple[int, str]]]]:
    """A local authority's web site on a loopback port: path -> (status, body), changed by the test."""
    pages: dict[str, tuple[int, str]] = {"/term-dates.ics": (200, LA_ICS)}

    async def serve(request: web.Request) -> web.Response:
        status, body = pages.get(request.path, (404, "Not Found"))
        return web.Response(status=status, text=body, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    server = TestServer(app)
    await server.start_server()
    yield server, pages
    await server.close()


async def test_a_link_is_fetched_by_the_scheduler_then_every_week_and_the_lead_hears_privately(
    sam: Person,
    kept: Kept,
    clock: MovableClock,
    slack_inbox: RecordingNotifier,
    la_site: tuple[TestServer, dict[str, tuple[int, str]]],
) -> None:
    server, pages = la_site
    worker: DeliveryLoop = make_delivery_loop(kept.db, clock, slack_inbox, fetch=partial(fetch_url, allow_private=True))
    reply = sam.say(f"calendar link <{server.make_url('/term-dates.ics')}>")
    assert reply.ok and "I'll fetch those term dates in a moment" in reply.title
    assert _calendar(kept, "St Ada's School").own == ()  # nothing fetched inside the command

    await worker.tick()
    assert _calendar(kept, "St Ada's School").loaded_until == date(2027, 3, 26)
    await worker.tick()  # delivers the notice
    assert slack_inbox.to("U-SamPatel") == [
        "Loaded the term dates for St Ada's School: 2 terms and 1 day off, from Wed 2 Sep 2026 to Fri 26 Mar 2027 "
        "(1 other entry left out)."
    ]

    pages["/term-dates.ics"] = (200, LA_ICS.replace("20270326", "20270325"))
    clock.advance(timedelta(days=7, hours=1))
    await worker.tick()
    assert _calendar(kept, "St Ada's School").loaded_until == date(2027, 3, 25)

    pages["/term-dates.ics"] = (404, "Not Found")
    for _ in range(3):  # three failed fetches, six hours apart: one private note, the dates kept
        clock.advance(timedelta(days=7, hours=1))
        await worker.tick()
        await worker.tick()
    assert _calendar(kept, "St Ada's School").loaded_until == date(2027, 3, 25)
    assert slack_inbox.to("U-SamPatel")[1:] == ["I couldn't load your term dates from the link you gave"]
    with kept.db.transaction() as session:
        assert session.exec(select(SchoolCalendar)).one().last_error == "The link answered 404 Not Found."


def test_a_link_must_be_a_web_address(sam: Person) -> None:
    refused = sam.say("calendar link file:///etc/passwd")
    assert not refused.ok and "https:// link" in refused.title


async def test_leads_hear_a_term_ahead_once_when_their_dates_run_out(
    sam: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier
) -> None:
    assert sam.say("calendar csv\n" + ST_ADAS_CSV).ok  # to Fri 26 Mar 2027
    worker = make_delivery_loop(kept.db, clock, slack_inbox)
    await worker.tick()
    assert slack_inbox.to("U-SamPatel") == []  # on Mon 23 Nov, more than a term ahead
    for day in (4, 5, 6):  # Mon 4 Jan 2027 onwards: within fourteen weeks
        clock.set(datetime(2027, 1, day, 10, tzinfo=UTC))
        await worker.tick()
        await worker.tick()
    assert slack_inbox.to("U-SamPatel") == ["Your term dates run out on Fri 26 Mar 2027"]


def test_rows_pasted_where_the_chat_joined_the_lines_are_split_again() -> None:
    joined = " ".join(ST_ADAS_CSV.split("\n"))  # Teams hands Kept one line
    assert read(joined) == read(ST_ADAS_CSV)
    assert read("term,Autumn term,02/09/2026,11/12/2026; inset,INSET day,07/12/2026") == read(
        "term,Autumn term,02/09/2026,11/12/2026\ninset,INSET day,07/12/2026"
    )


def test_term_dates_load_and_a_due_link_is_claimed_once_on_both_stores(any_person: Join, any_kept: Kept) -> None:
    sam = any_person("Sam Patel", "St Ada's School")
    assert sam.say("calendar csv\n" + ST_ADAS_CSV).ok
    assert _calendar(any_kept, "St Ada's School").loaded_until == date(2027, 3, 26)
    assert sam.say("calendar link https://www.reading.gov.uk/term-dates.ics").ok
    now = any_kept.clock.now()
    with any_kept.db.transaction() as session:
        claimed = claim_due_links(session, now)
    with any_kept.db.transaction() as session:
        assert claim_due_links(session, now) == []  # held for the replica that claimed it
    assert [url for _, url in claimed] == ["https://www.reading.gov.uk/term-dates.ics"]
    assert _calendar(any_kept, "St Ada's School").loaded_until == date(2027, 3, 26)  # the pasted dates, until fetched


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:3978/readyz", "http://169.254.169.254/latest/meta-data", "file:///etc/passwd"]
)
def test_a_link_into_the_servers_own_network_is_not_fetched(url: str) -> None:
    with pytest.raises(ValueError, match="inside this server's own network|Only http"):
        fetch_url(url)
