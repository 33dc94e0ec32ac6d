"""The outbox on SQLite and PostgreSQL: one row per reminder, claimed by one worker at a time, never lost."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from storage import outbox
from storage.db import Database
from storage.models import Notification

NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _plan(db: Database, key: str, due_at: datetime, kind: str = "notice") -> None:
    with db.transaction() as session:
        outbox.enqueue(session, kind=kind, key=key, due_at=due_at, now=NINE)


def _rows(db: Database) -> dict[str, Notification]:
    with db.transaction() as session:
        return {row.dedupe_key: row for row in session.exec(select(Notification)).all()}


def test_planning_the_same_reminder_twice_yields_one_row(db: Database) -> None:
    _plan(db, "nudge:C1:20261127T1700Z:-2d", NINE)
    _plan(db, "nudge:C1:20261127T1700Z:-2d", NINE)
    assert list(_rows(db)) == ["nudge:C1:20261127T1700Z:-2d"]


def test_planning_a_pending_reminder_again_moves_it(db: Database) -> None:
    _plan(db, "nudge:C1:x:-2d", NINE)
    _plan(db, "nudge:C1:x:-2d", NINE + timedelta(days=1))
    assert _rows(db)["nudge:C1:x:-2d"].due_at == NINE + timedelta(days=1)


def test_a_sent_reminder_is_never_revived_by_planning_it_again(db: Database) -> None:
    _plan(db, "nudge:C1:x:-2d", NINE)
    [row] = outbox.claim_due(db, "st-adas-1", NINE, LEASE)
    assert outbox.record(db, outbox.sent(row, "st-adas-1", NINE, "1700000000.000100")) == [True]
    _plan(db, "nudge:C1:x:-2d", NINE + timedelta(days=1))
    stored = _rows(db)["nudge:C1:x:-2d"]
    assert (stored.status, stored.due_at, stored.delivery_ref) == ("sent", NINE, "1700000000.000100")


def test_cancel_by_prefix_touches_only_that_commitments_pending_rows(db: Database) -> None:
    for key in ("nudge:C1:x:-2d", "nudge:C1:x:-0d", "nudge:C12:x:-2d", "nudge:C1_:x:-2d"):
        _plan(db, key, NINE + timedelta(days=1))
    with db.transaction() as session:
        assert outbox.cancel(session, "nudge:C1:") == 2
    statuses = {key: row.status for key, row in _rows(db).items()}
    assert statuses == {
        "nudge:C1:x:-2d": "cancelled",
        "nudge:C1:x:-0d": "cancelled",
        "nudge:C12:x:-2d": "pending",
        "nudge:C1_:x:-2d": "pending",
    }


def test_a_cancelled_reminder_planned_again_comes_back(db: Database) -> None:
    _plan(db, "nudge:C1:x:-2d", NINE)
    with db.transaction() as session:
        outbox.cancel(session, "nudge:C1:")
    _plan(db, "nudge:C1:x:-2d", NINE + timedelta(hours=2))
    assert _rows(db)["nudge:C1:x:-2d"].status == "pending"


def test_only_due_rows_are_claimed_and_a_claimed_row_is_not_claimed_twice(db: Database) -> None:
    _plan(db, "due", NINE)
    _plan(db, "later", NINE + timedelta(hours=1))
    first = outbox.claim_due(db, "st-adas-1", NINE, LEASE)
    second = outbox.claim_due(db, "hopper-1", NINE, LEASE)
    assert [row.dedupe_key for row in first] == ["due"] and second == []
    assert (first[0].status, first[0].claimed_by, first[0].attempts) == ("claimed", "st-adas-1", 1)


def test_a_claim_whose_worker_died_is_taken_over_after_the_lease(db: Database) -> None:
    _plan(db, "due", NINE)
    [dead] = outbox.claim_due(db, "st-adas-1", NINE, LEASE)
    assert outbox.claim_due(db, "hopper-1", NINE + LEASE - timedelta(seconds=1), LEASE) == []
    [taken] = outbox.claim_due(db, "hopper-1", NINE + LEASE + timedelta(seconds=1), LEASE)
    assert taken.id == dead.id and taken.claimed_by == "hopper-1"
    assert outbox.record(db, outbox.sent(dead, "st-adas-1", NINE, "late")) == [False]  # the dead worker's word
    assert outbox.record(db, outbox.sent(taken, "hopper-1", NINE, "ts")) == [True]
    assert _rows(db)["due"].delivery_ref == "ts"


def test_a_failed_delivery_backs_off_with_jitter_and_honours_retry_after(db: Database) -> None:
    retry = outbox.Retry(base_seconds=30, cap_seconds=3600, max_attempts=5)
    _plan(db, "due", NINE)
    [row] = outbox.claim_due(db, "w", NINE, LEASE)
    assert outbox.record(db, outbox.failed(row, "w", NINE, "server error", retry=retry, rng=random.Random(1)))
    stored = _rows(db)["due"]
    assert stored.status == "pending" and stored.last_error == "server error"
    assert NINE + timedelta(seconds=15) <= stored.due_at <= NINE + timedelta(seconds=30)
    [row] = outbox.claim_due(db, "w", stored.due_at, LEASE)
    assert outbox.record(db, outbox.failed(row, "w", NINE, "rate limited", retry_after=600, retry=retry))
    assert _rows(db)["due"].due_at >= NINE + timedelta(seconds=600)


def test_backoff_grows_and_stays_under_its_cap() -> None:
    retry = outbox.Retry(base_seconds=30, cap_seconds=600, max_attempts=10)
    rng = random.Random(3)
    waits = [retry.delay(attempt, None, rng).total_seconds() for attempt in range(1, 9)]
    ceilings = [min(600, 30 * 2 ** (attempt - 1)) for attempt in range(1, 9)]
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(waits, ceilings, strict=True))


def test_after_the_last_attempt_a_row_is_failed_and_listed(db: Database) -> None:
    retry = outbox.Retry(base_seconds=1, cap_seconds=1, max_attempts=2)
    _plan(db, "due", NINE)
    moment = NINE
    for _ in range(2):
        [row] = outbox.claim_due(db, "w", moment, LEASE)
        outbox.record(db, outbox.failed(row, "w", moment, "server error", retry=retry))
        moment += timedelta(minutes=1)
    assert outbox.claim_due(db, "w", moment, LEASE) == []
    with db.transaction() as session:
        assert [(r.dedupe_key, r.status, r.attempts) for r in outbox.stuck(session)] == [("due", "failed", 2)]


def test_undeliverable_and_dropped_rows_are_never_retried(db: Database) -> None:
    _plan(db, "gone", NINE)
    _plan(db, "done", NINE)
    rows = {row.dedupe_key: row for row in outbox.claim_due(db, "w", NINE, LEASE)}
    gone = outbox.undeliverable(rows["gone"], "w", "account_inactive")
    assert outbox.record(db, gone, outbox.dropped(rows["done"], "w", "no longer needed")) == [True, True]
    assert outbox.claim_due(db, "w", NINE + timedelta(days=1), LEASE) == []
    assert {k: r.status for k, r in _rows(db).items()} == {"gone": "undeliverable", "done": "dropped"}


def test_postponing_a_row_moves_it_without_counting_an_attempt(db: Database) -> None:
    _plan(db, "evening", NINE)
    [row] = outbox.claim_due(db, "w", NINE, LEASE)
    tomorrow = NINE + timedelta(days=1)
    assert outbox.record(db, outbox.postponed(row, "w", tomorrow)) == [True]
    stored = _rows(db)["evening"]
    assert (stored.status, stored.due_at, stored.attempts) == ("pending", tomorrow, 0)


def test_outcomes_that_come_in_together_are_each_recorded_or_each_told_their_claim_was_lost(db: Database) -> None:
    """The delivery loop records a wave of sends in one transaction (scheduler/delivery.py: Outcomes): each row
    gets its own outcome, and only the row whose claim was taken over hears that it was lost."""
    import asyncio

    from scheduler.delivery import Outcomes

    _plan(db, "b", NINE - timedelta(minutes=1))  # the first due: the one another worker takes over
    for key in ("a", "c"):
        _plan(db, key, NINE)
    rows = {row.dedupe_key: row for row in outbox.claim_due(db, "w", NINE, LEASE)}
    [taken] = outbox.claim_due(db, "other", NINE + LEASE * 2, LEASE, 1)  # w's lease ran out

    async def wave() -> list[bool]:
        outcomes = Outcomes(db)
        return await asyncio.gather(
            outcomes.record(outbox.sent(rows["a"], "w", NINE, "ts-a")),
            outcomes.record(outbox.sent(rows["b"], "w", NINE, "ts-b")),
            outcomes.record(outbox.dropped(rows["c"], "w", "no longer needed")),
        )

    assert asyncio.run(wave()) == [True, False, True]
    stored = _rows(db)
    assert (stored["a"].status, stored["a"].delivery_ref) == ("sent", "ts-a")
    assert (stored["b"].status, stored["b"].claimed_by) == ("claimed", "other") and taken.id == stored["b"].id
    assert (stored["c"].status, stored["c"].last_error) == ("dropped", "no longer needed")


def test_outcomes_cut_short_at_shutdown_leave_no_send_waiting_for_ever(db: Database) -> None:
    import asyncio

    from scheduler.delivery import Outcomes

    _plan(db, "a", NINE)
    [row] = outbox.claim_due(db, "w", NINE, LEASE)

    async def shut_down_mid_wave() -> bool:
        outcomes = Outcomes(db)
        waiting = asyncio.ensure_future(outcomes.record(outbox.sent(row, "w", NINE, "ts")))
        await asyncio.sleep(0)  # the send has handed its outcome over
        assert outcomes._writing is not None
        outcomes._writing.cancel()  # as asyncio.run does to what is left at shutdown
        try:
            await waiting
        except asyncio.CancelledError:
            return True
        return False

    assert asyncio.run(shut_down_mid_wave())
    assert _rows(db)["a"].status == "claimed"  # not recorded: another worker takes it over when the lease ends


def test_an_outcome_arriving_just_as_the_last_writer_finishes_is_recorded(db: Database) -> None:
    """One wave's outcomes recorded, the next send's outcome comes in at once: it must start a writer of its
    own, not be left to the one that has just finished (the dispatch bench's four workers caught this)."""
    import asyncio

    from scheduler.delivery import Outcomes

    for key in ("a", "b"):
        _plan(db, key, NINE)
    rows = {row.dedupe_key: row for row in outbox.claim_due(db, "w", NINE, LEASE)}

    async def one_after_another() -> list[bool]:
        outcomes = Outcomes(db)
        first = await outcomes.record(outbox.sent(rows["a"], "w", NINE, "ts-a"))
        return [first, await outcomes.record(outbox.sent(rows["b"], "w", NINE, "ts-b"))]

    assert asyncio.run(one_after_another()) == [True, True]
    assert {key: row.status for key, row in _rows(db).items()} == {"a": "sent", "b": "sent"}
