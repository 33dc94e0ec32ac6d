"""Dispatch at scale: claim and deliver 10,000 due notifications on PostgreSQL with 1, 2 and 4 worker processes.

Each worker process runs Kept's own delivery loop (APScheduler tick, SKIP LOCKED claim with a lease, re-check
and render through handlers, send, conditional completion) against one PostgreSQL schema, delivering over HTTP
to a local stand-in platform (aiohttp on loopback, in a process of its own) that answers each call after a fixed
latency. The minimal peer is a naive loop that SELECTs due rows and sends them with no claim: in one process, and
beside each run of several Kept workers, in as many processes, each taking the rows whose id falls to it (it has
no other way not to double-send). The stand-in counts every message, so duplicates would show.

    .venv/bin/python bench/dispatch_bench.py [--count 10000] [--workers 1,2,4] [--latency-ms 5]
                                          [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import create_engine, func, insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from handlers.messages import (
    Address,
    Message,  # noqa: E402
)
from scheduler import jobs  # noqa: E402
from scheduler.delivery import DeliveryLoop  # noqa: E402
from scheduler.notifier import DeliveryFailed  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import ChatTenant, Identity, Member, Network, Notification, School  # noqa: E402

POSTGRES_URL = os.environ.get("KEPT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a term-time Monday morning: inside working hours
CONCURRENCY = DeliveryLoop.concurrency  # sends in flight per process: Kept's own default unless --concurrency
BATCH = 50


class ShiftedClock:
    """Real time passing, from a fixed term-time Monday morning (so humane-time rules never hold rows back)."""

    def __init__(self) -> None:
        self.began = time.monotonic()

    def now(self) -> datetime:
        return START + timedelta(seconds=time.monotonic() - self.began)


class StandinNotifier:
    """Delivers over HTTP to the stand-in platform, one POST per message."""

    platform = "standin"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http: aiohttp.ClientSession | None = None

    async def deliver(self, address: Address, message: Message) -> str:
        if self.http is None:
            self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY * 2))
        async with self.http.post(f"{self.base_url}/send", json={"to": address.user_id, "title": message.title}) as r:
            if r.status != 200:
                raise DeliveryFailed(f"stand-in answered {r.status}")
            return str((await r.json())["ts"])


# The stand-in platform -------------------------------------------------------------------------------------


@dataclass
class Standin:
    """The platform: answers each send after `latency`, and counts what it received (GET /counts, DELETE to
    clear). It runs in a process of its own, so that nothing the bench does meanwhile delays its answers."""

    latency: float
    received: Counter[str]

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(self.latency)  # the platform's own latency per call
        self.received[body["title"]] += 1
        return web.json_response({"ok": True, "ts": f"{time.time():.6f}"})

    async def counts(self, request: web.Request) -> web.Response:
        answer = web.json_response(dict(self.received))
        if request.method == "DELETE":
            self.received.clear()
        return answer


def serve_standin(port: int, latency: float) -> None:
    standin = Standin(latency, Counter())
    app = web.Application()
    app.router.add_post("/send", standin.send)
    app.router.add_route("*", "/counts", standin.counts)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def start_standin(latency: float, http: aiohttp.ClientSession) -> tuple[asyncio.subprocess.Process, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = str(Path(__file__).resolve())
    process = await asyncio.create_subprocess_exec(
        sys.executable, script, "--standin", str(port), "--latency-ms", str(latency * 1000)
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            await received(http, url)
            return process, url
        except aiohttp.ClientError:
            await asyncio.sleep(0.05)
    raise SystemExit("the stand-in platform did not start")


async def received(http: aiohttp.ClientSession, url: str, clear: bool = False) -> Counter[str]:
    async with http.request("DELETE" if clear else "GET", f"{url}/counts") as answer:
        return Counter(await answer.json())


# Data --------------------------------------------------------------------------------------------------------


def fresh_schema() -> tuple[str, str]:
    schema = f"kept_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return schema, f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def seed(db: Database, count: int) -> None:
    """One network, one school, 20 staff on the stand-in platform, and `count` notices due now."""
    with db.transaction() as session:
        session.execute(text("DELETE FROM notification"))
        if session.exec(select(Member)).first() is None:
            network = Network(name="Bench network", created_at=START)
            session.add(network)
            session.flush()
            session.add(ChatTenant(platform="standin", tenant_id="T", network_id=network.id or 0, created_at=START))
            school = School(network_id=network.id or 0, name="St Ada's School", name_key="st adas", created_at=START)
            session.add(school)
            session.flush()
            for n in range(20):
                member = Member(school_id=school.id or 0, name=f"Staff {n}", created_at=START)
                session.add(member)
                session.flush()
                session.add(
                    Identity(
                        platform="standin", tenant_id="T", user_id=f"U{n}", member_id=member.id or 0, created_at=START
                    )
                )
        member_ids = [m.id for m in session.exec(select(Member)).all()]
        due = START - timedelta(minutes=5)
        rows = [
            dict(
                kind="notice",
                dedupe_key=f"bench:{i}",
                member_id=member_ids[i % len(member_ids)],
                due_at=due,
                status="pending",
                payload={"title": f"n{i}"},
                created_at=START,
                attempts=0,
                claimed_by="",
                last_error="",
                delivery_ref="",
            )
            for i in range(count)
        ]
        for start in range(0, count, 2000):
            session.execute(insert(Notification.__table__), rows[start : start + 2000])  # type: ignore[attr-defined]


def sent_count(db: Database) -> int:
    with db.transaction() as session:
        return int(session.exec(select(func.count()).where(Notification.status == "sent")).one())


# One Kept worker process ------------------------------------------------------------------------------------


async def worker_main(url: str, standin_url: str, name: str) -> None:
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    db = Database.from_url(url)
    notifier = StandinNotifier(standin_url)
    delivery = DeliveryLoop(
        db,
        {"standin": notifier},
        clock=ShiftedClock(),
        worker=name,
        lease=timedelta(seconds=60),
        batch=BATCH,
        concurrency=CONCURRENCY,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)  # imported and built: the bench seeds the rows and starts its clock
    await jobs.run_until_stopped(delivery.tick, 0.05, "Europe/London", stop)
    if notifier.http is not None:
        await notifier.http.close()
    db.engine.dispose()


# The minimal peer: SELECT due rows, send them, mark them; no claim, one process -----------------------------


async def naive_peer(db: Database, standin_url: str, part: int = 0, parts: int = 1) -> None:
    """Send every due row whose id leaves `part` when divided by `parts`, recording each after its send."""
    notifier = StandinNotifier(standin_url)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def send(row_id: int, user: str, title: str) -> None:
        async with gate:
            ts = await notifier.deliver(Address("standin", "T", user_id=user), Message(title=title))
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE notification SET status='sent', delivery_ref=:ts WHERE id=:id"), {"ts": ts, "id": row_id}
            )

    while True:
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT n.id, i.user_id, n.payload FROM notification n "
                    "JOIN identity i ON i.member_id = n.member_id "
                    "WHERE n.status='pending' AND n.due_at <= now() AND n.id % :parts = :part "
                    "ORDER BY n.due_at LIMIT 500"
                ),
                {"parts": parts, "part": part},
            ).all()
        if not rows:
            break
        await asyncio.gather(*(send(r[0], r[1], r[2]["title"]) for r in rows))
    assert notifier.http is not None
    await notifier.http.close()


# Running and reporting -------------------------------------------------------------------------------------


async def timed_run(
    db: Database, http: aiohttp.ClientSession, standin_url: str, count: int, label: str, done: Any
) -> float:
    """Seconds until every row is recorded as sent: the stand-in's count is watched (a cheap HTTP call), the
    database only once the stand-in has them all (in a thread, so the bench's loop never waits on it)."""
    began = time.perf_counter()
    last = 0.0
    while True:
        sent = sum((await received(http, standin_url)).values())
        if sent >= count:
            sent = await asyncio.to_thread(sent_count, db)
        now = time.perf_counter()
        if now - last >= 1.0:
            print(f"  {label}: {sent:>6,}/{count:,} sent after {now - began:5.1f}s", flush=True)
            last = now
        if sent >= count or done():
            return time.perf_counter() - began
        await asyncio.sleep(0.02)


async def ready_children(arguments: list[list[str]], stdin: int | None = None) -> list[asyncio.subprocess.Process]:
    """This script as one process per argument list, once each has said it is ready (Python's start-up is not
    dispatch)."""
    script = str(Path(__file__).resolve())
    children = [
        await asyncio.create_subprocess_exec(sys.executable, script, *args, stdin=stdin, stdout=asyncio.subprocess.PIPE)
        for args in arguments
    ]
    for child in children:
        assert child.stdout is not None
        if await child.stdout.readline() != b"ready\n":
            for each in children:
                each.kill()
            raise SystemExit("a bench process did not start")
    return children


async def run_workers(
    db: Database, http: aiohttp.ClientSession, url: str, standin_url: str, processes: int, count: int
) -> float:
    """Start the workers, wait until each is ready, then seed the due rows and time until all are sent."""
    worker = ["--concurrency", str(CONCURRENCY), "--worker", url, standin_url]
    children = await ready_children([[*worker, f"bench-{n}"] for n in range(processes)])
    try:
        seed(db, count)
        return await timed_run(db, http, standin_url, count, f"{processes} worker(s)", lambda: False)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            await child.wait()


async def peer_main(url: str, standin_url: str, part: int, parts: int) -> None:
    """One process of the naive peer: ready once imported, then off when the bench says go (rows seeded)."""
    db = Database.from_url(url)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await naive_peer(db, standin_url, part, parts)
    db.engine.dispose()


async def run_peer_processes(
    db: Database, http: aiohttp.ClientSession, url: str, standin_url: str, processes: int, count: int
) -> float:
    """The naive peer in `processes` processes, rows split between them by id, timed from the go."""
    arguments = [["--peer", str(n), str(processes), url, standin_url] for n in range(processes)]
    children = await ready_children(arguments, stdin=asyncio.subprocess.PIPE)
    seed(db, count)
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        await child.stdin.drain()
    elapsed = await timed_run(db, http, standin_url, count, f"naive peer x{processes}", lambda: False)
    for child in children:
        await child.wait()
    return elapsed


async def run_peer(db: Database, http: aiohttp.ClientSession, standin_url: str, count: int) -> float:
    task = asyncio.create_task(naive_peer(db, standin_url))
    elapsed = await timed_run(db, http, standin_url, count, "naive peer", task.done)
    await task
    return elapsed


async def bench(count: int, worker_counts: list[int], latency: float) -> None:
    schema, url = fresh_schema()
    db = Database.from_url(url)
    db.create_all()
    http = aiohttp.ClientSession()
    standin, standin_url = await start_standin(latency, http)
    results: list[tuple[str, int, float, int]] = []  # name, processes, seconds, duplicates
    try:
        print(
            f"Dispatching {count:,} due notifications, stand-in latency {latency * 1000:g} ms, "
            f"batch {BATCH}, {CONCURRENCY} sends in flight per process, PostgreSQL schema {schema}"
        )
        seed(db, count)
        await received(http, standin_url, clear=True)
        peer_seconds = await run_peer(db, http, standin_url, count)
        results.append(
            ("naive peer (no claim, 1 process)", 1, peer_seconds, await _duplicates(http, standin_url, count))
        )
        for processes in worker_counts:
            seed(db, 0)  # no rows due while the workers start
            await received(http, standin_url, clear=True)
            seconds = await run_workers(db, http, url, standin_url, processes, count)
            name = f"Kept, {processes} worker process{'es' if processes > 1 else ''}"
            results.append((name, processes, seconds, await _duplicates(http, standin_url, count)))
            if processes > 1:
                seed(db, 0)
                await received(http, standin_url, clear=True)
                seconds = await run_peer_processes(db, http, url, standin_url, processes, count)
                name = f"naive peer, {processes} processes (rows split by id)"
                results.append((name, processes, seconds, await _duplicates(http, standin_url, count)))
    finally:
        standin.terminate()
        await standin.wait()
        await http.close()
        db.engine.dispose()
        drop_schema(schema)
    _table(results, count, latency)


async def _duplicates(http: aiohttp.ClientSession, standin_url: str, count: int) -> int:
    counts = await received(http, standin_url)
    missing = count - len(counts)
    assert missing == 0, f"{missing} notifications never reached the stand-in"
    return sum(n - 1 for n in counts.values())


def _table(results: list[tuple[str, int, float, int]], count: int, latency: float) -> None:
    """Each run against the latency limit: calls x latency / (workers x sends in flight per worker), the time
    it would take if every worker always had CONCURRENCY sends waiting on the platform and nothing else; and
    Kept's time against the naive peer's with as many processes, which meets the same machine's limits."""
    one = next((s for label, _, s, _ in results if label.startswith("Kept, 1 ")), results[0][2])
    peers = {processes: s for label, processes, s, _ in results if label.startswith("naive")}
    print()
    print(
        "| run | seconds | per second | speed-up over 1 worker | latency limit s | vs limit "
        "| time ÷ naive peer's, same processes | duplicates |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, processes, seconds, duplicates in results:
        limit = count * latency / (processes * CONCURRENCY)
        peer = peers.get(processes)
        versus = f"{seconds / peer:.2f}x" if peer and label.startswith("Kept") else "-"
        print(
            f"| {label} | {seconds:.2f} | {count / seconds:,.0f} | {one / seconds:.2f}x | {limit:.2f} "
            f"| {seconds / limit:.2f}x | {versus} | {duplicates} |"
        )
    print(
        f"\nLimit = calls x latency / (workers x concurrency): {count:,} x {latency * 1000:g} ms / (workers x "
        f"{CONCURRENCY}), concurrency being DeliveryLoop.concurrency, the sends one worker keeps in flight (here "
        f"{CONCURRENCY}; Kept's default is {DeliveryLoop.concurrency}). Target: within 1.3x at 1, 2 and 4 "
        "workers. Kept's clock starts once every worker has started and the rows are seeded; the peer's once "
        "its processes have started and the rows are seeded."
    )


def main() -> None:
    global CONCURRENCY
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, help="sends in flight per process (Kept's default)"
    )
    parser.add_argument("--worker", nargs=3, metavar=("URL", "STANDIN", "NAME"), help=argparse.SUPPRESS)
    parser.add_argument("--standin", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--peer", nargs=4, metavar=("PART", "PARTS", "URL", "STANDIN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    CONCURRENCY = args.concurrency
    if args.standin:
        serve_standin(args.standin, args.latency_ms / 1000)
        return
    if args.worker:
        asyncio.run(worker_main(*args.worker))
        return
    if args.peer:
        part, parts, url, standin_url = args.peer
        asyncio.run(peer_main(url, standin_url, int(part), int(parts)))
        return
    asyncio.run(bench(args.count, [int(n) for n in args.workers.split(",")], args.latency_ms / 1000))


if __name__ == "__main__":
    main()
