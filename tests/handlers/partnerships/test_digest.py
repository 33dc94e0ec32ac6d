"""The weekly digest: it leads with what was delivered and thanks people, and never names late work."""

from __future__ import annotations

from datetime import timedelta

from handlers.partnerships.digest import weekly_digest
from storage.models import JointSession
from tests.harness.world import World


def _busy_week(world: World) -> int:
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    world.commitment(
        "mary",
        "Hopper Academy",
        "two A-level physics practicals",
        status="done",
        done_days_ago=2,
        confirmed=True,
        thanks="The Year 12s loved them",
    )
    world.commitment("alan", "St Ada's School", "a Latin lesson for two GCSE pupils", status="done", done_days_ago=4)
    world.commitment("ada", "Hopper Academy", "the choir workshop", status="done", done_days_ago=20)
    world.commitment("mary", "Hopper Academy", "Year 9 chemistry lab", due_in_days=3)
    world.commitment("grace", "St Ada's School", "Minibus for the science fair", due_in_days=-6)  # overdue
    world.commitment("alan", "St Ada's School", "Careers talk", due_in_days=-2)  # overdue
    world.commitment("charles", "St Ada's School", "Year 6 transition visits", status="done", done_days_ago=1)
    world.listing("ada", "request", "A-level physics practicals", "specialist-staff", age_days=2)
    world.listing("grace", "offer", "Our minibus on Fridays", "shared-services", age_days=3)
    world.listing("grace", "offer", "Old offer", "other", age_days=30)
    with world.db.transaction() as session:
        session.add(
            JointSession(
                network_id=world.network_id,
                partnership_id=pid,
                title="Year 6 science day",
                starts_at=world.now + timedelta(days=4),
                venue="St Ada's School",
                organiser_id=world.members["mary"],
                created_at=world.now,
            )
        )
    return pid


def test_the_digest_leads_with_deliveries_and_thanks_the_people_who_made_them(world: World) -> None:
    pid = _busy_week(world)
    with world.db.transaction() as session:
        digest = weekly_digest(session, pid, world.now)
    assert digest is not None
    assert digest.title == "This week in Physics Link: 2 promises kept. Thank you!"
    assert digest.text == "Thank you, Alan Turing and Mary Somerville!"
    assert digest.sections[0].text == (
        "Alan Turing (Hopper Academy) delivered a Latin lesson for two GCSE pupils for St Ada's School"
    )
    second = digest.sections[1]
    assert second.text == (
        "Mary Somerville (St Ada's School) delivered two A-level physics practicals for Hopper Academy"
    )
    assert [(f.label, f.value) for f in second.fields] == [("Hopper Academy says", "“The Year 12s loved them”")]
    fields = {f.label: f.value for f in digest.fields}
    assert fields == {"Coming up": "1 joint session and 1 promise due", "New on the board": "1 offer and 1 request"}


def test_the_channel_digest_never_counts_what_each_school_gave(world: World) -> None:
    pid = _busy_week(world)
    with world.db.transaction() as session:
        text = weekly_digest(session, pid, world.now).plain()  # type: ignore[union-attr]
    assert " gave " not in text and "Give and take" not in text and "health" not in text
    assert "0 " not in text  # no zero lines either


def test_overdue_work_is_never_named_in_the_channel_digest(world: World) -> None:
    pid = _busy_week(world)
    with world.db.transaction() as session:
        text = weekly_digest(session, pid, world.now).plain()  # type: ignore[union-attr]
    for never in ("Minibus for the science fair", "Careers talk", "Grace Hopper", "overdue", "late", "missed"):
        assert never.lower() not in text.lower()


def test_work_between_other_schools_stays_out_of_this_partnerships_digest(world: World) -> None:
    pid = _busy_week(world)
    with world.db.transaction() as session:
        text = weekly_digest(session, pid, world.now).plain()  # type: ignore[union-attr]
    assert "Year 6 transition visits" not in text and "Lovelace" not in text


def test_a_quiet_week_sends_nothing(world: World) -> None:
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    with world.db.transaction() as session:
        assert weekly_digest(session, pid, world.now) is None


def test_digest_previews_it_with_the_readers_own_line(world: World) -> None:
    _busy_week(world)
    reply = world.say("mary", "digest")
    assert reply.ok, reply.title
    fields = {f.label: f.value for f in reply.fields}
    assert fields["Yours this week (only you see this)"] == "1 promise due"
    refused = world.say("charles", "digest Physics Link")
    assert not refused.ok and refused.title == "Lovelace Primary isn't part of Physics Link."


def test_the_digest_runs_the_same_on_postgresql(both_worlds: World) -> None:
    pid = _busy_week(both_worlds)
    with both_worlds.db.transaction() as session:
        digest = weekly_digest(session, pid, both_worlds.now)
    assert digest is not None and len(digest.sections) == 2
