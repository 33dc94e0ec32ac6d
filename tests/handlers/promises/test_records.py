"""Delivery records, and the receiving school confirming and thanking."""

from __future__ import annotations

from sqlmodel import select

from handlers.promises import records
from storage.models import Commitment, Notification
from tests.harness.world import World, buttons


def _history(world: World) -> None:
    world.commitment(
        "mary",
        "Hopper Academy",
        "Two A-level physics practicals",
        status="done",
        due_in_days=-3,
        done_days_ago=5,
        confirmed=True,
    )
    world.commitment("mary", "Hopper Academy", "Year 9 chemistry lab", status="done", due_in_days=-10, done_days_ago=8)
    world.commitment(
        "mary", "Lovelace Primary", "Year 6 transition visit", status="released", due_in_days=3, done_days_ago=1
    )
    world.commitment("ada", "Hopper Academy", "Minibus for the science fair", status="missed", due_in_days=-2)
    world.commitment(
        "grace", "St Ada's School", "Latin for two GCSE pupils", status="done", due_in_days=-1, done_days_ago=2
    )


def test_a_member_sees_their_own_record_only(world: World) -> None:
    _history(world)
    reply = world.say("mary", "record")
    assert reply.ok, reply.title
    assert reply.fields[0].value == (
        "1 on time, 1 late, 1 released with notice, 0 missed (1 confirmed by the receiving school)"
    )
    assert reply.sections == ()
    assert "Hopper" not in reply.plain()


def test_a_lead_sees_their_school_member_by_member_but_no_other_school(world: World) -> None:
    _history(world)
    reply = world.say("ada", "record")
    text = reply.plain()
    assert "St Ada's School: 1 on time, 1 late, 1 released with notice, 1 missed" in text
    assert "Mary Somerville: 1 on time" in text
    assert "Grace Hopper" not in text and "Latin" not in text


def test_done_asks_the_receiving_lead_to_confirm_with_one_press(world: World) -> None:
    cid = world.commitment("mary", "Hopper Academy", "Two A-level physics practicals", status="done", done_days_ago=0)
    with world.db.transaction() as session:
        commitment = session.get(Commitment, cid)
        records.ask_to_confirm(session, commitment, world.now)
        records.ask_to_confirm(session, commitment, world.now)
        asked = session.exec(select(Notification)).all()
    assert [n.member_id for n in asked] == [world.members["grace"]]
    assert buttons(asked[0]) == [f"confirm C{cid}"]
    assert asked[0].payload["title"] == f"Two A-level physics practicals: delivered by St Ada's School (C{cid})"


def test_the_receiving_school_confirms_and_thanks(world: World) -> None:
    cid = world.commitment("mary", "Hopper Academy", "Two A-level physics practicals", status="done", done_days_ago=1)
    assert world.say("alan", f"confirm C{cid}").ok
    assert world.say("alan", f"confirm C{cid}").ok
    reply = world.say("grace", f"thanks C{cid} The Year 12s loved the practicals")
    assert reply.ok, reply.title
    with world.db.transaction() as session:
        commitment = session.get(Commitment, cid)
        told = session.exec(select(Notification).where(Notification.member_id == world.members["mary"])).all()
    assert commitment.confirmed_at is not None
    assert commitment.thanks == "The Year 12s loved the practicals"
    assert [(n.payload["title"], n.payload["text"]) for n in told] == [
        (f"Two A-level physics practicals (C{cid})", "Hopper Academy confirmed it arrived. Thank you!"),
        (
            f"Two A-level physics practicals (C{cid})",
            "Hopper Academy says thank you: “The Year 12s loved the practicals”",
        ),
    ]


def test_only_the_receiving_school_can_confirm_and_only_once_delivered(world: World) -> None:
    done = world.commitment("mary", "Hopper Academy", "Physics practicals", status="done", done_days_ago=1)
    still_open = world.commitment("mary", "Hopper Academy", "Chemistry lab")
    refused = world.say("charles", f"confirm C{done}")
    assert not refused.ok and refused.title.startswith("Only the school that received")
    assert not world.say("mary", f"thanks C{done} well done me").ok
    early = world.say("grace", f"confirm C{still_open}")
    assert not early.ok and "hasn't been marked delivered" in early.title
    with world.db.transaction() as session:
        assert session.get(Commitment, done).confirmed_at is None
