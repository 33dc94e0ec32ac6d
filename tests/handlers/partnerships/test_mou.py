"""A partnership's MoU: shown to its schools, edited by leads by text or form, reviewed on time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from handlers.errors import FormErrors
from storage.models import Mou, Notification
from tests.harness.world import World


@pytest.fixture
def physics(world: World) -> int:
    return world.partnership("Physics Link", "St Ada's School", "Hopper Academy")


def test_anyone_in_the_partnership_sees_the_mou(world: World, physics: int) -> None:
    reply = world.say("alan", "mou")
    assert reply.ok and reply.title == "MoU: Physics Link"
    assert ("Purpose", "not agreed yet") in [(f.label, f.value) for f in reply.fields]
    assert reply.form is None and reply.actions == ()


def test_a_school_outside_the_partnership_cannot_see_it(world: World, physics: int) -> None:
    reply = world.say("charles", "mou Physics Link")
    assert not reply.ok and reply.title == "Lovelace Primary isn't part of Physics Link."


def test_a_lead_naming_the_partnership_gets_the_edit_form(world: World, physics: int) -> None:
    assert world.say("ada", "mou").actions[0].command == "mou Physics Link"
    reply = world.say("ada", "mou Physics Link")
    assert reply.form is not None and reply.form.form_id == "mou"
    assert reply.form.context == str(physics)
    assert [i.input_id for i in reply.form.inputs][:3] == ["purpose", "goals", "success_criteria"]


def test_a_lead_edits_a_field_by_text(world: World, physics: int) -> None:
    reply = world.say("grace", "mou Physics Link set success criteria 30 Year 12s complete the required practicals")
    assert reply.ok, reply.title
    with world.db.transaction() as session:
        agreement = session.get(Mou, physics)
    assert agreement.success_criteria == "30 Year 12s complete the required practicals"
    assert agreement.updated_by == world.members["grace"]


def test_an_mou_edit_by_a_non_lead_is_refused(world: World, physics: int) -> None:
    reply = world.say("mary", "mou Physics Link set purpose Anything we like")
    assert not reply.ok and reply.title.startswith("Only a school's partnership lead can edit")
    refused = world.kept.submit(world.callers["mary"], "mou", str(physics), {"purpose": "Anything"})
    assert not refused.ok
    with world.db.transaction() as session:
        assert session.get(Mou, physics) is None


def test_a_lead_of_another_partnership_cannot_submit_this_form(world: World, physics: int) -> None:
    refused = world.kept.submit(world.callers["charles"], "mou", str(physics), {"purpose": "Ours now"})
    assert not refused.ok
    with world.db.transaction() as session:
        assert session.get(Mou, physics) is None


def test_the_form_saves_every_field_and_plans_a_review_reminder(world: World, physics: int) -> None:
    values = {
        "purpose": "Physics for all",
        "accountability": "Ada Byron (St Ada's), Grace Hopper (Hopper)",
        "transport": "Hopper's minibus",
        "review_on": "2027-03-01",
    }
    reply = world.kept.submit(world.callers["ada"], "mou", str(physics), values)
    assert reply.ok, reply.title
    with world.db.transaction() as session:
        agreement = session.get(Mou, physics)
        reminders = session.exec(select(Notification)).all()
    assert agreement.review_on == date(2027, 3, 1) and agreement.transport == "Hopper's minibus"
    assert sorted(n.member_id for n in reminders) == sorted([world.members["ada"], world.members["grace"]])
    assert {n.due_at for n in reminders} == {datetime(2027, 2, 15, 9, 0, tzinfo=UTC)}


def test_the_form_refuses_a_review_date_in_the_past(world: World, physics: int) -> None:
    with pytest.raises(FormErrors) as refused:
        world.kept.submit(world.callers["ada"], "mou", str(physics), {"review_on": "2026-01-01"})
    assert refused.value.errors == {"review_on": "Thu 1 Jan 2026 has already passed. Please pick a later date."}
