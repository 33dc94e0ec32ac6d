"""Commitment nudges: before the date, on the morning, after it, then the lead; done cancels, snooze moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from scheduler.delivery import DeliveryLoop, TickReport
from storage import outbox
from storage.db import Database
from storage.models import Identity, Notification
from tests.harness.delivery import RunUntil, make_delivery_loop
from tests.harness.people import Join, Person
from tests.harness.recording import RecordingNotifier


def at(day: int, hour: int, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def sent(kept: Kept, prefix: str = "") -> list[tuple[str, datetime]]:
    """(what was sent, when) for every notification sent so far whose key starts with `prefix`."""
    with kept.db.transaction() as session:
        rows = session.exec(
            select(Notification)
            .where(Notification.status == "sent", col(Notification.dedupe_key).startswith(prefix))
            .order_by(col(Notification.sent_at))
        ).all()
        return [(row.dedupe_key.rsplit(":", 1)[-1], row.sent_at) for row in rows if row.sent_at]


async def test_a_promise_is_nudged_two_working_days_before_and_on_the_due_morning(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    assert grace.say("promise two physics practicals to Hopper Academy by Friday").ok  # Fri 27 Nov
    await run_until(at(28, 0))
    assert sent(kept) == [("-2d", at(25, 9)), ("-0d", at(27, 9))]
    assert slack_inbox.to("U-GraceOkafor") == [
        "Two physics practicals: due Fri 27 Nov (C1)",
        "Two physics practicals: due today, 17:00 (C1)",
    ]
    _, nudge = slack_inbox.delivered[0]
    assert [a.command for a in nudge.actions] == [
        "done C1",
        "snooze C1 1 week",
        "help-needed C1",
        "snooze C1 1 day",
        "snooze C1",
        "release C1",
    ]
    assert nudge.text == ""  # the promise is in the title: said once
    assert ("For", "Hopper Academy") in [(f.label, f.value) for f in nudge.fields]


async def test_an_overdue_promise_is_followed_up_twice_then_the_lead_is_told_privately(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    await run_until(at(9, 0, month=12))
    assert sent(kept)[2:] == [("+1d", at(30, 9)), ("+6d", at(7, 9, month=12)), ("lead", at(8, 9, month=12))]
    assert slack_inbox.to("U-GraceOkafor")[2:] == [
        "A minibus: was due Fri 27 Nov (C1)",
        "A minibus: was due Fri 27 Nov (C1)",
    ]
    assert slack_inbox.to("U-SamPatel") == ["A minibus: a week past its date (C1)"]
    assert slack_inbox.to("U-PriyaShah") == []  # the other school never hears of it


async def test_marking_a_promise_done_cancels_its_nudges(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    await run_until(at(24, 12))
    assert grace.say("done C1").ok
    await run_until(at(9, 0, month=12))
    assert slack_inbox.to("U-GraceOkafor") == []  # no nudges; Hopper's lead is only asked to confirm it arrived
    assert slack_inbox.titles() == ["A minibus: delivered by St Ada's School (C1)"]
    with kept.db.transaction() as session:
        rows = session.exec(select(Notification)).all()
        statuses = {row.status for row in rows if row.kind in ("nudge", "overdue", "escalation")}
    assert statuses == {"cancelled"}


async def test_a_nudge_claimed_just_before_the_promise_was_done_is_dropped_not_sent(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, delivery: DeliveryLoop
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    clock.set(at(25, 9))
    [row] = outbox.claim_due(kept.db, delivery.worker, clock.now(), delivery.lease)
    assert grace.say("done C1").ok  # lands between the claim and the send: the re-check catches it
    report = TickReport()
    await delivery.deliver(row, clock.now(), report)
    assert report.dropped == [row.id] and slack_inbox.delivered == []


async def test_snoozing_moves_the_nudges_to_the_new_date(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    assert grace.say("snooze C1 1 week").ok  # now due Fri 4 Dec
    await run_until(at(5, 0, month=12))
    assert sent(kept, "nudge:") == [("-2d", at(2, 9, month=12)), ("-0d", at(4, 9, month=12))]
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 4 Dec (C1)", "A minibus: due today, 17:00 (C1)"]


async def test_snoozing_after_a_nudge_was_sent_gives_fresh_nudges_for_the_new_date(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    await run_until(at(26, 12))
    grace.say("snooze C1 1 week")
    await run_until(at(5, 0, month=12))
    assert [key for key, _ in sent(kept, "nudge:")] == ["-2d", "-2d", "-0d"]
    assert slack_inbox.to("U-GraceOkafor")[1:] == ["A minibus: due Fri 4 Dec (C1)", "A minibus: due today, 17:00 (C1)"]


async def test_releasing_a_promise_cancels_its_follow_ups(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    await run_until(at(30, 12))
    assert grace.say("release C1 our minibus is off the road").ok
    await run_until(at(10, 0, month=12))
    assert slack_inbox.to("U-GraceOkafor") == [
        "A minibus: due Fri 27 Nov (C1)",
        "A minibus: due today, 17:00 (C1)",
        "A minibus: was due Fri 27 Nov (C1)",
    ]
    assert slack_inbox.to("U-SamPatel") == []


async def test_a_member_with_slack_and_teams_accounts_is_nudged_on_both(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, teams_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    with kept.db.transaction() as session:
        slack_identity = session.exec(select(Identity).where(Identity.user_id == "U-GraceOkafor")).one()
        session.add(
            Identity(
                platform="teams",
                tenant_id="hopper-tenant",
                user_id="29:grace",
                member_id=slack_identity.member_id,
                created_at=at(23, 9),
            )
        )
    grace.say("promise a minibus to Hopper Academy by Friday")
    await run_until(at(25, 10))
    assert slack_inbox.to("U-GraceOkafor") == teams_inbox.to("29:grace") == ["A minibus: due Fri 27 Nov (C1)"]
    assert sent(kept) == [("-2d", at(25, 9))]


async def test_nudges_are_delivered_once_on_sqlite_and_on_postgresql(
    any_person: Join, db: Database, clock: MovableClock, slack_inbox: RecordingNotifier
) -> None:
    any_person("Sam Patel", "St Ada's School")
    any_person("Priya Shah", "Hopper Academy")
    grace = any_person("Grace Okafor", "St Ada's School")
    grace.say("promise a minibus to Hopper Academy by Friday")
    worker = make_delivery_loop(db, clock, slack_inbox)
    while clock.now() < at(28, 0):
        clock.advance(timedelta(hours=1))
        await worker.tick()
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 27 Nov (C1)", "A minibus: due today, 17:00 (C1)"]
