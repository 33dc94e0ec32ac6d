"""APScheduler 3.11 wiring: one interval tick per process, on a MemoryJobStore, started inside the running loop.

APScheduler is only the metronome; the database holds what is due. Every process (`kept serve`, `kept worker`)
runs its own tick, and the outbox claim keeps replicas from sending anything twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from storage.db import unreachable

log = logging.getLogger("kept.scheduler")

Tick = Callable[[], Awaitable[Any]]
TICK_JOB = "kept-delivery-tick"


class Metronome:
    """Runs the tick and knows when none is running, so shutdown can let the current one finish."""

    def __init__(self, tick: Tick) -> None:
        self.tick = tick
        self.idle = asyncio.Event()
        self.idle.set()

    async def run(self) -> None:
        self.idle.clear()
        try:
            await self.tick()
        except Exception as exc:  # noqa: BLE001  (a database blip must not stop the metronome; the next tick retries)
            if not unreachable(exc):
                log.exception("scheduler tick failed; the next tick will try again")
            else:
                log.warning("scheduler tick skipped: database unreachable; the next tick will try again")
        finally:
            self.idle.set()


def build_scheduler(job: Callable[[], Awaitable[None]], seconds: float, timezone: str) -> AsyncIOScheduler:
    """A scheduler with one job every `seconds`, the first straight away, never two at once."""
    zone = ZoneInfo(timezone)
    scheduler = AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=zone,
    )
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=seconds, timezone=zone),
        id=TICK_JOB,
        next_run_time=datetime.now(zone),
        replace_existing=True,
    )
    return scheduler


@asynccontextmanager
async def running(tick: Tick, seconds: float, timezone: str, grace: float = 10.0) -> AsyncIterator[AsyncIOScheduler]:
    """Run the tick for as long as the block lasts; on the way out, let a tick in flight finish (up to
    `grace` seconds) before stopping. Must be entered inside the running event loop."""
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # not a line per tick
    metronome = Metronome(tick)
    scheduler = build_scheduler(metronome.run, seconds, timezone)  # a coroutine function, run on the loop
    scheduler.start()
    log.info("scheduler started: a tick every %gs", seconds)
    try:
        yield scheduler
    finally:
        scheduler.pause()
        try:
            await asyncio.wait_for(metronome.idle.wait(), grace)
        except TimeoutError:
            log.warning("a tick was still running after %gs; its claims pass on when their leases run out", grace)
        scheduler.shutdown(wait=False)


def cleanup_context(tick: Tick, seconds: float, timezone: str) -> Callable[[Any], AsyncIterator[None]]:
    """An aiohttp `cleanup_ctx` entry: the scheduler runs from app start-up to shutdown (`kept serve`)."""

    async def context(app: Any) -> AsyncIterator[None]:
        async with running(tick, seconds, timezone):
            yield

    return context


async def run_until_stopped(tick: Tick, seconds: float, timezone: str, stop: asyncio.Event) -> None:
    """`kept worker`: tick until `stop` is set (by SIGTERM or Ctrl-C)."""
    async with running(tick, seconds, timezone):
        await stop.wait()
