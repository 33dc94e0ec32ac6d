"""Serving from a SQLite file: work takes turns across every process serving it, queued by the kernel rather than
by SQLite's busy handler (which sleeps up to 100 ms at a time), and the write-ahead log is copied into the
database by a thread of its own rather than in some unlucky command's commit."""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from pathlib import Path

import pytest

from storage.db import Database


def _taken(path: Path) -> bool:
    """True if another holder (here: another open file, as another process would be) has the turn."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_each_unit_of_work_holds_the_turn_and_gives_it_back(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/kept.db")
    turns = tmp_path / "kept.db-turns"

    async def both() -> tuple[bool, bool]:
        during = await db.run(_taken, turns)
        return during, _taken(turns)

    try:
        during, after = asyncio.run(both())
    finally:
        db.close()
    assert during and not after


def _waiters(path: Path) -> int:
    """How many are queued for the turn, as the kernel lists them (blocked requests show as `->` in /proc/locks)."""
    inode = f":{path.stat().st_ino} "
    return sum(1 for line in Path("/proc/locks").read_text().splitlines() if "->" in line and inode in line)


def test_work_waits_in_the_kernels_queue_while_another_process_has_the_turn(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/kept.db")
    turns = tmp_path / "kept.db-turns"
    other = os.open(turns, os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)  # another process is mid-command

    async def attempt() -> None:
        work = asyncio.ensure_future(db.run(lambda: "done"))
        give_up = time.monotonic() + 10
        while not _waiters(turns) and time.monotonic() < give_up:  # until Kept's thread is queued behind it
            await asyncio.sleep(0)
        assert _waiters(turns) == 1 and not work.done()
        fcntl.flock(other, fcntl.LOCK_UN)
        assert await work == "done"

    try:
        asyncio.run(attempt())
    finally:
        os.close(other)
        db.close()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_has_no_turn_file(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = Database.from_url(url)
    try:
        assert asyncio.run(db.run(lambda: 42)) == 42
    finally:
        db.close()
    assert list(tmp_path.iterdir()) == []


def test_a_servers_log_is_copied_into_the_database_by_its_own_thread_not_by_commits(tmp_path: Path) -> None:
    from sqlalchemy import text

    db = Database.from_url(f"sqlite:///{tmp_path}/kept.db")
    db.checkpoint_in_background(every=0.01)
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 4_000  # commits: a backstop
        with db.transaction() as session:
            session.execute(text("CREATE TABLE offer (text TEXT)"))
        before = (tmp_path / "kept.db").stat().st_size
        for n in range(200):
            with db.transaction() as session:
                session.execute(text("INSERT INTO offer VALUES (:text)"), {"text": f"Two physics teachers {n}" * 20})
        give_up = time.monotonic() + 10
        while (tmp_path / "kept.db").stat().st_size <= before and time.monotonic() < give_up:
            time.sleep(0.01)  # waiting on the condition, not for a time: the thread copies the pages over
        assert (tmp_path / "kept.db").stat().st_size > before, "the log never reached the database file"
    finally:
        db.close()
