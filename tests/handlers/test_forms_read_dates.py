"""Forms (a Slack modal, an Adaptive Card, prompts in `kept chat`) take the same words for dates as commands do.

The terminal's prompts are in tests/bot/console/test_chat.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from handlers.dispatch import Kept
from handlers.errors import FormErrors
from storage.models import Commitment, Listing, Mou, School
from tests.harness.people import Person
from tests.harness.world import World


def _school(kept: Kept, name: str) -> str:
    with kept.db.transaction() as session:
        return str(session.exec(select(School.id).where(School.name == name)).one())


def _commitment(kept: Kept) -> Commitment:
    with kept.db.transaction() as session:
        return session.exec(select(Commitment)).one()


def test_the_promise_and_snooze_forms_read_end_of_term_and_monday_week(grace: Person, kept: Kept) -> None:
    form = grace.say("promise").form
    assert form is not None and [(i.input_id, i.kind) for i in form.inputs][-1] == ("due", "text")
    assert "end of term" in form.inputs[-1].placeholder
    values = {"what": "a minibus for the trip", "school": _school(kept, "Hopper Academy"), "due": "end of term"}
    assert grace.submit("promise", values).ok
    assert _commitment(kept).due_at == datetime(2026, 12, 18, 17, 0, tzinfo=UTC)
    moved = grace.submit("snooze", {"due": "a week on Friday"}, context="C1")  # Monday 23 Nov: Fri 4 Dec
    assert moved.ok, moved.title
    assert _commitment(kept).due_at == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    assert "earlier than before (it was due Fri 18 Dec, 17:00)" in moved.title  # said, not silent


def test_a_form_date_it_cannot_read_is_an_error_on_that_field(grace: Person, kept: Kept) -> None:
    values = {"what": "a minibus for the trip", "school": _school(kept, "Hopper Academy"), "due": "31/12/9999"}
    with pytest.raises(FormErrors) as refused:
        grace.submit("promise", values)
    assert list(refused.value.errors) == ["due"] and "further ahead than I plan" in refused.value.errors["due"]


def test_the_offer_and_mou_forms_read_half_term_and_next_term(world: World) -> None:
    assert world.kept.submit(
        world.callers["alan"], "offer", "", {"text": "Our minibus on Fridays", "expires_on": "half term"}
    ).ok
    with world.db.transaction() as session:
        assert session.exec(select(Listing.expires_on)).one() == date(2027, 2, 12)
    physics = world.partnership("Physics", "St Ada's School", "Hopper Academy")
    assert world.kept.submit(world.callers["ada"], "mou", str(physics), {"review_on": "next term"}).ok
    with world.db.transaction() as session:
        assert session.exec(select(Mou.review_on)).one() == date(2027, 1, 5)
