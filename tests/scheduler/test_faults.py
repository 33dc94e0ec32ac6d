"""A platform that errs, rate-limits, hangs or refuses never loses a reminder, and never sends one twice."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from storage import outbox
from storage.models import Identity, Notification
from tests.harness.delivery import RunUntil, make_delivery_loop
from tests.harness.people import Person
from tests.harness.recording import RecordingNotifier
from tests.scheduler.test_humane_times import utc

WEDNESDAY_NINE = utc(2026, 11, 25, 9)


def _nudge(kept: Kept) -> Notification:
    with kept.db.transaction() as session:
        return session.exec(select(Notification).where(col(Notification.dedupe_key).endswith(":-2d"))).one()


def _promise_and_reach_the_first_nudge(grace: Person, clock: MovableClock) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    clock.set(WEDNESDAY_NINE - timedelta(minutes=1))


async def test_a_platform_error_is_retried_with_backoff_and_delivered_once(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _promise_and_reach_the_first_nudge(grace, clock)
    slack_inbox.fail_next(2, reason="internal_error")
    reports = await run_until(WEDNESDAY_NINE + timedelta(minutes=10), step=timedelta(seconds=15))
    assert sum(len(r.retrying) for r in reports) == 2
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 27 Nov (C1)"]
    row = _nudge(kept)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "internal_error")


async def test_a_rate_limit_is_honoured_before_trying_again(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _promise_and_reach_the_first_nudge(grace, clock)
    slack_inbox.fail_next(reason="ratelimited", retry_after=600)
    await run_until(WEDNESDAY_NINE)
    assert _nudge(kept).due_at >= WEDNESDAY_NINE + timedelta(seconds=600)
    await run_until(WEDNESDAY_NINE + timedelta(seconds=599), step=timedelta(seconds=30))
    assert slack_inbox.delivered == []
    await run_until(WEDNESDAY_NINE + timedelta(hours=1), step=timedelta(seconds=30))
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 27 Nov (C1)"]


async def test_a_notifier_that_hangs_or_raises_does_not_lose_the_nudge(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _promise_and_reach_the_first_nudge(grace, clock)
    impatient = make_delivery_loop(kept.db, clock, slack_inbox, send_timeout=0.01)
    slack_inbox.hang_next()
    slack_inbox.raise_next(ConnectionResetError("peer went away"))
    reports = await run_until(WEDNESDAY_NINE + timedelta(hours=1), step=timedelta(minutes=1), worker=impatient)
    assert sum(len(r.retrying) for r in reports) == 2
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 27 Nov (C1)"]


async def test_after_the_last_attempt_the_nudge_is_failed_and_listed_for_the_operator(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _promise_and_reach_the_first_nudge(grace, clock)
    stubborn = make_delivery_loop(kept.db, clock, slack_inbox, retry=outbox.Retry(base_seconds=60, max_attempts=3))
    slack_inbox.fail_next(10, reason="service_unavailable")
    reports = await run_until(WEDNESDAY_NINE + timedelta(hours=2), step=timedelta(minutes=1), worker=stubborn)
    assert [len(r.failed) for r in reports if r.failed] == [1]
    with kept.db.transaction() as session:
        [row] = outbox.stuck(session)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "service_unavailable")


async def test_a_colleague_who_left_is_marked_undeliverable_and_their_lead_told_privately(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _promise_and_reach_the_first_nudge(grace, clock)
    slack_inbox.fail_next(reason="account_inactive", permanent=True)
    await run_until(WEDNESDAY_NINE + timedelta(hours=1), step=timedelta(minutes=5))
    row = _nudge(kept)
    assert (row.status, row.last_error) == ("undeliverable", "account_inactive")
    assert slack_inbox.to("U-SamPatel") == ["I couldn't reach Grace Okafor on chat"]
    assert slack_inbox.to("U-PriyaShah") == []


async def test_a_colleague_with_no_chat_account_left_is_undeliverable_and_their_lead_told_once(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    with kept.db.transaction() as session:
        session.exec(select(Identity).where(Identity.user_id == "U-GraceOkafor")).one().active = False
    grace.say("promise a minibus to Hopper Academy by Friday")  # planned before she left
    await run_until(utc(2026, 11, 28, 0))
    assert slack_inbox.to("U-GraceOkafor") == []
    assert slack_inbox.to("U-SamPatel") == ["I couldn't reach Grace Okafor on chat"] * 2  # once for each nudge


async def test_a_worker_that_lost_its_claim_does_not_overwrite_the_new_owners_outcome(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier
) -> None:
    _promise_and_reach_the_first_nudge(grace, clock)
    clock.set(WEDNESDAY_NINE)
    slow = make_delivery_loop(kept.db, clock, slack_inbox, lease=timedelta(seconds=30))
    [row] = outbox.claim_due(kept.db, slow.worker, clock.now(), slow.lease)
    clock.advance(timedelta(minutes=1))  # the lease runs out mid-send; another worker takes over and sends
    fast = make_delivery_loop(kept.db, clock, slack_inbox)
    assert (await fast.tick()).sent == [row.id]
    assert outbox.record(kept.db, outbox.sent(row, slow.worker, clock.now(), "late")) == [False]
    assert _nudge(kept).delivery_ref == "slack-1"
