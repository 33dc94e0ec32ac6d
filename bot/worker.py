"""The scheduler's wiring for `kept serve`, `kept worker`, `kept chat` and `kept notifications`."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TextIO

from bot.policy import reminder_policy
from bot.services import Services
from scheduler import jobs
from scheduler.delivery import DeliveryLoop
from storage import outbox
from storage.db import Database


def delivery_loop_for(services: Services) -> DeliveryLoop:
    settings = services.settings
    return DeliveryLoop(
        services.db,
        services.notifiers,
        clock=services.clock,
        policy=reminder_policy(settings),
        lease=timedelta(seconds=settings.lease_seconds),
        batch=settings.delivery_batch,
        concurrency=settings.delivery_concurrency,
        retry=outbox.Retry(max_attempts=settings.max_attempts),
    )


def scheduler_cleanup_context(services: Services) -> Callable[[Any], Any]:
    """The aiohttp cleanup_ctx entry that runs the delivery tick inside `kept serve`."""
    delivery = delivery_loop_for(services)
    return jobs.cleanup_context(delivery.tick, services.settings.tick_seconds, services.settings.timezone)


async def work(services: Services, stop: asyncio.Event) -> None:
    """`kept worker`: the delivery tick alone, until `stop` is set."""
    delivery = delivery_loop_for(services)
    await jobs.run_until_stopped(delivery.tick, services.settings.tick_seconds, services.settings.timezone, stop)


def run_worker(services: Services) -> int:
    """Run `work` until SIGTERM or Ctrl-C; rows claimed at that moment are handed on by their leases."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await work(services, stop)

    asyncio.run(main())
    return 0


def console_tick(delivery: DeliveryLoop, take: Callable[[], list[str]]) -> Callable[[], list[str]]:
    """What `kept chat`'s `:advance` runs: one tick at the console's clock, then what arrived."""

    def tick() -> list[str]:
        asyncio.run(delivery.tick())
        return take()

    return tick


def show_notifications(db: Database, failed: bool, out: TextIO) -> int:
    """`kept notifications [--failed]`: what is waiting, or what could not be sent and why."""
    with db.transaction() as session:
        rows = outbox.stuck(session) if failed else outbox.upcoming(session)
        if not rows:
            out.write("Nothing has failed. Lovely.\n" if failed else "Nothing is waiting to be sent.\n")
            return 0
        for row in rows:
            who = f"member {row.member_id}" if row.member_id else f"partnership {row.partnership_id}"
            line = f"{row.due_at:%Y-%m-%d %H:%M}Z  {row.status:<13} {row.kind:<16} {who:<16} {row.dedupe_key}"
            detail = f"  attempts {row.attempts}: {row.last_error}" if row.last_error else ""
            out.write(line + detail + "\n")
    return 1 if failed else 0
