"""`kept serve` answers health and readiness, so a load balancer can tell a sick replica from a well one."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.web import build_app
from bot.wiring import assemble
from handlers.clock import MovableClock
from storage.db import Database


async def _client(db: Database, clock: MovableClock) -> TestClient:
    parts = assemble(Settings(), clock, db)
    client = TestClient(TestServer(build_app(parts)))
    await client.start_server()
    return client


async def test_health_and_readiness_answer_when_the_database_does(sqlite_db: Database, clock: MovableClock) -> None:
    client = await _client(sqlite_db, clock)
    try:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json())["database"] == "ok"
    finally:
        await client.close()


async def test_readiness_fails_when_the_database_is_unreachable(clock: MovableClock) -> None:
    unreachable = Database.from_url("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=1")
    client = await _client(unreachable, clock)
    try:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 503 and (await ready.json()) == {"status": "unavailable", "database": "unreachable"}
    finally:
        await client.close()
