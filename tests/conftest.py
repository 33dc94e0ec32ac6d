"""Shared fixtures: a real database (SQLite, or PostgreSQL in its own schema), a movable clock, a network."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from storage.db import Database, make_engine
from tests.people import Join, joiner

POSTGRES_URL = os.environ.get("KEPT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Monday 23 November 2026, 09:00 in London (GMT): a school day in the autumn term.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


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
