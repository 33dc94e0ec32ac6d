"""Several `kept worker`-like processes on one PostgreSQL schema: 1,000 due notices, each delivered once,
also when a worker is killed while it holds claims (they are taken over when its lease runs out)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert
from sqlmodel import col, select

from storage.db import Database
from storage.models import ChatTenant, Identity, Member, Network, Notification, School
from tests.scheduler.worker_process import START

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
COUNT = 1000


def _seed(db: Database, count: int) -> None:
    """Grace Okafor at St Ada's School, on the recording platform, with `count` notices already due."""
    with db.transaction() as session:
        network = Network(name="Ada network", created_at=START)
        session.add(network)
        session.flush()
        session.add(ChatTenant(platform="recording", tenant_id="T-ADA", network_id=network.id or 0, created_at=START))
        school = School(network_id=network.id or 0, name="St Ada's School", name_key="st adas school", created_at=START)
        session.add(school)
        session.flush()
        grace = Member(school_id=school.id or 0, name="Grace Okafor", created_at=START)
        session.add(grace)
        session.flush()
        session.add(
            Identity(
                platform="recording", tenant_id="T-ADA", user_id="U-GRACE", member_id=grace.id or 0, created_at=START
            )
        )
        due = START - timedelta(minutes=5)
        rows = [
            dict(
                kind="notice",
                dedupe_key=f"notice:{i}",
                member_id=grace.id,
                due_at=due,
                status="pending",
                payload={"title": f"n{i}"},
                created_at=START,
                attempts=0,
                claimed_by="",
                last_error="",
                delivery_ref="",
            )
            for i in range(count)
        ]
        session.execute(insert(Notification.__table__), rows)  # type: ignore[attr-defined]


class Workers:
    def __init__(self, url: str, record: Path) -> None:
        self.url, self.record, self.running = url, record, {}  # type: dict[str, subprocess.Popen[bytes]]

    def start(self, name: str, lease: float, hang_after: int | None = None) -> None:
        args = [sys.executable, "-m", "tests.scheduler.worker_process", self.url, str(self.record), name, str(lease)]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.running[name] = subprocess.Popen(args + ([str(hang_after)] if hang_after else []), cwd=ROOT, env=env)

    def delivered(self) -> list[str]:
        return self.record.read_text().split() if self.record.exists() else []

    def wait_for(self, done: object, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while not done():  # type: ignore[operator]
            assert time.monotonic() < deadline, f"gave up with {len(set(self.delivered()))} delivered"
            assert all(p.poll() is None for p in self.running.values()), "a worker exited on its own"
            time.sleep(0.05)  # waiting on other processes, not on Kept's clock

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            process.wait(timeout=10)


@pytest.fixture
def workers(postgres_url: str, pg_db: Database, tmp_path: Path) -> Iterator[Workers]:
    _seed(pg_db, COUNT)
    running = Workers(postgres_url, tmp_path / "delivered.txt")
    yield running
    for process in running.running.values():
        if process.poll() is None:
            process.kill()
            process.wait()


def _statuses(db: Database) -> Counter[str]:
    with db.transaction() as session:
        rows = session.exec(select(Notification.status, func.count()).group_by(Notification.status)).all()
        return Counter({status: count for status, count in rows})


def _sent_by(db: Database, worker: str) -> int:
    with db.transaction() as session:
        query = select(func.count()).where(Notification.status == "sent", Notification.claimed_by == worker)
        return int(session.exec(query).one())


def _claimed_by(db: Database, worker: str) -> set[int]:
    with db.transaction() as session:
        query = select(Notification.id).where(Notification.claimed_by == worker, Notification.status == "claimed")
        return {row_id for row_id in session.exec(query).all() if row_id is not None}


def test_a_thousand_due_notices_are_each_delivered_once_by_three_workers_one_of_them_killed_mid_run(
    workers: Workers, pg_db: Database
) -> None:
    workers.start("doomed", lease=1.5, hang_after=160)  # after 160 sends its platform stops answering
    workers.start("st-adas-1", lease=30)
    workers.start("hopper-1", lease=30)
    workers.wait_for(lambda: _sent_by(pg_db, "doomed") == 160)
    held = _claimed_by(pg_db, "doomed")
    assert held  # it dies holding claims, in the middle of sending them
    doomed = workers.running.pop("doomed")
    doomed.kill()  # SIGKILL: no chance to tidy up
    doomed.wait()
    workers.wait_for(lambda: _statuses(pg_db)["sent"] == COUNT)
    workers.stop_all()

    delivered = Counter(workers.delivered())
    assert len(delivered) == COUNT and set(delivered.values()) == {1}
    assert _statuses(pg_db) == Counter({"sent": COUNT})
    shares = [_sent_by(pg_db, name) for name in ("doomed", "st-adas-1", "hopper-1")]
    assert shares[0] == 160 and sum(shares) == COUNT and all(shares), shares
    with pg_db.transaction() as session:  # what the dead worker held was taken over once its lease ran out
        takers = session.exec(select(Notification.claimed_by).where(col(Notification.id).in_(held))).all()
    assert set(takers) <= {"st-adas-1", "hopper-1"}


def test_a_worker_killed_at_any_moment_loses_nothing_and_repeats_at_most_what_it_had_in_flight(
    workers: Workers, pg_db: Database
) -> None:
    """The honest limit: a kill between the platform's success and the commit can repeat that one send
    (no chat platform takes an idempotency key). Everything else is still delivered exactly once."""
    workers.start("doomed", lease=1.5)
    workers.start("st-adas-1", lease=30)
    workers.wait_for(lambda: _sent_by(pg_db, "doomed") >= 100)
    doomed = workers.running.pop("doomed")
    doomed.kill()
    doomed.wait()
    workers.wait_for(lambda: _statuses(pg_db)["sent"] == COUNT)
    workers.stop_all()
    delivered = Counter(workers.delivered())
    assert len(delivered) == COUNT  # nothing lost
    repeated = [title for title, times in delivered.items() if times > 1]
    assert len(repeated) <= 10 and max(delivered.values()) <= 2  # at most the sends it had in flight
