"""The core never apologises for input: odd characters are cleaned, far-off dates and stale forms refused kindly,
races retried, and a database out of reach is said plainly. On SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.errors import FormErrors
from handlers.normalise import clean
from storage.db import Database
from storage.models import Listing, Member, School
from tests.harness.people import Join

APOLOGY = "Sorry, something went wrong on our side"


@pytest.mark.parametrize(
    ("typed", "kept_as"),
    [
        ("a\ud800b", "ab"),
        ("NUL\x00byte", "NULbyte"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("over\u202eturned", "overturned"),
        ("two\r\nlines", "two\nlines"),
        ("tab\there", "tab here"),
        ("Ysgol Gymraeg 🏫 — naïve café", "Ysgol Gymraeg 🏫 — naïve café"),
    ],
)
def test_text_is_cleaned_of_what_cannot_be_stored_or_shown_safely(typed: str, kept_as: str) -> None:
    assert clean(typed) == kept_as


@pytest.mark.parametrize("text", ["offer a\ud800b physics teacher", "offer a NUL\x00 physics teacher"])
def test_lone_surrogates_and_nul_bytes_are_stored_cleaned_not_apologised_for(
    any_person: Join, any_kept: Kept, text: str
) -> None:
    grace = any_person("Grace Okafor", "St Ada's School")

    reply = grace.say(text)

    assert reply.ok, reply.title
    with any_kept.db.transaction() as session:
        [listing] = session.exec(select(Listing)).all()
    assert "\x00" not in listing.text and "\ud800" not in listing.text


def test_a_display_name_with_control_characters_is_stored_clean(any_kept: Kept) -> None:
    caller = Caller("slack", "T0KEPT", "U0X", "Grace\x00 \x1b]0;pwned\x07Okafor")

    assert any_kept.handle(caller, "join St Ada's School").ok
    with any_kept.db.transaction() as session:
        [member] = session.exec(select(Member)).all()
    assert member.name == "Grace ]0;pwnedOkafor"


@pytest.mark.parametrize(
    "command",
    [
        "promise a minibus to Hopper Academy by 31/12/9999",
        "snooze C1 31/12/9999",
        "session Robotics day on 31/12/9999 10am at St Ada's with Hopper Academy",
        "reschedule S1 31/12/9999 10am",
        "away until 31/12/9999",
        "promise a minibus to Hopper Academy by 1 January 2040",
    ],
)
def test_dates_past_the_horizon_get_a_kind_refusal(any_person: Join, command: str) -> None:
    sam = any_person("Sam Patel", "St Ada's School")
    any_person("Priya Shah", "Hopper Academy")
    assert sam.say("promise a minibus to Hopper Academy by Friday").ok
    assert sam.say("session Robotics day on Thursday 10am at St Ada's with Hopper Academy").ok

    reply = sam.say(command)

    assert not reply.ok and "ahead" in reply.title and "went wrong" not in reply.title, reply.title


def test_a_form_date_past_the_horizon_is_refused_on_its_field(any_person: Join) -> None:
    sam = any_person("Sam Patel", "St Ada's School")
    any_person("Priya Shah", "Hopper Academy")

    with pytest.raises(FormErrors) as refused:
        sam.submit("promise", {"what": "a minibus", "school": "2", "due": "9999-12-31"})

    assert "ahead" in refused.value.errors["due"]


@pytest.mark.parametrize("context", ["99999999999999999999", "²", "C99999999999", "1; DROP TABLE", "x" * 500])
def test_a_form_context_that_kept_never_wrote_is_refused(any_person: Join, context: str) -> None:
    sam = any_person("Sam Patel", "St Ada's School")

    for form in ("mou", "release", "snooze"):
        reply = sam.submit(form, {"reason": "no", "due": "2026-12-04"}, context=context)
        assert not reply.ok and APOLOGY not in reply.title, reply.title


@pytest.mark.parametrize("school", ["99999999999999999999", "²", "-1", " 2"])
def test_a_form_value_naming_no_school_kept_offered_is_refused_on_its_field(any_person: Join, school: str) -> None:
    sam = any_person("Sam Patel", "St Ada's School")

    with pytest.raises(FormErrors) as refused:
        sam.submit("promise", {"what": "a minibus", "school": school, "due": "2026-12-04"})

    assert refused.value.errors["school"] == "Please pick a school from the list."


@pytest.mark.postgres
def test_ten_people_joining_a_new_school_from_two_new_workspaces_at_once_all_get_in(pg_db: Database) -> None:
    from handlers.clock import MovableClock
    from tests.harness.fixtures import MONDAY_9AM

    kept = Kept(pg_db, MovableClock(MONDAY_9AM))
    start = threading.Barrier(10)
    replies: list[str] = []

    def join(n: int) -> None:
        caller = Caller("teams", f"tenant-{n % 2}", f"user-{n}", f"Teacher {n}")
        start.wait()
        replies.append(kept.handle(caller, "join Hopper Academy").title)

    threads = [threading.Thread(target=join, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(replies) == 10 and all(r.startswith("Welcome to Kept") for r in replies), replies
    with pg_db.transaction() as session:
        members = session.exec(select(Member)).all()
        schools = session.exec(select(School)).all()
    assert len(members) == 10 and len(schools) == 2, "one new network (and school) per workspace, never two"
    assert sorted(m.role for m in members).count("lead") == 2


def test_the_same_person_joining_twice_at_once_is_told_they_are_already_in(any_person: Join) -> None:
    grace = any_person("Grace Okafor", "St Ada's School")

    reply = grace.say("join St Ada's School")

    assert not reply.ok and reply.title == "You're already part of St Ada's School on Kept."


def test_a_database_out_of_reach_gets_a_kind_refusal_not_an_apology(
    person: Join, kept: Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    grace = person("Grace Okafor", "St Ada's School")

    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(kept.db, "transaction", unreachable)
    reply = grace.say("offer Two physics teachers")

    assert not reply.ok and reply.title == "Sorry, I can't reach my records just now, so nothing was changed."


def test_a_replayed_request_is_done_once_on_either_store(any_person: Join, any_kept: Kept) -> None:
    grace = any_person("Grace Okafor", "St Ada's School")

    first = any_kept.handle(grace.caller, "offer Two physics teachers", inbound_id="v0=" + "a" * 64)
    again = any_kept.handle(grace.caller, "offer Two physics teachers", inbound_id="v0=" + "a" * 64)

    assert first.ok and again.title == "Already done: I'd received that one before."
    with any_kept.db.transaction() as session:
        assert len(session.exec(select(Listing)).all()) == 1


@pytest.mark.postgres
def test_a_command_after_the_database_dropped_every_connection_is_done_once(pg_db: Database) -> None:
    """As after a PostgreSQL restart: the pooled connection is dead, yet the teacher's offer is saved, once."""
    from sqlalchemy import create_engine, text

    from handlers.clock import MovableClock
    from tests.harness.fixtures import MONDAY_9AM

    kept = Kept(pg_db, MovableClock(MONDAY_9AM))
    grace = Caller("slack", "T1", "U1", "Grace Okafor")
    assert kept.handle(grace, "join St Ada's School").ok
    with pg_db.engine.connect() as connection:  # the pool's one connection, about to be dropped under it
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = create_engine(pg_db.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    admin.dispose()

    reply = kept.handle(grace, "offer Two physics teachers for Year 9")

    assert reply.ok, reply.title
    with pg_db.transaction() as session:
        assert [listing.text for listing in session.exec(select(Listing)).all()] == ["Two physics teachers for Year 9"]


def test_someone_not_yet_joined_is_told_how_to_join_once_per_request(any_kept: Kept) -> None:
    """The receipt and the caller are read together on PostgreSQL: someone unknown is still asked to join, and
    as a refusal changes nothing (its receipt goes with it), asking again gets the same answer."""
    stranger = Caller("slack", "T9", "U9", "Ada Lovelace")

    first = any_kept.handle(stranger, "offer Two physics teachers", inbound_id="v0=" + "b" * 64)
    again = any_kept.handle(stranger, "offer Two physics teachers", inbound_id="v0=" + "b" * 64)
    joined = any_kept.handle(stranger, "join St Ada's School", inbound_id="v0=" + "c" * 64)
    offered = any_kept.handle(stranger, "offer Two physics teachers", inbound_id="v0=" + "d" * 64)
    replayed = any_kept.handle(stranger, "offer Two physics teachers", inbound_id="v0=" + "d" * 64)

    assert not first.ok and "Say `join <your school's name>`" in first.title
    assert again.title == first.title
    assert joined.ok and offered.ok and "on the board" in offered.title
    assert replayed.title == "Already done: I'd received that one before."
