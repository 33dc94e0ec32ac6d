"""Slash-command ack latency: signed `/partner offer ...` at a real `kept serve`, beside a fair peer and a minimal
Bolt app, in one run.

    .venv/bin/python bench/slack_ack_bench.py [--seconds 4] [--levels 1,10,50] [--repeat 3] [--processes N]
                                              [--hostile] [--no-postgres] [--kept-only] [--no-peer] [--help-only]

Starts, on loopback, a Slack Web API stand-in (in this process); `kept serve` and the fair peer (bench/fair_peer.py:
a Bolt AsyncApp writing an offer and an audit row through SQLModel, then acking with Block Kit) as subprocesses,
each on a temporary SQLite file and on a fresh PostgreSQL schema of its own (KEPT_TEST_POSTGRES_URL or the CI
default); with `--processes N`, `kept serve --processes N` too; and a minimal Bolt AsyncApp on aiohttp in both
modes (default, and process_before_response=True). All are up at once, and each level is run on each in turn, so
a busy moment on the machine falls on all of them alike. Each is fired signed slash commands at concurrency 1, 10
and 50 for a few seconds; every Kept and peer command writes an offer, committed before its ack (each reply is
checked for its ref, e.g. "(O12)"). With `--repeat N` each figure is the median of N runs of its level.

Server CPU per command is from /proc, summed over the server process and all its descendants (for a process tree,
`kept serve --processes N`): robust to a busy machine, and 1000 / it bounds one core's rate. With `--processes N`
the fair peer runs in N processes too (bench/fair_peer.py --processes), and Kept ×N is set against it.

`--hostile` runs the concurrency-50 level a second time with a burst of malformed and forged requests beside it
(bench/hostile_burst.py, the hostile suite's cases, 50 a second by default), and reports how many got a 5xx (must
be none) and the figures with and without the burst side by side. `--help-only` sends `/partner help` instead of
offers, to measure the Slack path without a write.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_burst import burst, hostile_requests  # noqa: E402
from lean_client import LeanConnection  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
TEAM = "T0BENCH"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
READ_ONLY = "--help-only" in sys.argv  # `/partner help` instead of offers: the Slack layer's own cost, no write
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---- the minimal Bolt app (run as a subprocess of this script with --minimal default|inline)


def serve_minimal(mode: str, port: int, api_url: str) -> None:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token="xoxb-bench", base_url=api_url)
    app = AsyncApp(signing_secret=SECRET, client=client, process_before_response=mode == "inline")

    @app.command("/partner")
    async def partner(ack, body):  # type: ignore[no-untyped-def]
        await ack(text=f"Got it: {body['text']}")

    from fair_peer import on_aiohttp

    web.run_app(on_aiohttp(app), host="127.0.0.1", port=port, print=None, access_log=None)


# ---- the Web API stand-in


async def start_stand_in() -> tuple[web.AppRunner, str]:
    async def answer(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "U0KEPT", "bot_id": "B0KEPT", "team_id": TEAM})
        if method == "users.info":
            user = str(request.query.get("user") or (await request.post()).get("user", ""))
            return web.json_response(
                {
                    "ok": True,
                    "user": {"id": user, "tz": "Europe/London", "profile": {"display_name": f"Teacher {user}"}},
                }
            )
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/api/{method}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/api/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- servers under test


@dataclass
class Target:
    name: str
    store: str
    command: list[str]
    env: dict[str, str]
    port: int
    kind: str  # "kept", "peer" or "bolt"
    processes: int = 1

    @property
    def label(self) -> str:
        return f"{self.name} [{self.store}]"

    @property
    def expected(self) -> re.Pattern[str]:
        """What every answer must contain: an offer's ref for a write, e.g. "(O12)"."""
        if self.kind == "bolt":
            return re.compile("Got it")
        if READ_ONLY:
            return re.compile("Kept can do" if self.kind == "kept" else "Say")
        return re.compile(r"\(O\d+\)")


def kept_target(store: str, database_url: str, api_url: str, processes: int = 1) -> Target:
    port = free_port()
    env = {
        "KEPT_DATABASE_URL": database_url,
        "KEPT_PORT": str(port),
        "KEPT_HOST": "127.0.0.1",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_API_URL": api_url,
        "KEPT_LOG_LEVEL": "WARNING",
        "KEPT_TICK_SECONDS": "3600",
    }
    kept = str(Path(sys.executable).with_name("kept"))
    migrated(database_url)
    if processes > 1:
        command = [kept, "serve", "--processes", str(processes)]
        return Target(f"kept serve ×{processes}", store, command, env, port, "kept", processes)
    return Target("kept serve", store, [kept, "serve"], env, port, "kept")


def peer_target(store: str, database_url: str, api_url: str, processes: int = 1) -> Target:
    port = free_port()
    script = str(Path(__file__).with_name("fair_peer.py"))
    command = [sys.executable, script, "--port", str(port), "--database-url", database_url, "--api-url", api_url]
    if processes > 1:
        command += ["--processes", str(processes)]
        return Target(f"fair peer ×{processes}", store, command, {}, port, "peer", processes)
    return Target("fair peer", store, command, {}, port, "peer")


def migrated(database_url: str) -> None:
    """`kept migrate`, then any table the models have and the migration does not yet (said out loud)."""
    from sqlalchemy import inspect

    from storage import migrate
    from storage.db import Database

    db = Database.from_url(database_url)
    migrate.upgrade(db)
    before = set(inspect(db.engine).get_table_names())
    db.create_all()
    missing = set(inspect(db.engine).get_table_names()) - before
    if missing:
        print(f"  note: the migration lacks {sorted(missing)}; created from the models", file=sys.stderr)
    db.engine.dispose()


def bolt_target(mode: str, api_url: str) -> Target:
    port = free_port()
    command = [sys.executable, __file__, "--minimal", mode, "--port", str(port), "--api-url", api_url]
    label = "minimal Bolt, default" if mode == "default" else "minimal Bolt, process_before_response"
    return Target(label, "-", command, {}, port, "bolt")


# ---- CPU of a process tree, from /proc


def descendants(pid: int) -> list[int]:
    """The process and every live descendant (through each thread's children list)."""
    found = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [p for child in children.read_text().split() for p in descendants(int(child))]
        except OSError:
            continue  # the thread or child ended as we looked
    return found


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process and its live descendants, each with its reaped children's (cutime,
    cstime): a child that ends and is reaped moves its time into its parent's, so the sum only grows. Only a
    descendant that ends unreaped between two samples is lost."""
    ticks = 0
    for each in descendants(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(fields[n]) for n in (11, 12, 13, 14))
    return ticks / CLOCK_TICKS


@dataclass
class Server:
    target: Target
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """SIGTERM to the server and then to any descendant left (a process tree must not outlive the bench)."""
        tree = descendants(self.process.pid) if self.process.poll() is None else []
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in tree[1:]:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


async def started(target: Target, session: aiohttp.ClientSession, workdir: Path) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KEPT_", "Microsoft"))}
    log = workdir / f"{uuid.uuid4().hex[:8]}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            target.command, env={**env, **target.env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink
        )
    server = Server(target, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{target.label} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            async with session.get(f"http://127.0.0.1:{target.port}/healthz") as response:
                if response.status == 200 and len(descendants(process.pid)) >= target.processes:
                    await asyncio.sleep(1.0 if target.processes > 1 else 0)  # every process listening
                    return server
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{target.label} did not start within 60 s")


# ---- load


def signed(user: str, text: str, trigger: str) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": "C0BENCH",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/partner",
            "text": text,
            "api_app_id": "A0BENCH",
            "response_url": "https://hooks.slack.invalid/x",
            "trigger_id": trigger,
        }
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
    }
    return body.encode(), headers


async def command(connection: LeanConnection, port: int, user: str, text: str, expect: re.Pattern[str]) -> float:
    body, headers = signed(user, text, uuid.uuid4().hex)
    start = time.perf_counter()
    status, answer = await connection.post("/slack/events", f"127.0.0.1:{port}", headers, body)
    elapsed = time.perf_counter() - start
    if status != 200 or not expect.search(answer.decode(errors="replace")):
        raise SystemExit(f"unexpected answer {status} to {text!r}: {answer[:300]!r}")
    return elapsed


@dataclass(frozen=True)
class Figures:
    """One level on one server: commands answered, p50 and p99 in ms, commands a second, server CPU ms/command;
    and, for a level run beside the hostile burst, how its requests were answered."""

    commands: float
    p50: float
    p99: float
    rate: float
    cpu_ms: float
    hostile: Counter[str] = field(default_factory=Counter)
    client_ms: float = 0.0  # the bench process's own CPU per command (the load generator, and any burst)

    @classmethod
    def of(cls, latencies: list[float], seconds: float, cpu: float, hostile: Counter[str], own: float) -> Figures:
        ordered = sorted(latencies)
        return cls(
            commands=len(ordered),
            p50=statistics.median(ordered) * 1000,
            p99=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            rate=len(ordered) / seconds,
            cpu_ms=cpu / len(ordered) * 1000,
            hostile=hostile,
            client_ms=own / len(ordered) * 1000,
        )

    @classmethod
    def median(cls, runs: list[Figures]) -> Figures:
        """The median of each figure over the runs; the hostile answers added up (a 5xx in any run counts)."""
        return cls(
            commands=statistics.median(r.commands for r in runs),
            p50=statistics.median(r.p50 for r in runs),
            p99=statistics.median(r.p99 for r in runs),
            rate=statistics.median(r.rate for r in runs),
            cpu_ms=statistics.median(r.cpu_ms for r in runs),
            hostile=sum((r.hostile for r in runs), Counter()),
            client_ms=statistics.median(r.client_ms for r in runs),
        )

    def line(self) -> str:
        return (
            f"{self.commands:.0f} commands, p50 {self.p50:.2f} ms, p99 {self.p99:.2f} ms, {self.rate:.0f}/s, "
            f"server CPU {self.cpu_ms:.2f} ms/command, load generator {self.client_ms:.2f}"
        )


async def level(server: Server, concurrency: int, seconds: float, hostile_rate: float = 0) -> Figures:
    target = server.target
    connections = [await LeanConnection.open("127.0.0.1", target.port) for _ in range(concurrency)]
    latencies: list[float] = []

    async def worker(n: int, stop: float) -> None:
        user = f"U{n:04d}"
        while time.perf_counter() < stop:
            count = len(latencies)
            text = "help" if READ_ONLY else f"offer maths tutoring for year {count % 13 + 1}, #{count}"
            latencies.append(await command(connections[n], target.port, user, text, target.expected))

    started_at, cpu_at, own_at = time.perf_counter(), tree_cpu_seconds(server.process.pid), time.process_time()
    stop = started_at + seconds
    load = asyncio.gather(*(worker(n, stop) for n in range(concurrency)))
    url = f"http://127.0.0.1:{target.port}/slack/events"
    try:
        if hostile_rate:
            requests = hostile_requests(SECRET, TEAM, "U0000")
            answers, _ = await asyncio.gather(burst(url, requests, hostile_rate, stop), load)
        else:
            answers = Counter()
            await load
    finally:
        for connection in connections:
            connection.close()
    elapsed = time.perf_counter() - started_at
    cpu = tree_cpu_seconds(server.process.pid) - cpu_at
    own = time.process_time() - own_at
    if server.process.poll() is not None:
        raise SystemExit(f"{target.label} died: {server.log.read_text(errors='replace')[-2000:]}")
    return Figures.of(latencies, elapsed, cpu, answers, own)


async def prepare(server: Server, users: int) -> None:
    """Every bench user joins St Ada's School in Kept (and is looked up in users.info) before timing starts."""
    if server.target.kind != "kept":
        return
    connection = await LeanConnection.open("127.0.0.1", server.target.port)
    for n in range(users):
        await command(connection, server.target.port, f"U{n:04d}", "join St Ada's School", re.compile("Welcome"))
    connection.close()


def postgres_schema(url: str, schemas: list[str]) -> str | None:
    """A fresh schema (noted in `schemas`, to drop afterwards), as the URL whose connections use it; None if
    PostgreSQL is unreachable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    schema = f"kept_bench_{uuid.uuid4().hex[:10]}"
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except OperationalError:
        return None
    schemas.append(schema)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


Key = tuple[int, int, bool]  # the server's index, the concurrency, whether the hostile burst ran beside it


def main_table(servers: list[Server], figures: dict[Key, Figures]) -> str:
    rows = [
        "| server | store | concurrency | commands | p50 ms | p99 ms | commands/s | server CPU ms/command |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for (index, concurrency, hostile), f in figures.items():
        target = servers[index].target
        level_name = f"{concurrency} + hostile" if hostile else str(concurrency)
        rows.append(
            f"| {target.name} | {target.store} | {level_name} | {f.commands:.0f} | {f.p50:.2f} | {f.p99:.2f} "
            f"| {f.rate:.0f} | {f.cpu_ms:.2f} |"
        )
    return "\n".join(rows)


def ratio_table(servers: list[Server], figures: dict[Key, Figures], levels: list[int]) -> str:
    """Kept / fair peer on the same store, with as many processes, at the same concurrency: at or under 1.00x is
    as good as the peer for CPU, p50 and p99; at or over 1.00x for the rate."""
    peers = {(s.target.store, s.target.processes): i for i, s in enumerate(servers) if s.target.kind == "peer"}
    rows = [
        "| server | store | concurrency | CPU/command | p50 | p99 | rate |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for index, server in enumerate(servers):
        peer = peers.get((server.target.store, server.target.processes))
        if server.target.kind != "kept" or peer is None:
            continue
        for concurrency in levels:
            kept, fair = figures[(index, concurrency, False)], figures[(peer, concurrency, False)]
            rows.append(
                f"| {server.target.name} | {server.target.store} | {concurrency} | {kept.cpu_ms / fair.cpu_ms:.2f}x "
                f"| {kept.p50 / fair.p50:.2f}x | {kept.p99 / fair.p99:.2f}x | {kept.rate / fair.rate:.2f}x |"
            )
    return "\n".join(rows)


def hostile_table(servers: list[Server], figures: dict[Key, Figures], concurrency: int) -> str:
    rows = [
        "| server | store | p50 ms without / with | p99 ms | commands/s | CPU ms/command | hostile sent "
        "| 2xx | 4xx | 5xx | no answer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    failures: list[str] = []
    for index, server in enumerate(servers):
        calm, hit = figures[(index, concurrency, False)], figures[(index, concurrency, True)]
        answers = hit.hostile
        rows.append(
            f"| {server.target.name} | {server.target.store} | {calm.p50:.2f} / {hit.p50:.2f} "
            f"| {calm.p99:.2f} / {hit.p99:.2f} | {calm.rate:.0f} / {hit.rate:.0f} "
            f"| {calm.cpu_ms:.2f} / {hit.cpu_ms:.2f} | {answers['sent']} | {answers['2xx']} | {answers['4xx']} "
            f"| {answers['5xx']} | {answers['no answer']} |"
        )
        failures += [
            f"- {server.target.label}: {name[name.index(':') + 2 :]} ×{n}"
            for name, n in answers.items()
            if name.startswith(("5xx:", "no answer:")) and server.target.kind == "kept"
        ]
    return "\n".join(
        rows + (["", "Hostile requests Kept answered with a 5xx or not at all:", *failures] if failures else [])
    )


def store_urls(args: argparse.Namespace, workdir: Path, schemas: list[str]) -> list[tuple[str, Callable[[str], str]]]:
    """The stores to run on, each as a maker of a fresh database URL for each server (named)."""

    def sqlite(name: str) -> str:
        return f"sqlite:///{workdir}/{name}.db"

    def postgres(_name: str) -> str:
        url = postgres_schema(args.postgres_url, schemas)
        if url is None:
            raise SystemExit(f"PostgreSQL went away at {args.postgres_url}")
        return url

    if args.no_postgres:
        return [("SQLite", sqlite)]
    if postgres_schema(args.postgres_url, schemas) is None:  # reachable? (dropped at the end)
        print(f"PostgreSQL unreachable at {args.postgres_url}: skipping it", file=sys.stderr)
        return [("SQLite", sqlite)]
    return [("SQLite", sqlite), ("PostgreSQL", postgres)]


def targets_for(args: argparse.Namespace, api_url: str, workdir: Path, schemas: list[str]) -> list[Target]:
    targets = [] if args.kept_only else [bolt_target("default", api_url), bolt_target("inline", api_url)]
    for store, url_for in store_urls(args, workdir, schemas):
        targets.append(kept_target(store, url_for("kept"), api_url))
        if not args.no_peer:
            targets.append(peer_target(store, url_for("peer"), api_url))
        if args.processes > 1:
            targets.append(kept_target(store, url_for("kept-n"), api_url, args.processes))
            if not args.no_peer:
                targets.append(peer_target(store, url_for("peer-n"), api_url, args.processes))
    return targets


async def start_all(targets: list[Target], session: aiohttp.ClientSession, workdir: Path, users: int) -> list[Server]:
    servers: list[Server] = []
    for target in targets:
        print(f"starting {target.label} ...", file=sys.stderr)
        try:
            server = await started(target, session, workdir)
        except RuntimeError as exc:
            if target.processes == 1:
                raise SystemExit(str(exc)) from None
            print(f"  skipped: {str(exc)[-400:]}", file=sys.stderr)  # `--processes` not in this Kept yet
            continue
        servers.append(server)
        await prepare(server, users)
        await level(server, 1, 1.0)  # warm-up
    return servers


async def measure(servers: list[Server], args: argparse.Namespace) -> dict[Key, Figures]:
    """Each level on each server in turn (the order reversed every other repeat), `--repeat` times."""
    levels = [int(n) for n in args.levels.split(",")]
    hostile_level = 50 if 50 in levels else max(levels)
    runs: dict[Key, list[Figures]] = {}
    for repeat in range(args.repeat):
        for concurrency in levels:
            order = list(enumerate(servers))
            for index, server in order if repeat % 2 == 0 else reversed(order):
                kinds = [False, True] if args.hostile and concurrency == hostile_level else [False]
                for hostile in kinds:
                    rate = args.hostile_rate if hostile else 0
                    f = await level(server, concurrency, args.seconds, rate)
                    runs.setdefault((index, concurrency, hostile), []).append(f)
                    name = f"{concurrency} + hostile" if hostile else str(concurrency)
                    extra = f", hostile answers {dict(f.hostile)}" if hostile else ""
                    print(f"  {server.target.label} x{name} (run {repeat + 1}): {f.line()}{extra}", file=sys.stderr)
    return {key: Figures.median(runs[key]) for key in sorted(runs)}


async def bench(args: argparse.Namespace) -> None:
    levels = [int(n) for n in args.levels.split(",")]
    runner, api_url = await start_stand_in()
    workdir = Path(tempfile.mkdtemp(prefix="kept-bench-"))
    schemas: list[str] = []
    servers: list[Server] = []
    try:
        targets = targets_for(args, api_url, workdir, schemas)
        connector = aiohttp.TCPConnector(limit=max(levels) + 5)
        async with aiohttp.ClientSession(connector=connector) as session:
            try:
                servers = await start_all(targets, session, workdir, max(levels))
                figures = await measure(servers, args)
            finally:
                for server in servers:
                    server.stop()
    finally:
        await runner.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
        for schema in schemas:
            drop_schema(args.postgres_url, schema)
    print(
        f"\nSlash-command ack latency on loopback, {time.strftime('%d %B %Y')} ({os.cpu_count()} CPUs, "
        f"{args.seconds:g} s per level, median of {args.repeat}, Python {sys.version.split()[0]}); Kept's and the "
        "fair peer's commands each write an offer before the ack.\n"
    )
    print(main_table(servers, figures))
    if any(s.target.kind == "peer" for s in servers):
        print("\nKept / fair peer, same store, same run (CPU, p50, p99: lower is better; rate: higher):\n")
        print(ratio_table(servers, figures, levels))
    if args.hostile:
        hostile_level = 50 if 50 in levels else max(levels)
        print(
            f"\nAt concurrency {hostile_level}, without and with a burst of malformed and forged requests "
            f"({args.hostile_rate:g}/s; wanted: no 5xx from Kept, figures within run-to-run noise; the fair peer "
            "and the minimal apps are plain Bolt, so their 5xx are Bolt's own):\n"
        )
        print(hostile_table(servers, figures, hostile_level))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--repeat", type=int, default=1, help="median of N runs per level")
    parser.add_argument("--processes", type=int, default=1, help="also `kept serve --processes N` (N > 1)")
    parser.add_argument("--hostile", action="store_true", help="a burst of bad requests beside the 50 level")
    parser.add_argument("--hostile-rate", type=float, default=50.0, help="bad requests a second")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres-url", default=os.environ.get("KEPT_TEST_POSTGRES_URL", PG_DEFAULT))
    parser.add_argument("--kept-only", action="store_true", help="skip the minimal Bolt apps")
    parser.add_argument("--no-peer", action="store_true", help="skip the fair peer")
    parser.add_argument("--help-only", action="store_true", help="send `/partner help` (no write) to isolate Slack")
    parser.add_argument("--minimal", choices=["default", "inline"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.minimal:
        serve_minimal(args.minimal, args.port, args.api_url)
    else:
        asyncio.run(bench(args))


if __name__ == "__main__":
    main()
