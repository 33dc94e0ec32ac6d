"""Joint sessions: the logistics checklist, assigning items, and recording impact (invitations: test_invitation.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from handlers.joint_sessions import checklist as session_details
from storage.models import ChecklistItem, Commitment, JointSession
from tests.harness.world import World, buttons, notices_in


def _plan(
    world: World,
    text: str = "Year 6 science day on 8/7/2027 10am at St Ada's School with Hopper Academy",
    who: str = "mary",
) -> int:
    reply = world.say(who, f"session {text}")
    assert reply.ok, reply.title
    with world.db.transaction() as session:
        joint = session.exec(select(JointSession).order_by(JointSession.id.desc())).first()  # type: ignore[union-attr]
        session_details.add_checklist(session, joint)
        return joint.id


def test_a_planned_session_gets_the_logistics_checklist_once(world: World) -> None:
    sid = _plan(world)
    with world.db.transaction() as session:
        session_details.add_checklist(session, session.get(JointSession, sid))
        items = session.exec(select(ChecklistItem.item).where(ChecklistItem.session_id == sid)).all()
    assert sorted(items) == sorted(session_details.CHECKLIST)
    reply = world.say("grace", f"checklist S{sid}")
    assert [s.text for s in reply.sections][:2] == ["Transport: not assigned yet", "Venue: not assigned yet"]
    assert reply.sections[0].actions[0].command == f"assign S{sid} transport to me"


def test_a_session_with_no_other_school_is_refused(world: World) -> None:
    reply = world.say("mary", "session Science day on 4/12 10am at St Ada's School with St Ada's School")
    assert not reply.ok and "at least one other school" in reply.title
    with world.db.transaction() as session:
        assert session.exec(select(JointSession)).all() == []


def test_assigning_transport_makes_it_a_commitment_for_the_host_school_once_they_say_yes(world: World) -> None:
    sid = _plan(world)
    reply = world.say("ada", f"assign S{sid} transport to Alan Turing by 1/7/2027")
    assert reply.ok, reply.title
    assert reply.title == f"Transport for Year 6 science day: asked Alan Turing (S{sid})"
    with world.db.transaction() as session:
        assert session.exec(select(Commitment)).all() == []  # nothing is Alan's until he says yes
    (asked,) = [n for n in notices_in(world.db, "assign_ask") if n.member_id == world.members["alan"]]
    assert buttons(asked) == [f"take S{sid} transport", f"decline S{sid} transport"]
    assert [n.member_id for n in notices_in(world.db, "assign_ask")] == [world.members["alan"], world.members["grace"]]
    assert not world.say("grace", f"take S{sid} transport").ok  # only the one asked can say yes
    taken = world.say("alan", f"take S{sid} transport")
    assert taken.ok and taken.title.startswith("Transport for Year 6 science day: yours now (C")
    assert [n.member_id for n in notices_in(world.db, "assign_answer")] == [world.members["ada"]]
    with world.db.transaction() as session:
        commitment = session.exec(select(Commitment)).one()
        item = session.exec(select(ChecklistItem).where(ChecklistItem.item == "transport")).one()
    assert item.commitment_id == commitment.id
    assert commitment.owner_id == world.members["alan"]
    assert (commitment.from_school_id, commitment.to_school_id) == (
        world.school("Hopper Academy"),
        world.school("St Ada's School"),
    )
    assert commitment.what == f"Transport for Year 6 science day (S{sid})"
    assert commitment.session_id == sid
    again = world.say("grace", f"assign S{sid} transport to me")
    assert not again.ok and "already assigned" in again.title


def test_someone_asked_to_take_an_item_on_can_say_no_and_nothing_is_theirs(world: World) -> None:
    sid = _plan(world)
    assert world.say("ada", f"assign S{sid} transport to Alan Turing").ok
    declined = world.say("alan", f"decline S{sid} transport")
    assert declined.ok and "I've let them know" in declined.title
    with world.db.transaction() as session:
        item = session.exec(select(ChecklistItem).where(ChecklistItem.item == "transport")).one()
        assert (item.commitment_id, item.proposed_to) == (None, None)
        assert session.exec(select(Commitment)).all() == []
    (answer,) = notices_in(world.db, "assign_answer")
    assert answer.member_id == world.members["ada"] and "can't take it on" in answer.payload["text"]
    assert not world.say("alan", f"take S{sid} transport").ok  # the offer has gone


def test_an_item_assigned_to_me_with_no_date_is_due_a_week_before(world: World) -> None:
    sid = _plan(world)
    assert world.say("mary", f"assign S{sid} risk assessment to me").ok
    with world.db.transaction() as session:
        commitment = session.exec(select(Commitment)).one()
    assert commitment.owner_id == world.members["mary"]
    assert commitment.to_school_id == world.school("Hopper Academy")
    assert commitment.due_at == datetime(2027, 7, 1, 16, 0, tzinfo=UTC)  # 17:00 BST


def test_a_school_outside_the_session_cannot_see_or_assign_it(world: World) -> None:
    sid = _plan(world)
    reply = world.say("charles", f"assign S{sid} transport to me")
    assert not reply.ok and reply.title.startswith(f"I can't find a joint session S{sid}")
    assert not world.say("charles", f"ics S{sid}").ok


def test_the_organiser_records_impact_after_the_session(world: World) -> None:
    sid = _plan(world)
    early = world.say("mary", f"impact S{sid} 28 pupils, 3 staff: every pupil built a circuit")
    assert not early.ok and "hasn't happened yet" in early.title
    world.clock.set(datetime(2027, 7, 8, 15, 0, tzinfo=UTC))
    refused = world.say("grace", f"impact S{sid} 28 pupils, 3 staff: every pupil built a circuit")
    assert not refused.ok and refused.title == f"Only the organiser of S{sid} records its impact."
    reply = world.say("mary", f"impact S{sid} 28 pupils, 3 staff: every pupil built a circuit")
    assert reply.ok, reply.title
    with world.db.transaction() as session:
        joint = session.get(JointSession, sid)
    assert (joint.pupils_reached, joint.staff_involved, joint.impact) == (28, 3, "every pupil built a circuit")
