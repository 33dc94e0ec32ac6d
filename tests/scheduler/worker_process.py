"""A `kept worker`-like process for the multi-process test: the real delivery loop and APScheduler tick,
delivering to a notifier that appends each message's title to a shared file.

Usage: python -m tests.scheduler.worker_process <database url> <file> <worker name> <lease s> [hang after N]
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

from handlers.messages import Address, Message
from scheduler import jobs
from scheduler.delivery import DeliveryLoop
from storage.db import Database

# A term-time Monday morning in London: real time passes from here, so leases run out as they would.
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATENCY = 0.003


class ShiftedClock:
    def __init__(self, start: datetime) -> None:
        self.start, self.began = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


class FileNotifier:
    """Appends `title` lines to a file shared by every worker. After `hang_after` sends it stops answering,
    as a platform connection can, so the worker is holding claims when it is killed."""

    platform = "recording"

    def __init__(self, path: str, hang_after: int | None) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        self.hang_after, self.started = hang_after, 0

    async def deliver(self, address: Address, message: Message) -> str:
        if self.hang_after is not None and self.started >= self.hang_after:
            await asyncio.Event().wait()
        self.started += 1
        await asyncio.sleep(LATENCY)  # the platform's own latency
        os.write(self.fd, f"{message.title}\n".encode())
        return message.title


async def main(url: str, path: str, name: str, lease: float, hang_after: int | None) -> None:
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # a hung tick makes the next ones skip, loudly
    db = Database.from_url(url)
    delivery = DeliveryLoop(
        db,
        {"recording": FileNotifier(path, hang_after)},
        clock=ShiftedClock(START),
        worker=name,
        lease=timedelta(seconds=lease),
        batch=25,
        concurrency=10,
        send_timeout=3600,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await jobs.run_until_stopped(delivery.tick, 0.05, "Europe/London", stop)
    db.engine.dispose()


if __name__ == "__main__":
    url, path, name, lease = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    hang = int(sys.argv[5]) if len(sys.argv) > 5 else None
    asyncio.run(main(url, path, name, lease, hang))
