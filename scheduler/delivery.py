"""The delivery loop: claim due rows, re-check and render them through handlers, send, record the outcome.

Database work runs off the event loop (`Database.run`) in short transactions: one to claim a batch, one to re-check
and render it, then one for the outcomes that come in together (`Outcomes`). Sends run outside any transaction,
several at once within a bound (`concurrency`), each holding its place until its outcome is recorded. A batch is
prepared (its recipients read in two queries) only once the last one is recorded: preparing a row can change
others (a nudge for someone away pauses their reminders), so overlapping the two let the random histories of
tests/properties hear one promise twice in a day. A row is marked sent only after a platform accepted it; a crash
before that leaves it claimed, and another worker takes it over when its lease runs out. A crash in the instant
between the platform's success and the commit can repeat those sends (at most `concurrency`): delivery is
at-least-once with a tiny window, since neither Slack nor Teams takes an idempotency key. A message to a member
with several accounts counts as sent once any account accepted it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from handlers.clock import Clock, SystemClock
from handlers.messages import Address
from handlers.outbound import upkeep
from handlers.outbound.prepare import Drop, Later, Outcome, Send, prepare, prepare_batch, report_unreachable
from handlers.policy import DEFAULT_POLICY, ReminderPolicy
from scheduler import calendars
from scheduler.notifier import DeliveryFailed, Notifier
from storage import outbox
from storage.db import Database
from storage.models import Notification

log = logging.getLogger("kept.scheduler")
T = TypeVar("T")


def worker_name() -> str:
    """A name for this process's claims, unique across hosts: host, process id and a random tag."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{random.randrange(16**4):04x}"


class Watch(Protocol):
    """Told what the loop does, for an operator's figures (`bot/metrics.py`). Called on the event loop: must be
    quick and must not raise."""

    def delivered(self, outcome: str, platform: str) -> None:
        """A row's outcome, as recorded: a TickReport field's name (`sent`, `retrying`, ...) and the platform
        it went to, or "" when it was settled before any platform was tried."""

    def ticked(self, seconds: float) -> None:
        """One tick took `seconds`, wall time, whether or not it finished cleanly."""


@dataclass
class TickReport:
    """What one tick did, for logs, tests and `kept chat`."""

    sent: list[int] = field(default_factory=list)
    postponed: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    undeliverable: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return sum(len(v) for v in vars(self).values())


@dataclass
class DeliveryLoop:
    """One process's delivery loop over a database, with a notifier per platform."""

    db: Database
    notifiers: Mapping[str, Notifier]
    clock: Clock = field(default_factory=SystemClock)
    policy: ReminderPolicy = DEFAULT_POLICY
    worker: str = field(default_factory=worker_name)
    lease: timedelta = timedelta(minutes=5)
    batch: int = 50
    concurrency: int = 10
    send_timeout: float = 30.0
    retry: outbox.Retry = field(default_factory=outbox.Retry)
    rng: random.Random = field(default_factory=random.Random)
    fetch: calendars.Fetch | None = None  # fetches term-date links; None leaves them unfetched (tests, demos)
    watch: Watch | None = None  # told each outcome and each tick's length (the /metrics figures)
    _upkept_on: date | None = field(default=None, repr=False)
    _outcomes: Outcomes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._outcomes = Outcomes(self.db)

    async def _db_work(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.db.run(work, *args, **kwargs)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Deliver everything due at `now` (the clock's time if not given): what fell due while Kept was down
        is claimed once, however many ticks were missed."""
        started = time.perf_counter()
        try:
            return await self._tick(now)
        finally:
            if self.watch is not None:
                self.watch.ticked(time.perf_counter() - started)

    async def _tick(self, now: datetime | None) -> TickReport:
        report = TickReport()
        start = now or self.clock.now()
        await self._db_work(self._housekeeping, start)
        if self.fetch is not None:
            await calendars.refresh(self.db, self.fetch, start)
        gate = asyncio.Semaphore(self.concurrency)
        while True:  # a batch at a time: preparing one row may change another, so never while sends are under way
            moment = max(start, self.clock.now())
            rows = await self._db_work(outbox.claim_due, self.db, self.worker, moment, self.lease, self.batch)
            if not rows:
                return report
            outcomes = await self._db_work(self._prepare_batch, rows, moment)
            await asyncio.gather(*(self._guarded(gate, row, outcomes[row.id or 0], moment, report) for row in rows))

    def _housekeeping(self, now: datetime) -> None:
        """Work that makes rows rather than sends them: this week's digests, matches for new listings, and
        once a day (per process; every step is idempotent) expiry reminders, health notices and pruning."""
        with self.db.transaction() as session:
            upkeep.every_tick(session, now)
        today = now.date()
        if self._upkept_on != today:
            with self.db.transaction() as session:
                upkeep.daily(session, now)
            self._upkept_on = today

    async def _guarded(
        self, gate: asyncio.Semaphore, row: Notification, outcome: Outcome | None, now: datetime, report: TickReport
    ) -> None:
        """A place is held from the send until its outcome is recorded, so a worker killed at any moment can
        have sent, unrecorded, at most `concurrency` rows (the ones another worker may send again)."""
        async with gate:
            await self.deliver(row, now, report, outcome)

    async def deliver(
        self, row: Notification, now: datetime, report: TickReport, outcome: Outcome | None = None
    ) -> None:
        """Take one claimed row to its next state (preparing it first, unless the batch already did)."""
        if outcome is None:
            outcome = await self._db_work(self._prepare_one, row, now)
        if outcome is None:
            failed = outbox.failed(row, self.worker, now, "could not prepare it", retry=self.retry)
            await self._record("retrying", report, failed)
        elif isinstance(outcome, Drop):
            await self._record("dropped", report, outbox.dropped(row, self.worker, outcome.reason))
        elif isinstance(outcome, Later):
            await self._record("postponed", report, outbox.postponed(row, self.worker, outcome.until, outcome.payload))
        else:
            await self._send(outcome, row, now, report)

    def _prepare_batch(self, rows: list[Notification], now: datetime) -> Mapping[int, Outcome | None]:
        """Re-check and render a whole claimed batch in one transaction; if anything in it fails, row by row,
        so one bad row cannot hold the others back."""
        try:
            with self.db.transaction() as session:
                return prepare_batch(session, rows, now, self.policy)
        except Exception:  # noqa: BLE001  (isolated below, and logged there for the row at fault)
            return {row.id or 0: self._prepare_one(row, now) for row in rows}

    def _prepare_one(self, row: Notification, now: datetime) -> Outcome | None:
        try:
            with self.db.transaction() as session:
                return prepare(session, row, now, self.policy)
        except Exception:  # noqa: BLE001  (the row backs off and, after its last attempt, shows as failed)
            log.exception("could not prepare notification %s (%s)", row.id, row.kind)
            return None

    async def _send(self, send: Send, row: Notification, now: datetime, report: TickReport) -> None:
        results = await asyncio.gather(*(self._send_one(a, send) for a in send.addresses))
        refs = [r for r in results if isinstance(r, str)]
        failures = [r for r in results if isinstance(r, DeliveryFailed)]
        accepted = [a.platform for a, r in zip(send.addresses, results, strict=True) if isinstance(r, str)]
        via = (accepted or [a.platform for a in send.addresses] or [""])[0]
        if refs:
            await self._record("sent", report, outbox.sent(row, self.worker, now, " ".join(refs)), via=via)
        elif all(f.permanent for f in failures):
            reason = failures[0].reason if failures else "no chat account to reach them on"
            await self._record("undeliverable", report, outbox.undeliverable(row, self.worker, reason), via=via)
            if send.unreachable_member is not None:
                await self._db_work(self._report_unreachable, row, send.unreachable_member, now)
        else:
            await self._retry(row, now, failures, report, via)

    async def _retry(
        self, row: Notification, now: datetime, failures: list[DeliveryFailed], report: TickReport, via: str
    ) -> None:
        transient = [f for f in failures if not f.permanent]
        waits = [f.retry_after for f in transient if f.retry_after is not None]
        target = "failed" if row.attempts >= self.retry.max_attempts else "retrying"
        wait = max(waits) if waits else None
        reason = transient[0].reason
        failed = outbox.failed(row, self.worker, now, reason, retry_after=wait, retry=self.retry, rng=self.rng)
        await self._record(target, report, failed, via=via)

    async def _send_one(self, address: Address, send: Send) -> str | DeliveryFailed:
        notifier = self.notifiers.get(address.platform)
        if notifier is None:
            return DeliveryFailed(f"no notifier for {address.platform} in this process")
        try:
            return await asyncio.wait_for(notifier.deliver(address, send.message), self.send_timeout)
        except DeliveryFailed as failure:
            return failure
        except TimeoutError:
            return DeliveryFailed(f"{address.platform} did not answer within {self.send_timeout:g}s")
        except Exception:  # noqa: BLE001  (a notifier bug must not lose the row: it is retried, and logged)
            log.exception("notifier %s raised while delivering", address.platform)
            return DeliveryFailed(f"{address.platform} notifier raised an unexpected error")

    def _report_unreachable(self, row: Notification, member_id: int, now: datetime) -> None:
        with self.db.transaction() as session:
            report_unreachable(session, row, member_id, now)

    async def _record(self, outcome: str, report: TickReport, settle: outbox.Settle, via: str = "") -> None:
        """Record `outcome` (a TickReport field), for a send `via` a platform; a claim lost meanwhile is only
        logged."""
        if not await self._outcomes.record(settle):
            log.warning("lost the claim on notification %s before recording its outcome", settle.row_id)
            outcome = "lost"
        getattr(report, outcome).append(settle.row_id)
        if self.watch is not None:
            self.watch.delivered(outcome, via)


class Outcomes:
    """Outcomes that come in together are recorded together: one transaction and one trip to the database's
    thread for a whole wave of sends (they finish within a millisecond of each other), where one each kept every
    send's place 5 ms under load. A send's place is still held until its own outcome is on record."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[outbox.Settle, asyncio.Future[bool]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def record(self, settle: outbox.Settle) -> bool:
        """Record one outcome (with any others waiting); False if its claim was lost."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((settle, answer))
        if self._writing is None:
            self._writing = asyncio.ensure_future(self._write())
            self._writing.add_done_callback(self._written)
        return await answer

    async def _write(self) -> None:
        await asyncio.sleep(0)  # the rest of this wave's outcomes join in
        while self._waiting:
            batch = self._waiting[:]
            try:
                kept = await self.db.run(outbox.record, self.db, *(settle for settle, _ in batch))
            except Exception as exc:  # noqa: BLE001  (each waiting send hears it, as it would alone)
                results: list[tuple[asyncio.Future[bool], bool | Exception]] = [(a, exc) for _, a in batch]
            else:
                results = [(answer, done) for (_, answer), done in zip(batch, kept, strict=True)]
            del self._waiting[: len(batch)]
            for answer, result in results:
                if answer.done():  # its send was cancelled meanwhile
                    continue
                if isinstance(result, Exception):
                    answer.set_exception(result)
                else:
                    answer.set_result(result)
        self._writing = None  # with nothing waiting, and no await since: the next outcome starts a writer

    def _written(self, task: asyncio.Future[None]) -> None:
        """A writer cut short (cancelled at shutdown, even before it began): no send waits for ever."""
        if not task.cancelled() and task.exception() is None:
            return
        if self._writing is task:
            self._writing = None
        unanswered, self._waiting = self._waiting, []
        for _, answer in unanswered:
            if not answer.done():
                answer.cancel()
