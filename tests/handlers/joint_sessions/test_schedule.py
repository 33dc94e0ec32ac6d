"""Joint sessions: planned in one line, listed for the schools taking part."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, func, select

from handlers.dispatch import Kept
from storage.models import JointSession, Notification
from tests.harness.people import Join


def test_a_session_is_planned_with_its_time_venue_and_schools(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    person("Tom Reed", "Lovelace Primary")
    reply = sam.say("session Year 6 science day on 3/12 at 10am at St Ada's School with Lovelace Primary")
    assert reply.ok and reply.title == "Year 6 science day: planned (S1)"
    fields = {f.label: f.value for f in reply.fields}
    assert fields == {
        "When": "Thu 3 Dec, 10:00 to 12:00",
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


def _notifications(kept: Kept) -> list[Notification]:
    with kept.db.transaction() as session:
        return list(session.exec(select(Notification).order_by(col(Notification.id))))


def test_the_organiser_moves_a_session_and_its_reminders_and_the_other_lead_hear(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    tom = person("Tom Reed", "Lovelace Primary")
    sam.say("session Year 6 science day on 3/12 10am at St Ada's School with Lovelace Primary")
    refused = tom.say("reschedule S1 10/12 10am")
    assert not refused.ok and "Only the organiser of S1" in refused.title
    moved = sam.say("move S1 to 10/12 2pm")
    assert moved.title == "Year 6 science day: moved to Thu 10 Dec, 14:00 (S1)"
    with kept.db.transaction() as session:
        assert session.exec(select(JointSession)).one().starts_at == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    rows = _notifications(kept)
    pending = {n.due_at for n in rows if n.kind == "session_reminder" and n.status == "pending"}
    assert datetime(2026, 12, 9, 14, 0, tzinfo=UTC) in pending  # the day before, at the new time
    assert datetime(2026, 12, 2, 10, 0, tzinfo=UTC) not in pending  # nothing left for the old date
    told = [n for n in rows if n.kind == "rescheduled"]
    assert [n.payload["title"] for n in told] == ["Year 6 science day: moved to Thu 10 Dec, 14:00 (S1)"]


def test_a_session_called_off_stops_its_reminders_and_leaves_the_list(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    tom = person("Tom Reed", "Lovelace Primary")
    sam.say("session Year 6 science day on 3/12 10am at St Ada's School with Lovelace Primary")
    assert "A few words of reason" in sam.say("cancel S1").title
    assert sam.say("cancel S1 The coach company let us down").ok
    assert tom.say("sessions").title == "No joint sessions coming up."
    assert not [n for n in _notifications(kept) if n.kind == "session_reminder" and n.status == "pending"]
    again = sam.say("cancel S1 still no coach")
    assert not again.ok and "can't find a planned joint session S1" in again.title
