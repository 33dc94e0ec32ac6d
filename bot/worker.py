"""`kept worker`, the console's scheduler tick, and `kept notifications`."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import TextIO

from bot.wiring import Parts
from scheduler import jobs
from scheduler.delivery import DeliveryLoop
from storage import outbox
from storage.db import Database


def run_worker(parts: Parts) -> int:
    """The delivery tick alone, until SIGTERM or Ctrl-C; rows claimed at that moment pass on by their leases."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await jobs.run_until_stopped(parts.delivery.tick, parts.tick_seconds, parts.timezone, stop)

    asyncio.run(main())
    return 0


def console_tick(delivery: DeliveryLoop, take: Callable[[], list[str]]) -> Callable[[], list[str]]:
    """What `kept chat`'s `:advance` runs: one tick at the console's clock, then what arrived."""

    def tick() -> list[str]:
        asyncio.run(delivery.tick())
        return take()

    return tick


_NONE = {
    (False, False): "Nothing is waiting to be sent.\n",
    (True, False): "Nothing has failed. Lovely.\n",
    (False, True): "Nothing was dropped.\n",
    (True, True): "Nothing was dropped.\n",
}


def show_notifications(db: Database, failed: bool, out: TextIO, *, dropped: bool = False) -> int:
    """`kept notifications [--failed | --dropped]`: what is waiting, what could not be sent and why, or what was
    no longer true when its moment came, and why it was not sent."""
    with db.transaction() as session:
        if dropped:
            rows = outbox.stuck(session, statuses=(outbox.DROPPED,))
        else:
            rows = outbox.stuck(session) if failed else outbox.upcoming(session)
        if not rows:
            out.write(_NONE[(failed, dropped)])
            return 0
        for row in rows:
            who = f"member {row.member_id}" if row.member_id else f"partnership {row.partnership_id}"
            line = f"{row.due_at:%Y-%m-%d %H:%M}Z  {row.status:<13} {row.kind:<16} {who:<16} {row.dedupe_key}"
            detail = f"  attempts {row.attempts}: {row.last_error}" if row.last_error else ""
            out.write(line + detail + "\n")
    return 1 if failed else 0
