"""The engine, one short transaction per unit of work, and the one way async code reaches the synchronous core."""

from __future__ import annotations

import asyncio
import fcntl
import functools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

log = logging.getLogger("kept.db")

DEFAULT_URL = "sqlite:///./data/kept.db"
IDLE_PING_SECONDS = 10.0
CHECKPOINT_SECONDS = 0.1
CHECKPOINT_BACKSTOP_PAGES = 4_000
T = TypeVar("T")


def make_engine(url: str = DEFAULT_URL) -> Engine:
    """An engine for `url`; SQLite gets its folder, foreign keys, WAL and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_size=10, max_overflow=20)
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _ping_if_idle)
        return engine
    database = parsed.database or ""
    in_memory = database in ("", ":memory:")
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _checkpoint_backstop(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BACKSTOP_PAGES}")


def _checkpoint_until(database: str, every: float, stop: threading.Event) -> None:
    """A PASSIVE checkpoint every `every` seconds: it waits for no writer and blocks none."""
    connection = sqlite3.connect(database, timeout=30, check_same_thread=False)
    try:
        while not stop.wait(every):
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:  # a busy moment or a file gone away: the next round, or the backstop
                log.warning("background checkpoint failed: %s", exc)
    finally:
        connection.close()


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a pooled connection that has been idle a while before handing it out. `pool_pre_ping` pings at every
    checkout, a round trip and 0.1 ms of CPU per command under load. A connection in steady use that the server
    dropped fails its first statement instead: SQLAlchemy then retires the pool's older connections, and `Kept`
    runs the command once more on a fresh one."""
    if time.monotonic() - record.info.get("checked_in", 0.0) < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # noqa: BLE001  (whatever the driver says, this connection is no use)
        raise DisconnectionError("the database dropped an idle connection") from exc


def rows_changed(result: Any) -> int:
    """How many rows an UPDATE or DELETE changed: a conditional update that changed none lost its race."""
    return int(getattr(result, "rowcount", 0) or 0)


def dropped(exc: BaseException) -> bool:
    """True when `exc` is a pooled connection the database had closed: SQLAlchemy has retired it (and the pool's
    older ones), so the same work on a fresh connection can succeed."""
    return bool(getattr(exc, "connection_invalidated", False))


def unreachable(exc: BaseException) -> bool:
    """True when `exc` means the database could not be reached or the connection was lost (not a bug)."""
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout) or dropped(exc)


class Database:
    """The one handle the rest of Kept holds: an engine, a way to run a transaction on it, and `run` for async
    callers (Slack, Teams, Socket Mode and the scheduler alike)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite takes one writer at a time, and a writer that finds the lock taken sleeps in steps of up to
        # 100 ms (its busy handler); an in-memory database is one connection shared by every thread. One thread
        # for all of Kept's SQLite work keeps its writers in a queue instead, and a lock on a file beside the
        # database keeps that queue across processes (`kept serve --processes N`): with SQLite's busy handler
        # alone, two processes at 50 concurrent commands had a p99 of 0.6-0.8 s. PostgreSQL work runs side by
        # side.
        self._turns = None if self.is_postgres else ThreadPoolExecutor(1, thread_name_prefix="kept-sqlite")
        database = engine.url.database or ""
        self._turn_file = None if self.is_postgres or database in ("", ":memory:") else Path(f"{database}-turns")
        self._turn_fd: int | None = None
        self._checkpoints: tuple[threading.Thread, threading.Event] | None = None

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run synchronous core work off the event loop: in turn on SQLite, in the loop's thread pool otherwise."""
        loop = asyncio.get_running_loop()
        unit = functools.partial(work, *args, **kwargs)
        return await loop.run_in_executor(self._turns, unit if self._turn_file is None else self._in_turn(unit))

    def _in_turn(self, unit: Callable[[], T]) -> Callable[[], T]:
        def taking_turns() -> T:
            if self._turn_fd is None:  # only ever in the one SQLite thread
                assert self._turn_file is not None
                self._turn_fd = os.open(self._turn_file, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._turn_fd, fcntl.LOCK_EX)
            try:
                return unit()
            finally:
                fcntl.flock(self._turn_fd, fcntl.LOCK_UN)

        return taking_turns

    def checkpoint_in_background(self, every: float = CHECKPOINT_SECONDS) -> None:
        """For a long-running server on a SQLite file: copy the write-ahead log into the database from a thread
        of its own every `every` seconds, so that no command's commit pays for it. SQLite otherwise does it in
        the commit that fills 1,000 pages, a few milliseconds on one command in eighty: p99 was 4.4 ms where
        p50 was 0.35. Commits still do it past 4,000 pages (16 MB), should this thread fall behind; what is
        left for them then is little, since this thread has copied the rest."""
        if self._turn_file is None or self._checkpoints is not None:
            return
        event.listen(self.engine, "connect", _checkpoint_backstop)
        self.engine.dispose()  # connections made from now on have the backstop
        stop = threading.Event()
        database = str(self.engine.url.database)
        thread = threading.Thread(target=_checkpoint_until, args=(database, every, stop), name="kept-checkpoint")
        thread.daemon = True
        thread.start()
        self._checkpoints = (thread, stop)

    def close(self) -> None:
        """Let the SQLite threads go and close the pool's connections (on shutdown, and after tests)."""
        if self._checkpoints is not None:
            thread, stop = self._checkpoints
            stop.set()
            thread.join()
            self._checkpoints = None
        if self._turns is not None:
            self._turns.shutdown(wait=True)
        if self._turn_fd is not None:
            os.close(self._turn_fd)
            self._turn_fd = None
        self.engine.dispose()

    @classmethod
    def from_url(cls, url: str = DEFAULT_URL) -> Database:
        return cls(make_engine(url))

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits as one, or not at all if anything raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def create_all(self) -> None:
        """Tables straight from the models: for tests only; real databases go through `kept migrate`."""
        import storage.models  # noqa: F401  (registers every table)

        SQLModel.metadata.create_all(self.engine)
