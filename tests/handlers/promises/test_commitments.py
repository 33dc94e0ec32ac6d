"""Promises between schools: made in plain words, closed by their owner or lead, refused for anyone else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from storage.models import Commitment, LogEntry
from tests.harness.people import Join, Person


@pytest.fixture
def grace(person: Join) -> Person:
    person("Sam Patel", "St Ada's School")  # the lead
    person("Priya Shah", "Hopper Academy")
    return person("Grace Okafor", "St Ada's School")


def _commitment(kept: Kept, number: int = 1) -> Commitment:
    with kept.db.transaction() as session:
        found = session.get(Commitment, number)
        assert found is not None
        return found


def _count(kept: Kept, table: type) -> int:
    with kept.db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def test_a_promise_reads_natural_dates_in_london_time(grace: Person, kept: Kept) -> None:
    reply = grace.say("promise two physics practicals to Hopper Academy by Friday")
    assert reply.ok and reply.title.endswith(": promised to Hopper Academy (C1)")
    assert ("Due", "Fri 27 Nov, 17:00") in [(f.label, f.value) for f in reply.fields]
    assert [a.command for a in reply.actions] == ["done C1", "snooze C1 1 week", "release C1"]
    assert _commitment(kept).due_at == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("said", "due"),
    [
        ("12/03", datetime(2027, 3, 12, 17, 0, tzinfo=UTC)),  # day-first: 12 March
        ("tomorrow 3pm", datetime(2026, 11, 24, 15, 0, tzinfo=UTC)),
        ("3 June 2027", datetime(2027, 6, 3, 16, 0, tzinfo=UTC)),  # 17:00 BST
    ],
)
def test_dates_are_day_first_and_keep_a_time_when_given(grace: Person, kept: Kept, said: str, due: datetime) -> None:
    assert grace.say(f"promise a minibus to Hopper Academy by {said}").ok
    assert _commitment(kept).due_at == due


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("promise a minibus to Hopper Academy by 31/02", "couldn't read `31/02` as a date"),
        ("promise a minibus to Hopper Academy by banana", "couldn't read `banana`"),
        ("promise a minibus to Hopper Academy by 01/01/2020", "has already passed"),
        ("promise a minibus to Hoper Academy by Friday", "Did you mean Hopper Academy?"),
        ("promise a minibus to St Ada's School by Friday", "Promises are to other schools"),
        ("promise a minibus by Friday", "Say `promise <what> to <school> by <date>`"),
    ],
)
def test_a_promise_that_cannot_be_understood_is_refused_and_nothing_is_stored(
    grace: Person, kept: Kept, said: str, reason: str
) -> None:
    reply = grace.say(said)
    assert not reply.ok and reason in reply.title
    assert _count(kept, Commitment) == 0


def test_the_owner_marks_a_promise_done_and_a_second_press_changes_nothing(grace: Person, kept: Kept) -> None:
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    assert grace.say("done C1").title == "Two physics practicals: delivered (C1). Thank you!"
    again = grace.say("done C1")
    assert not again.ok and "already done" in again.title
    assert _commitment(kept).status == "done"
    assert [e.action for e in _log(kept)].count("done") == 1


def _log(kept: Kept) -> list[LogEntry]:
    with kept.db.transaction() as session:
        return list(session.exec(select(LogEntry).order_by(LogEntry.id)))  # type: ignore[arg-type]


def test_the_school_lead_may_close_a_colleague_s_promise(grace: Person, person: Join, kept: Kept) -> None:
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    sam = person("Sam Patel")
    assert sam.say("release C1 Our physics lab is being refitted").ok
    assert _commitment(kept).status == "released"
    assert _commitment(kept).release_reason == "Our physics lab is being refitted"


def test_a_colleague_or_another_school_may_not_close_someone_else_s_promise(
    grace: Person, person: Join, kept: Kept
) -> None:
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    colleague = person("Ben Hale", "St Ada's School")
    refused = colleague.say("done C1")
    assert not refused.ok and "C1 is Grace Okafor's promise" in refused.title
    priya = person("Priya Shah")
    assert not priya.say("done C1").ok
    stranger = person("Alex Kim", "Faraday College", tenant="T0ELSEWHERE")
    assert "can't find commitment C1" in stranger.say("done C1").title
    assert _commitment(kept).status == "open"


def test_release_without_a_reason_asks_for_one(grace: Person, kept: Kept) -> None:
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    reply = grace.say("release C1")
    assert reply.form is not None and reply.form.form_id == "release" and reply.form.context == "C1"
    assert _commitment(kept).status == "open"
    assert grace.submit("release", {"reason": "Staff illness this week"}, context="C1").ok
    assert _commitment(kept).status == "released"


def test_snooze_moves_the_due_date_by_a_week_or_to_a_date(grace: Person, kept: Kept) -> None:
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    assert grace.say("snooze C1 1 week").title == "Two physics practicals: now due Fri 4 Dec, 17:00 (C1)"
    assert grace.say("snooze C1 10/12").ok
    assert _commitment(kept).due_at == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    refused = grace.say("snooze C1 yesterday")
    assert not refused.ok and "already passed" in refused.title


def test_mine_lists_only_my_open_promises_soonest_first(grace: Person, clock: MovableClock) -> None:
    grace.say("promise a minibus to Hopper Academy by 10/12")
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    grace.say("promise a careers talk to Hopper Academy by 1/12")
    grace.say("done C3")
    mine = grace.say("mine")
    assert mine.title == "Your 2 open promises"
    assert [s.text.rsplit("(", 1)[1] for s in mine.sections] == ["C2)", "C1)"]
    assert all(s.actions for s in mine.sections)


def test_a_ref_of_the_wrong_kind_is_explained(grace: Person) -> None:
    reply = grace.say("done O3")
    assert reply.title == "`O3` is a ref for an offer: I need a commitment ref such as `C12`."


def test_a_due_date_in_the_holidays_gets_a_gentle_warning(grace: Person) -> None:
    reply = grace.say("promise a minibus to Hopper Academy by 22/12")
    assert reply.ok and reply.footer.startswith("Just so you know, Tue 22 Dec falls in the Christmas holidays.")
    assert "holidays" not in grace.say("promise a careers talk to Hopper Academy by 10/12").footer


def test_the_promise_form_is_not_offered_when_there_is_no_other_school_to_promise_to(person: Join) -> None:
    reply = person("Sam Patel", "St Ada's School").say("promise")
    assert reply.form is None and not reply.ok and "no other schools in your network yet" in reply.title
