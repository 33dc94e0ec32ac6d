"""SQLite work takes turns across every process serving the file, queued by the kernel rather than by SQLite's
busy handler (which sleeps up to 100 ms at a time): `kept serve --processes N` on SQLite."""

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
