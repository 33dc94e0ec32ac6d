"""Every fixture the suite shares: real databases (SQLite, and PostgreSQL in a schema of its own), a movable clock,
people who talk to Kept, the Slack and Teams stand-ins with Kept's real app in front of them, a recording platform
and a delivery loop for the scheduler, and a small network built straight through the models."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bot.config import Settings
from bot.web import build_app
from bot.wiring import assemble
from handlers.clock import MovableClock
from handlers.dispatch import Kept
from scheduler.delivery import DeliveryLoop, TickReport
from storage.db import Database, make_engine
from tests.harness import gallery
from tests.harness.delivery import RunUntil, make_delivery_loop
from tests.harness.people import Join, Person, joiner
from tests.harness.recording import RecordingNotifier
from tests.harness.slack import SlackStandIn, Workspace, _finished, _workspace, start_slack_api
from tests.harness.teams import MakeTeams, TeamsChat
from tests.harness.teams_connector import Connector, start_connector
from tests.harness.teams_keys import KeyService, start_key_service
from tests.harness.world import World, build_world

POSTGRES_URL = os.environ.get("KEPT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Monday 23 November 2026, 09:00 in London (GMT): a school day in the autumn term.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a developer's real Slack or Teams settings."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "Microsoft", "MICROSOFT_", "KEPT_")) and name != "KEPT_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY_9AM)


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except OperationalError:
        return False


def _require_postgres() -> None:
    if postgres_available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL must be reachable in CI at {POSTGRES_URL}")
    pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections see a fresh, empty schema of their own (so test runs never collide)."""
    _require_postgres()
    schema = f"kept_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _database(url: str) -> Database:
    db = Database(make_engine(url))
    db.create_all()
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """The same suite on both stores: SQLite in memory, and PostgreSQL in a schema of its own."""
    if request.param == "sqlite":
        database = _database("sqlite://")
        yield database
        database.engine.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    database = _database(url)
    yield database
    database.engine.dispose()


@pytest.fixture
def sqlite_db() -> Iterator[Database]:
    """SQLite only, for tests whose behaviour does not depend on the store."""
    database = _database("sqlite://")
    yield database
    database.engine.dispose()


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    database = _database(postgres_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def kept(sqlite_db: Database, clock: MovableClock) -> Kept:
    return Kept(sqlite_db, clock)


@pytest.fixture
def pg_kept(pg_db: Database, clock: MovableClock) -> Kept:
    return Kept(pg_db, clock)


@pytest.fixture
def person(kept: Kept) -> Join:
    """`person("Sam Patel", "St Ada's School")`: someone who has joined that school (SQLite)."""
    return joiner(kept)


@pytest.fixture
def any_kept(db: Database, clock: MovableClock) -> Kept:
    return Kept(db, clock)


@pytest.fixture
def any_person(any_kept: Kept) -> Join:
    """As `person`, on SQLite and on PostgreSQL."""
    return joiner(any_kept)


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackStandIn]:
    stand_in, server = await start_slack_api()
    yield stand_in
    await server.close()


@pytest.fixture
async def workspace(
    slack_api: SlackStandIn, sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> AsyncIterator[Workspace]:
    """St Ada's workspace on SQLite."""
    ws = await _workspace(slack_api, sqlite_db, clock, aiohttp_client)
    yield ws
    await _finished(ws)


@pytest.fixture
async def any_workspace(
    slack_api: SlackStandIn, db: Database, clock: MovableClock, aiohttp_client: Any
) -> AsyncIterator[Workspace]:
    """St Ada's workspace on SQLite and on PostgreSQL."""
    ws = await _workspace(slack_api, db, clock, aiohttp_client)
    yield ws
    await _finished(ws)


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    stand_in, server = await start_connector()
    yield stand_in
    await server.close()


@pytest.fixture
async def key_service() -> AsyncIterator[KeyService]:
    service, server = await start_key_service()
    yield service
    await server.close()


@pytest.fixture
def make_teams(aiohttp_client: Any, connector: Connector, sqlite_db: Database, clock: MovableClock) -> MakeTeams:
    """`await make_teams(microsoft_app_id=...)`: the app with those settings (none: unauthenticated, as for local
    development); the connector stand-in is the one service URL Kept may call."""

    async def make(**settings: Any) -> TeamsChat:
        settings.setdefault("allow_insecure_teams", not settings.get("microsoft_app_id"))
        settings.setdefault("teams_service_urls", connector.url)
        parts = assemble(Settings(_env_file=None, **settings), clock, db=sqlite_db)  # type: ignore[call-arg]
        client = await aiohttp_client(build_app(parts))
        return TeamsChat(client, connector, parts)

    return make


@pytest.fixture
async def teams(make_teams: MakeTeams) -> TeamsChat:
    chat: TeamsChat = await make_teams()
    return chat


@pytest.fixture
def world(sqlite_db: Database, clock: MovableClock) -> World:
    return build_world(sqlite_db, clock)


@pytest.fixture
def both_worlds(db: Database, clock: MovableClock) -> World:
    """The same network on SQLite and on PostgreSQL, for the queries whose SQL differs between them."""
    return build_world(db, clock)


@pytest.fixture
def slack_inbox() -> RecordingNotifier:
    return RecordingNotifier("slack")


@pytest.fixture
def teams_inbox() -> RecordingNotifier:
    return RecordingNotifier("teams")


@pytest.fixture
def delivery(
    kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, teams_inbox: RecordingNotifier
) -> DeliveryLoop:
    return make_delivery_loop(kept.db, clock, slack_inbox, teams_inbox)


@pytest.fixture
def run_until(clock: MovableClock, delivery: DeliveryLoop) -> RunUntil:
    """Tick every `step` (an hour by default) from now until `moment`, as a running worker would."""

    async def run(moment: datetime, step: timedelta = HOUR, worker: DeliveryLoop | None = None) -> list[TickReport]:
        reports = []
        while clock.now() < moment:
            clock.advance(min(step, moment - clock.now()))
            reports.append(await (worker or delivery).tick())
        return reports

    return run


@pytest.fixture
def grace(person: Join) -> Person:
    """Grace Okafor, staff at St Ada's School, whose lead is Sam Patel; Priya Shah leads Hopper Academy."""
    person("Sam Patel", "St Ada's School")
    person("Priya Shah", "Hopper Academy")
    return person("Grace Okafor", "St Ada's School")


@pytest.fixture(scope="session")
def shots() -> list[gallery.Shot]:
    """Every kind of message Kept sends, from the scripted partnership (built once per run; the script runs its
    own event loop, so only sync tests may be the first to ask for it)."""
    return gallery.build().shots
