"""`kept worker`, the console's scheduler tick, and `kept notifications` (with `--stats`, a summary)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import datetime, timedelta
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


SETTLED = (outbox.SENT, outbox.FAILED, outbox.UNDELIVERABLE, outbox.DROPPED)
_PLATFORM_NAMES = {"slack": "Slack", "teams": "Teams", "console": "the console", "": "no chat account"}


def show_stats(db: Database, now: datetime, out: TextIO) -> int:
    """`kept notifications --stats`: what waits by kind and how late the oldest is, what was sent, failed or
    dropped in the last day by platform, and what is being retried. Counts only: no names."""
    with db.transaction() as session:
        waiting = outbox.waiting(session)
        settled = outbox.settled_since(session, now - timedelta(hours=24))
        retrying = outbox.retrying(session)
    out.write(_waiting_lines(waiting, now) + "\n" + _settled_lines(settled) + "\n" + _retry_line(settled, retrying))
    return 0


def _waiting_lines(waiting: list[outbox.Waiting], now: datetime) -> str:
    if not waiting:
        return "Nothing is waiting to be sent.\n"
    kinds: dict[str, tuple[int, datetime]] = {}
    for group in waiting:
        rows, oldest = kinds.get(group.kind, (0, group.oldest_due))
        kinds[group.kind] = (rows + group.rows, min(oldest, group.oldest_due))
    lines = [f"Waiting to be sent: {sum(rows for rows, _ in kinds.values())}"]
    for kind, (rows, oldest) in sorted(kinds.items()):
        late = f"oldest due {_ago(now - oldest)} ago" if oldest <= now else "none due yet"
        lines.append(f"  {kind:<18} {rows:>5}   {late}")
    return "\n".join(lines) + "\n"


def _settled_lines(settled: list[outbox.Settled]) -> str:
    if not settled:
        return "In the last 24 hours: nothing sent, failed or dropped.\n"
    platforms: dict[str, dict[str, int]] = {}
    for group in settled:
        platforms.setdefault(group.platform, {})[group.status] = group.rows
    lines = ["In the last 24 hours:"]
    for platform, counts in sorted(platforms.items()):
        said = ", ".join(f"{counts[status]} {status}" for status in SETTLED if counts.get(status))
        lines.append(f"  {_PLATFORM_NAMES.get(platform, platform) + ':':<17} {said}")
    return "\n".join(lines) + "\n"


def _retry_line(settled: list[outbox.Settled], retrying: int) -> str:
    needed = sum(group.retried for group in settled if group.status == outbox.SENT)
    if not retrying and not needed:
        return "No retries: everything went first time. Lovely.\n"
    waiting = f"{retrying} waiting to try again" if retrying else "none waiting to try again"
    needing = f"{needed} sent in the last day needed more than one try" if needed else "nothing sent today needed it"
    return f"Retries: {waiting}; {needing}.\n"


def _ago(span: timedelta) -> str:
    """A span as a person would say it: "under a minute", "12 minutes", "3 hours", "2 days"."""
    seconds = span.total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "under a minute"
