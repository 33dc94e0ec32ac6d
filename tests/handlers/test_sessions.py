"""Joint sessions: planned in one line, listed for the schools taking part."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import func, select

from handlers.dispatch import Kept
from storage.models import JointSession
from tests.people import Join


def test_a_session_is_planned_with_its_time_venue_and_schools(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    person("Tom Reed", "Lovelace Primary")
    reply = sam.say("session Year 6 science day on 3/12 at 10am at St Ada's School with Lovelace Primary")
    assert reply.ok and reply.title == "Joint session planned as S1: Year 6 science day"
    fields = {f.label: f.value for f in reply.fields}
    assert fields == {
        "When": "Thu 3 Dec, 10:00",
        "Where": "St Ada's School",
        "With": "St Ada's School, Lovelace Primary",
    }
    with kept.db.transaction() as session:
        joint = session.exec(select(JointSession)).one()
        assert joint.starts_at == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_sessions_lists_what_is_coming_up_for_my_school_only(person: Join) -> None:
    sam = person("Sam Patel", "St Ada's School")
    tom = person("Tom Reed", "Lovelace Primary")
    priya = person("Priya Shah", "Hopper Academy")
    sam.say("session Year 6 science day on 3/12 10am at St Ada's School with Lovelace Primary")
    assert [s.text for s in tom.say("sessions").sections] == ["S1 · Year 6 science day"]
    assert priya.say("sessions").title == "No joint sessions coming up."


def test_a_session_with_no_other_school_or_in_the_past_is_refused(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    no_schools = sam.say("session Staff INSET on 3/12 10am at St Ada's School with St Ada's School")
    assert not no_schools.ok and "at least one other school" in no_schools.title
    person("Tom Reed", "Lovelace Primary")
    past = sam.say("session Science day on 1/1/2026 at St Ada's School with Lovelace Primary")
    assert not past.ok and "already passed" in past.title
    muddled = sam.say("session a science day soon")
    assert not muddled.ok and "Say `session <title> on <date time>" in muddled.title
    with kept.db.transaction() as session:
        assert session.exec(select(func.count()).select_from(JointSession)).one() == 0
