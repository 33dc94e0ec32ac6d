"""Away and back, and asking for a hand: nudges wait, and the school's lead hears privately, once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from storage.models import Member
from tests.harness.delivery import RunUntil
from tests.harness.people import Join, Person
from tests.harness.recording import RecordingNotifier
from tests.scheduler.test_humane_times import utc


async def test_nudges_wait_while_someone_is_away_and_their_lead_hears_once(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")  # Fri 27 Nov
    reply = grace.say("away until 27/11")
    assert reply.ok and reply.title == "Enjoy your time away. I'll hold your reminders until Fri 27 Nov."
    assert "1 of your promises fall due meanwhile" in reply.text
    await run_until(utc(2026, 11, 28, 0))
    assert slack_inbox.to("U-GraceOkafor") == []
    assert slack_inbox.to("U-SamPatel") == ["A minibus: due Fri 27 Nov, while Grace Okafor is away (C1)"]
    await run_until(utc(2026, 11, 30, 12))
    # the held nudge and the +1 day follow-up fall on the same morning: she hears once, not at 08:00 and 09:00
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: was due Fri 27 Nov (C1)"]
    assert len(slack_inbox.to("U-SamPatel")) == 1


async def test_coming_back_early_releases_the_held_nudges_at_once(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    grace.say("away until 4/12")
    await run_until(utc(2026, 11, 25, 10))
    assert slack_inbox.to("U-GraceOkafor") == []
    assert grace.say("back").title == "Welcome back! Your reminders are running again."
    await run_until(utc(2026, 11, 25, 10, 30), step=timedelta(minutes=5))
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 27 Nov (C1)"]
    with kept.db.transaction() as session:
        assert session.exec(select(Member).where(Member.name == "Grace Okafor")).one().away_until is None


def test_away_needs_a_date_in_the_future(grace: Person) -> None:
    assert not grace.say("away").ok
    assert "already passed" in grace.say("away until 20/11/2026").title


def test_back_when_not_away_is_a_kind_no_op(grace: Person) -> None:
    assert grace.say("back").title.startswith("Welcome! You weren't marked as away")


async def test_need_help_tells_the_lead_privately_once_a_day(
    grace: Person, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    reply = grace.say("help-needed C1 our driver is off sick")
    assert reply.title == "A minibus: I've asked Sam Patel, privately, for a hand (C1)"
    grace.say("help-needed C1")
    await run_until(utc(2026, 11, 23, 12))
    assert slack_inbox.to("U-SamPatel") == ["A minibus: Grace Okafor would like a hand (C1)"]
    _, told = slack_inbox.delivered[0]
    assert told.text == "“our driver is off sick”"
    assert slack_inbox.to("U-PriyaShah") == []


def test_only_the_promise_owner_or_their_lead_may_ask_for_help_with_it(grace: Person, person: Join) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    priya = person("Priya Shah")
    assert not priya.say("help-needed C1").ok


def test_away_is_a_date_in_the_members_own_calendar(grace: Person, kept: Kept) -> None:
    grace.say("away until Friday")
    with kept.db.transaction() as session:
        assert session.exec(select(Member).where(Member.name == "Grace Okafor")).one().away_until == date(2026, 11, 27)
