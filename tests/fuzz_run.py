"""`make fuzz`: the long run of the fuzzers in tests/harness/strategies.py, printing totals for README.

    .venv/bin/python -m tests.fuzz_run --commands 1000000 --bodies 100000 [--minutes 60]

Core commands (typed commands, and one in ten a form submission) go to Kept on in-memory SQLite, a fresh seeded
network every 5,000, with one chunk in fifty on PostgreSQL when it is reachable. HTTP bodies (signed Slack form
and JSON bodies, and Teams activities, alternately) go over loopback to Kept's real app. `--minutes` caps each
part's time, for a shared machine: the totals then say how many inputs were actually tried.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from bot.config import Settings
from bot.web import build_app
from bot.wiring import assemble
from handlers.clock import MovableClock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.errors import FormErrors
from storage.db import Database
from tests.harness.fixtures import POSTGRES_URL, postgres_available
from tests.harness.fuzzing import APOLOGY, Tally, TracebackCounter, seed, unsafe
from tests.harness.hostile import slack_headers
from tests.harness.slack import SECRET, start_slack_api
from tests.harness.strategies import command_text, form_submission, slack_body, teams_activity
from tests.harness.teams_connector import start_connector

MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CHUNK = 5000
POSTGRES_EVERY = int(os.environ.get("KEPT_FUZZ_POSTGRES_EVERY", "50"))


def _run_chunk(strategy: st.SearchStrategy[Any], examples: int, body: Callable[[Any], None]) -> None:
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value: Any) -> None:
        body(value)

    run()


def fuzz_core(total: int, seconds: float, traces: TracebackCounter) -> Tally:
    tally = Tally()
    started = time.monotonic()
    chunk_number = 0
    while tally.inputs < total and time.monotonic() - started < seconds:
        chunk_number += 1
        on_postgres = chunk_number % POSTGRES_EVERY == 0 and postgres_available()
        db = Database.from_url(_own_schema(chunk_number) if on_postgres else "sqlite://")
        db.create_all()
        kept = Kept(db, MovableClock(MONDAY_9AM))
        callers = seed(kept)
        before = len(traces.seen)

        def one(value: tuple[str, Any], kept: Kept = kept, callers: list[Caller] = callers) -> None:
            kind, said = value
            tally.inputs += 1
            caller = callers[tally.inputs % len(callers)]
            try:
                reply = kept.handle(caller, said) if kind == "command" else kept.submit(caller, *said)
            except FormErrors:
                return
            if unsafe(reply):
                tally.fault("apologies", f"{said!r} -> {reply.title}")

        commands = st.one_of(
            command_text().map(lambda t: ("command", t)),
            form_submission().map(lambda f: ("form", f)),
        )
        _run_chunk(commands, min(CHUNK, total - tally.inputs), one)
        for line in traces.seen[before:]:
            tally.fault("tracebacks", line)
        db.close()
        if on_postgres:
            _drop_schema(chunk_number)
    return tally


def _schema(chunk_number: int) -> str:
    return f"kept_fuzz_{os.getpid()}_{chunk_number}"


def _own_schema(chunk_number: int) -> str:
    """A URL whose connections see a new, empty schema of this run's own (never anyone else's tables)."""
    _admin(f'CREATE SCHEMA "{_schema(chunk_number)}"')
    return f"{POSTGRES_URL}?options=-csearch_path%3D{_schema(chunk_number)}"


def _drop_schema(chunk_number: int) -> None:
    _admin(f'DROP SCHEMA "{_schema(chunk_number)}" CASCADE')


def _admin(statement: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


class HttpTarget:
    """Kept's real app (Slack and Teams) on a loopback port, served from a loop in its own thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.url, self.connector_url = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result()
        parts = urlsplit(self.url)
        self.http = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)

    async def _start(self) -> tuple[str, str]:
        stand_in, _ = await start_slack_api()
        connector, _ = await start_connector()
        self.connector = connector
        db = Database.from_url("sqlite://")
        db.create_all()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            slack_signing_secret=SECRET,
            slack_bot_token="xoxb-st-adas",
            slack_api_url=stand_in.url + "api/",
            allow_insecure_teams=True,
            teams_service_urls=connector.url,
        )
        parts = assemble(settings, MovableClock(MONDAY_9AM), db)
        seed(parts.kept)
        server = TestServer(build_app(parts), host="127.0.0.1")
        await server.start_server()
        return str(server.make_url("/")), connector.url

    def post(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
        try:
            self.http.request("POST", path, body=raw, headers=headers)
            response = self.http.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        except (http.client.HTTPException, OSError):
            self.http.close()  # the server closed the connection after a refusal: open a new one
            self.http.request("POST", path, body=raw, headers=headers)
            response = self.http.getresponse()
            return response.status, response.read().decode("utf-8", "replace")


def fuzz_http(total: int, seconds: float, traces: TracebackCounter) -> Tally:
    tally = Tally()
    target = HttpTarget()
    started = time.monotonic()

    def one(value: tuple[str, Any]) -> None:
        kind, body = value
        tally.inputs += 1
        before = len(target.connector.calls)
        if kind == "slack":
            raw, content_type = body
            status, said = target.post("/slack/events", raw, {"Content-Type": content_type, **slack_headers(raw)})
        else:
            raw = json.dumps({**body, "serviceUrl": target.connector_url}).encode()
            status, said = target.post("/api/messages", raw, {"Content-Type": "application/json"})
            said += " ".join(str(call.body) for call in target.connector.calls[before:])
        if status >= 500:
            tally.fault("server_errors", f"{kind} {status}: {raw[:200]!r}")
        if APOLOGY in said:
            tally.fault("apologies", f"{kind}: {raw[:200]!r}")

    bodies = st.one_of(slack_body().map(lambda b: ("slack", b)), teams_activity().map(lambda a: ("teams", a)))
    while tally.inputs < total and time.monotonic() - started < seconds:
        before = len(traces.seen)
        _run_chunk(bodies, min(CHUNK, total - tally.inputs), one)
        for line in traces.seen[before:]:
            tally.fault("tracebacks", line)
    return tally


def report(name: str, tally: Tally, seconds: float) -> None:
    print(
        f"{name}: {tally.inputs:,} inputs in {seconds:,.0f} s; 5xx: {tally.server_errors}; "
        f"tracebacks: {tally.tracebacks}; internal-error apologies: {tally.apologies}"
    )
    for example in tally.examples:
        print("   ", example)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1_000_000)
    parser.add_argument("--bodies", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=0, help="cap on each part's time (0: no cap)")
    args = parser.parse_args()
    cap = args.minutes * 60 or float("inf")
    traces = TracebackCounter()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(traces)
    clean = True
    for name, run, total in (("core commands", fuzz_core, args.commands), ("HTTP bodies", fuzz_http, args.bodies)):
        if total <= 0:
            continue
        started = time.monotonic()
        tally = run(total, cap, traces)
        report(name, tally, time.monotonic() - started)
        clean = clean and tally.clean
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
