"""`kept serve` as a real process under faults: PostgreSQL going away (before start, and mid-run, through a TCP
proxy the test controls in front of the real server), and SIGKILL mid-load. Commands during an outage get a kind
refusal, the server recovers with no restart, and no acknowledged write is ever lost."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp.test_utils import unused_port
from sqlalchemy import create_engine, text

from tests.harness.fixtures import POSTGRES_URL
from tests.harness.hostile import slack_headers
from tests.harness.slack import SECRET, TEAM, SlackStandIn

KEPT = str(Path(sys.executable).with_name("kept"))
ROOT = Path(__file__).resolve().parent.parent
APOLOGY = "something went wrong on our side"
KILL_AFTER = int(os.environ.get("KEPT_TEST_KILL_AFTER", "50"))  # acknowledged offers before the SIGKILL

REFUSAL = "I can't reach my records just now"


@dataclass
class Proxy:
    """A TCP proxy to the real PostgreSQL: `down()` closes it and cuts every open connection, `up()` reopens it."""

    target: tuple[str, int]
    port: int = field(default_factory=unused_port)
    _server: asyncio.Server | None = None
    _open: set[asyncio.StreamWriter] = field(default_factory=set)

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._open |= {writer, upstream_writer}

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while chunk := await source.read(65536):
                    sink.write(chunk)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(copy(reader, upstream_writer), copy(upstream_reader, writer))
        self._open -= {writer, upstream_writer}


@dataclass
class Server:
    """A `kept serve` process with Slack configured, and a signed-request client for it."""

    url: str
    process: subprocess.Popen[bytes]
    session: aiohttp.ClientSession

    async def get(self, path: str) -> int:
        async with self.session.get(self.url + path) as response:
            return response.status

    async def say(self, text_: str, user: str = "U0SAM") -> tuple[int, str]:
        form = {"command": "/partner", "text": text_, "team_id": TEAM, "user_id": user, "trigger_id": "t"}
        raw = urlencode({**form, "channel_id": "C0STAFF", "response_url": "http://127.0.0.1:9/r"}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **slack_headers(raw)}
        async with self.session.post(self.url + "/slack/events", data=raw, headers=headers) as response:
            return response.status, await response.text()


@pytest.fixture
def slack_api_url(slack_api: SlackStandIn) -> str:
    return slack_api.url + "api/"


@contextlib.asynccontextmanager
async def kept_serve(database_url: str, slack_api_url: str, log: Path, *args: str) -> AsyncIterator[Server]:
    port = unused_port()
    env = {
        **os.environ,
        "KEPT_DATABASE_URL": database_url,
        "KEPT_PORT": str(port),
        "KEPT_TICK_SECONDS": "3600",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-st-adas",
        "SLACK_API_URL": slack_api_url,
    }
    with log.open("wb") as out:
        process = subprocess.Popen([KEPT, "serve", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    async with aiohttp.ClientSession() as session:
        server = Server(f"http://127.0.0.1:{port}", process, session)
        try:
            await _until(lambda: _answers(server), seconds=60)
            yield server
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=30)


async def _answers(server: Server) -> bool:
    with contextlib.suppress(aiohttp.ClientError):
        return await server.get("/healthz") == 200
    assert server.process.poll() is None, "kept serve exited"
    return False


async def _until(check: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)


def _acked(said: str) -> int | None:
    found = re.search(r"on the board \(O(\d+)\)", said)
    return int(found.group(1)) if found else None


@pytest.fixture
def schema_url() -> Iterator[tuple[str, str]]:
    """(the direct URL, the schema): a fresh schema of this test's own on the real server."""
    from tests.harness.fixtures import _require_postgres

    _require_postgres()
    schema = f"kept_outage_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield POSTGRES_URL, schema
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _offers(url: str, schema: str) -> set[int]:
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    with engine.connect() as connection:
        found = {int(row[0]) for row in connection.execute(text("SELECT id FROM listing"))}
    engine.dispose()
    return found


@pytest.mark.postgres
async def test_postgresql_away_at_start_and_mid_run_gets_kind_refusals_and_kept_recovers_without_a_restart(
    schema_url: tuple[str, str], slack_api_url: str, tmp_path: Path
) -> None:
    direct, schema = schema_url
    host, port = re.search(r"@([\d.]+):(\d+)/", direct).groups()  # type: ignore[union-attr]
    proxy = Proxy((host, int(port)))
    through_proxy = direct.replace(f"{host}:{port}", f"127.0.0.1:{proxy.port}") + f"?options=-csearch_path%3D{schema}"
    replies: list[str] = []
    acked: set[int] = set()

    async with kept_serve(through_proxy, slack_api_url, tmp_path / "serve.log") as kept:
        assert await kept.get("/readyz") == 503  # started with its database away
        status, said = await kept.say("join St Ada's School")
        assert status == 200 and REFUSAL in said

        await proxy.up()
        await _until(lambda: _ready(kept), seconds=60)  # migrated by itself once the database answered
        assert "Welcome to Kept" in (await kept.say("join St Ada's School"))[1]
        for n in range(30):
            if n == 10:
                await proxy.down()
            if n == 20:
                await proxy.up()
            status, said = await kept.say(f"offer a physics teacher, week {n}")
            assert status == 200
            replies.append(said)
            if (ref := _acked(said)) is not None:
                acked.add(ref)
        assert await kept.get("/readyz") == 200

    during = replies[10:20]
    assert all(REFUSAL in said for said in during), during
    assert len(acked) == 20 and not [r for r in replies if APOLOGY in r]
    assert acked <= _offers(direct, schema), "an acknowledged offer was lost"
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
    await proxy.down()


async def _ready(kept: Server) -> bool:
    return await kept.get("/readyz") == 200


async def test_sigkill_mid_load_loses_no_acknowledged_write(slack_api_url: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    acked: set[int] = set()
    async with kept_serve(url, slack_api_url, tmp_path / "serve.log") as kept:
        assert "Welcome to Kept" in (await kept.say("join St Ada's School"))[1]

        async def offer(n: int) -> None:
            with contextlib.suppress(aiohttp.ClientError):
                _, said = await kept.say(f"offer a physics teacher, week {n}")
                if (ref := _acked(said)) is not None:
                    acked.add(ref)

        load = [asyncio.create_task(offer(n)) for n in range(KILL_AFTER * 8)]
        await _until(lambda: _some(acked, KILL_AFTER), seconds=600)
        kept.process.send_signal(signal.SIGKILL)
        await asyncio.gather(*load)

    engine = create_engine(url)
    with engine.connect() as connection:
        stored = {int(row[0]) for row in connection.execute(text("SELECT id FROM listing"))}
    engine.dispose()
    lost = acked - stored
    print(f"acknowledged writes lost: {len(lost)} of {len(acked):,}")
    assert acked and not lost


async def _some(acked: set[int], count: int) -> bool:
    return len(acked) >= count


def _serving_children(pid: int) -> set[int]:
    """The processes `kept serve --processes N` started to serve (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = set()
    for child in children:
        with contextlib.suppress(FileNotFoundError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
    return found


@pytest.mark.postgres
async def test_several_processes_serve_one_port_and_one_that_dies_is_replaced(
    schema_url: tuple[str, str], slack_api_url: str, tmp_path: Path
) -> None:
    direct, schema = schema_url
    url = f"{direct}?options=-csearch_path%3D{schema}"
    async with kept_serve(url, slack_api_url, tmp_path / "serve.log", "--processes", "2") as kept:
        await _until(lambda: _count(_serving_children(kept.process.pid), 2), seconds=60)
        first = _serving_children(kept.process.pid)
        assert "Welcome to Kept" in (await kept.say("join St Ada's School"))[1]

        said = await asyncio.gather(*(kept.say(f"offer a physics teacher, week {n}") for n in range(40)))
        refs = {_acked(text) for _, text in said}
        assert None not in refs and len(refs) == 40

        lost = min(first)
        os.kill(lost, signal.SIGKILL)
        await _until(lambda: _replaced(kept.process.pid, lost), seconds=60)
        try:
            said = await asyncio.gather(*(kept.say(f"offer a chemistry teacher, week {n}") for n in range(10)))
        except aiohttp.ClientError as exc:  # seen once in a full run on a starved machine: say what the server saw
            log = (tmp_path / "serve.log").read_text()[-4000:]
            raise AssertionError(f"{exc!r} after a child was replaced; kept serve's log ends:\n{log}") from exc
        assert all(_acked(text) is not None for _, text in said)
        serving = _serving_children(kept.process.pid)
        for _ in range(4):  # whichever child answers the scrape, it counts every child's commands
            async with kept.session.get(kept.url + "/metrics") as response:
                figures = await response.text()
            assert 'kept_commands_total{platform="slack",verb="offer"} 50.0' in figures

        kept.process.terminate()
        assert kept.process.wait(timeout=60) == 0
    assert not [pid for pid in serving if Path(f"/proc/{pid}").exists()], "a child outlived kept serve"
    log = (tmp_path / "serve.log").read_text()
    assert "process 1 stopped" in log or "process 0 stopped" in log
    assert "Traceback" not in log
    assert _offers(direct, schema) >= {ref for ref in refs if ref is not None}


async def _count(found: set[int], expected: int) -> bool:
    return len(found) == expected


async def _replaced(parent: int, lost: int) -> bool:
    serving = _serving_children(parent)
    return len(serving) == 2 and lost not in serving


def test_socket_mode_is_refused_with_several_processes(tmp_path: Path) -> None:
    env = {**os.environ, "KEPT_DATABASE_URL": f"sqlite:///{tmp_path / 'kept.db'}", "SLACK_APP_TOKEN": "xapp-1"}
    done = subprocess.run(
        [KEPT, "serve", "--socket", "--processes", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "Socket Mode runs in one process" in done.stderr
    bad = subprocess.run([KEPT, "serve", "--processes", "0"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "is not a number of processes from 1 to 64" in bad.stderr
