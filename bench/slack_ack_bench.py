"""Slash-command ack latency: signed `/partner offer ...` at a real `kept serve`, beside a minimal Bolt app.

    .venv/bin/python bench/slack_ack_bench.py [--seconds 4] [--levels 1,10,50] [--no-postgres]
                                              [--kept-only] [--help-only]

Starts, on loopback, a Slack Web API stand-in (in this process), `kept serve` as a subprocess on a temporary
SQLite file and then on a fresh PostgreSQL schema (KEPT_TEST_POSTGRES_URL or the CI default), and a minimal Bolt
AsyncApp on aiohttp in both modes (default, and process_before_response=True). Each is fired signed slash
commands at concurrency 1, 10 and 50 for a few seconds; every Kept command writes an offer, committed before its
ack (each reply is checked for its ref). Prints progress, then a table with p50/p99, commands per second and
the server process's CPU per command (from /proc: robust to a busy machine, and 1000 / it bounds one process's
rate). `--help-only` sends `/partner help` instead, to measure the Slack path without a write.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret"
TEAM = "T0BENCH"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
READ_ONLY = "--help-only" in sys.argv  # `/partner help` instead of offers: the Slack layer's own cost, no write


# ---- the minimal Bolt app (run as a subprocess of this script with --minimal default|inline)


def serve_minimal(mode: str, port: int, api_url: str) -> None:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token="xoxb-bench", base_url=api_url)
    app = AsyncApp(signing_secret=SECRET, client=client, process_before_response=mode == "inline")

    @app.command("/partner")
    async def partner(ack, body):  # type: ignore[no-untyped-def]
        await ack(text=f"Got it: {body['text']}")

    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    web.run_app(web_app, host="127.0.0.1", port=port, print=None, access_log=None)


# ---- the Web API stand-in


async def start_stand_in() -> tuple[web.AppRunner, str]:
    async def answer(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "U0KEPT", "bot_id": "B0KEPT", "team_id": TEAM})
        if method == "users.info":
            user = request.query.get("user") or (await request.post()).get("user", "")
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
    writes: bool


def kept_target(store: str, database_url: str, api_url: str) -> Target:
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
    return Target("kept serve", store, [kept, "serve"], env, port, writes=True)


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
    return Target(label, "-", command, {}, port, writes=False)


async def started(target: Target, session: aiohttp.ClientSession) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "KEPT_", "Microsoft"))}
    process = subprocess.Popen(
        target.command, env={**env, **target.env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"{target.name} exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
            )
        try:
            async with session.get(f"http://127.0.0.1:{target.port}/healthz") as response:
                if response.status == 200:
                    return process
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    process.kill()
    raise SystemExit(f"{target.name} did not start within 60 s")


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
        "X-Slack-Signature": signature,
    }
    return body.encode(), headers


async def command(session: aiohttp.ClientSession, url: str, user: str, text: str, expect: str) -> float:
    body, headers = signed(user, text, uuid.uuid4().hex)
    start = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as response:
        answer = await response.text()
    elapsed = time.perf_counter() - start
    if response.status != 200 or expect not in answer:
        raise SystemExit(f"unexpected answer {response.status}: {answer[:300]}")
    return elapsed


@dataclass
class Result:
    target: Target
    concurrency: int
    latencies: list[float]
    seconds: float
    server_cpu: float  # seconds of CPU the server process used over the level

    @property
    def cpu_ms(self) -> float:
        """Server CPU per command: 1000 / this is the most one server process could do on one core."""
        return self.server_cpu / len(self.latencies) * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def level(target: Target, session: aiohttp.ClientSession, pid: int, concurrency: int, seconds: float) -> Result:
    url = f"http://127.0.0.1:{target.port}/slack/events"
    expect = ("Kept can do" if READ_ONLY else "Logged as O") if target.writes else "Got it"
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        user = f"U{n:04d}"
        while time.perf_counter() < stop:
            text = (
                "help" if READ_ONLY else f"offer maths tutoring for year {len(latencies) % 13 + 1}, #{len(latencies)}"
            )
            latencies.append(await command(session, url, user, text, expect))

    started_at, cpu_at = time.perf_counter(), cpu_seconds(pid)
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started_at
    return Result(target, concurrency, latencies, elapsed, cpu_seconds(pid) - cpu_at)


async def prepare(target: Target, session: aiohttp.ClientSession, users: int) -> None:
    """Every bench user joins St Ada's School (and is looked up in users.info) before timing starts."""
    url = f"http://127.0.0.1:{target.port}/slack/events"
    expect = "Welcome" if target.writes else "Got it"
    for n in range(users):
        await command(session, url, f"U{n:04d}", "join St Ada's School", expect)


async def run_target(target: Target, levels: list[int], seconds: float) -> list[Result]:
    connector = aiohttp.TCPConnector(limit=max(levels) + 5)
    async with aiohttp.ClientSession(connector=connector) as session:
        process = await started(target, session)
        try:
            await prepare(target, session, max(levels))
            await level(target, session, process.pid, 1, 1.0)  # warm-up
            results = []
            for concurrency in levels:
                result = await level(target, session, process.pid, concurrency, seconds)
                print(
                    f"  {target.name} [{target.store}] x{concurrency}: {len(result.latencies)} commands, "
                    f"p50 {result.p50:.2f} ms, p99 {result.p99:.2f} ms, {result.rate:.0f}/s, "
                    f"server CPU {result.cpu_ms:.2f} ms/command",
                    file=sys.stderr,
                )
                results.append(result)
            return results
        finally:
            process.terminate()
            process.wait(timeout=20)


def postgres_schema(url: str) -> tuple[str, str] | None:
    """A fresh schema for this run, and the URL whose connections use it; None if PostgreSQL is unreachable."""
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
    separator = "&" if "?" in url else "?"
    return schema, f"{url}{separator}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def table(results: list[Result]) -> str:
    baseline = {(r.target.name, r.concurrency): r for r in results if not r.target.writes}
    rows = [
        "| server | store | concurrency | commands | p50 ms | p99 ms | commands/s | server CPU ms/command "
        "| p50 vs Bolt default | p50 vs Bolt inline | rate vs Bolt inline |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        default = baseline.get(("minimal Bolt, default", r.concurrency))
        inline = baseline.get(("minimal Bolt, process_before_response", r.concurrency))
        ratios = [
            f"{r.p50 / default.p50:.2f}x" if default else "-",
            f"{r.p50 / inline.p50:.2f}x" if inline else "-",
            f"{r.rate / inline.rate:.2f}x" if inline else "-",
        ]
        rows.append(
            f"| {r.target.name} | {r.target.store} | {r.concurrency} | {len(r.latencies)} | {r.p50:.2f} "
            f"| {r.p99:.2f} | {r.rate:.0f} | {r.cpu_ms:.2f} | " + " | ".join(ratios) + " |"
        )
    return "\n".join(rows)


async def bench(args: argparse.Namespace) -> None:
    levels = [int(n) for n in args.levels.split(",")]
    runner, api_url = await start_stand_in()
    workdir = Path(tempfile.mkdtemp(prefix="kept-bench-"))
    targets = [] if args.kept_only else [bolt_target("default", api_url), bolt_target("inline", api_url)]
    targets.append(kept_target("SQLite", f"sqlite:///{workdir}/kept.db", api_url))
    pg_url = os.environ.get("KEPT_TEST_POSTGRES_URL", PG_DEFAULT)
    schema = None if args.no_postgres else postgres_schema(pg_url)
    if schema:
        targets.append(kept_target("PostgreSQL", schema[1], api_url))
    elif not args.no_postgres:
        print(f"PostgreSQL unreachable at {pg_url}: skipping it", file=sys.stderr)
    results: list[Result] = []
    try:
        for target in targets:
            print(f"{target.name} [{target.store}] ...", file=sys.stderr)
            results += await run_target(target, levels, args.seconds)
    finally:
        await runner.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
        if schema:
            drop_schema(pg_url, schema[0])
    print(
        f"\nSlash-command ack latency on loopback ({os.cpu_count()} CPUs, {args.seconds:g} s per level, "
        f"Python {sys.version.split()[0]}); Kept's commands each write an offer before the ack.\n"
    )
    print(table(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--kept-only", action="store_true", help="skip the minimal Bolt apps")
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
