"""Give and take, lopsided and key-person thresholds, handing work over, and Himmelman stages."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.partnerships import health
from storage.models import Commitment, JointSession, Mou, Notification, Partnership
from tests.harness.world import World


def _deliver(world: World, who: str, to: str, times: int, *, confirmed: bool = True, size: int = 1) -> None:
    for n in range(times):
        world.commitment(
            who, to, f"Physics practical {n + 1}", status="done", done_days_ago=n + 1, confirmed=confirmed, size=size
        )


def _notices(world: World, prefix: str) -> list[Notification]:
    with world.db.transaction() as session:
        rows = session.exec(select(Notification)).all()
    return [n for n in rows if n.dedupe_key.startswith(prefix)]


def test_give_and_take_counts_each_way_weighting_self_reported_less(world: World) -> None:
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    _deliver(world, "mary", "Hopper Academy", 2, size=2)
    _deliver(world, "alan", "St Ada's School", 1, confirmed=False)
    with world.db.transaction() as session:
        (pair,) = health.give_and_take(session, pid)
    assert (pair.a_to_b.count, pair.a_to_b.weight) == (2, 4.0)
    assert (pair.b_to_a.count, pair.b_to_a.weight) == (1, 0.8)
    assert not pair.lopsided  # only three delivered so far


def test_three_to_one_with_four_delivered_is_lopsided_and_leads_hear_once(world: World) -> None:
    world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    _deliver(world, "mary", "Hopper Academy", 3)
    _deliver(world, "alan", "St Ada's School", 1)
    reply = world.say("ada", "health")
    assert reply.sections[0].text == "St Ada's School gave 3, Hopper Academy gave 1 (one-sided)"
    world.say("ada", "health")
    world.say("grace", "health")
    told = _notices(world, "lopsided:")
    assert sorted(n.member_id for n in told) == sorted([world.members["ada"], world.members["grace"]])
    assert told[0].payload["title"].startswith("Give and take in Physics Link is one-sided")


def test_just_under_three_to_one_is_not_lopsided(world: World) -> None:
    world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    _deliver(world, "mary", "Hopper Academy", 5)
    _deliver(world, "alan", "St Ada's School", 2)
    reply = world.say("ada", "health")
    assert reply.sections[0].text == "St Ada's School gave 5, Hopper Academy gave 2"
    assert _notices(world, "lopsided:") == []


def test_most_open_work_with_one_person_is_a_key_person_risk(world: World) -> None:
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    for n in range(3):
        world.commitment("mary", "Hopper Academy", f"Practical {n}")
    world.commitment("alan", "St Ada's School", "Latin lesson")
    with world.db.transaction() as session:
        risk = health.key_person(session, pid, world.now)
    assert risk == health.KeyPerson(world.members["mary"], 3, 4)
    reply = world.say("ada", "health")
    assert ("Key-person risk", "Mary Somerville holds 3 of 4") in [(f.label, f.value) for f in reply.fields]
    other_school = world.say("grace", "health")  # Hopper's lead sees give and take, never St Ada's staff by name
    assert ("Key-person risk", "none at your school") in [(f.label, f.value) for f in other_school.fields]
    told = _notices(world, "keyperson:")
    assert [n.member_id for n in told] == [world.members["ada"]]  # her own school's lead alone


def test_work_spread_across_people_is_not_a_risk(world: World) -> None:
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    for who in ("mary", "mary", "ada", "alan", "grace"):
        world.commitment(who, "Hopper Academy" if who in ("mary", "ada") else "St Ada's School", "Practical")
    with world.db.transaction() as session:
        assert health.key_person(session, pid, world.now) is None


def test_sessions_count_towards_key_person_risk(world: World) -> None:
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    world.commitment("mary", "Hopper Academy", "Practical")
    with world.db.transaction() as session:
        for n in range(2):
            session.add(
                JointSession(
                    network_id=world.network_id,
                    partnership_id=pid,
                    title=f"Science day {n}",
                    starts_at=world.now + timedelta(days=10 + n),
                    venue="St Ada's School",
                    organiser_id=world.members["mary"],
                    created_at=world.now,
                )
            )
    with world.db.transaction() as session:
        assert health.key_person(session, pid, world.now) == health.KeyPerson(world.members["mary"], 3, 3)


def test_a_lead_hands_over_open_commitments_with_notice_to_both(world: World) -> None:
    open_one = world.commitment("mary", "Hopper Academy", "Two A-level physics practicals")
    done_one = world.commitment("mary", "Hopper Academy", "Chemistry lab", status="done", done_days_ago=2)
    reply = world.say("ada", "handover Mary Somerville to me")
    assert reply.ok, reply.title
    assert reply.title == "Handed over 1 open promise from Mary Somerville to Ada Byron"
    with world.db.transaction() as session:
        assert session.get(Commitment, open_one).owner_id == world.members["ada"]
        assert session.get(Commitment, done_one).owner_id == world.members["mary"]
    told = _notices(world, "handover:")
    # Mary hears; Ada did it herself, so she isn't told; Hopper's lead hears who now holds its promise
    assert sorted(n.member_id for n in told) == sorted([world.members["mary"], world.members["grace"]])
    to_hopper = next(n for n in told if n.member_id == world.members["grace"])
    assert to_hopper.payload["title"] == "Ada Byron now holds 1 promise to your school"


def test_handover_to_someone_outside_the_school_is_refused(world: World) -> None:
    cid = world.commitment("mary", "Hopper Academy", "Two A-level physics practicals")
    reply = world.say("ada", "handover Mary Somerville to Alan Turing")
    assert not reply.ok
    assert reply.title.startswith("I can't find a colleague called `Alan Turing`")
    with world.db.transaction() as session:
        assert session.get(Commitment, cid).owner_id == world.members["mary"]
    assert _notices(world, "handover:") == []


def test_handover_by_a_non_lead_is_refused(world: World) -> None:
    cid = world.commitment("mary", "Hopper Academy", "Two A-level physics practicals")
    reply = world.say("mary", "handover Mary Somerville to Ada Byron")
    assert not reply.ok and reply.title.startswith("Only a school's partnership lead can hand work over")
    with world.db.transaction() as session:
        assert session.get(Commitment, cid).owner_id == world.members["mary"]


def test_health_of_a_partnership_of_one_school_is_refused(world: World) -> None:
    world.partnership("Just Us", "St Ada's School")
    reply = world.say("ada", "health Just Us")
    assert not reply.ok and "only one school" in reply.title


def test_starting_a_partnership_of_one_school_is_refused(world: World) -> None:
    reply = world.say("ada", "partnership Physics Link with St Ada's School")
    assert not reply.ok and "at least two schools" in reply.title
    with world.db.transaction() as session:
        assert session.exec(select(Partnership)).all() == []


def test_kept_suggests_a_stage_from_activity_and_a_lead_records_one(world: World) -> None:
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    shown = world.say("mary", "stage")
    assert dict((f.label, f.value) for f in shown.fields)["Kept suggests"] == "networking"
    _deliver(world, "mary", "Hopper Academy", 2)
    _deliver(world, "alan", "St Ada's School", 1)
    with world.db.transaction() as session:
        assert health.suggest_stage(session, pid, world.now)[0] == "co-operation"
        session.add(
            Mou(
                partnership_id=pid,
                purpose="Physics for all",
                accountability="Ada and Grace",
                expenditure="Shared minibus costs",
                updated_at=world.now,
            )
        )
        for n in range(2):
            session.add(
                JointSession(
                    network_id=world.network_id,
                    partnership_id=pid,
                    title=f"Science day {n}",
                    starts_at=world.now - timedelta(days=10 + n),
                    venue="Hopper Academy",
                    organiser_id=world.members["grace"],
                    created_at=world.now,
                )
            )
    with world.db.transaction() as session:
        suggested, why = health.suggest_stage(session, pid, world.now)
    assert suggested == "collaboration" and "2 joint sessions" in why
    assert not world.say("mary", "stage Physics Link collaboration").ok
    reply = world.say("ada", "stage Physics Link co-operation")
    assert reply.ok and reply.title == "Physics Link is now recorded at co-operation."
    with world.db.transaction() as session:
        assert session.get(Partnership, pid).stage == "co-operation"


def test_after_a_handover_the_reminders_go_to_the_new_owner(world: World) -> None:
    reply = world.say("mary", "promise two A-level physics practicals to Hopper Academy by 11/12/2026")
    assert reply.ok, reply.title
    assert world.say("ada", "handover Mary Somerville to Ada Byron").ok
    with world.db.transaction() as session:
        nudges = session.exec(
            select(Notification).where(Notification.status == "pending", Notification.kind == "nudge")
        ).all()
    assert nudges and {n.member_id for n in nudges} == {world.members["ada"]}
