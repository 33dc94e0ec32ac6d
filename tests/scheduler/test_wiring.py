"""The scheduler as processes run it: APScheduler ticking in the loop, settings, the console and the CLI."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import console_tick, main
from bot.config import Settings
from bot.console.notifier import ConsoleNotifier
from bot.console.repl import Chat
from bot.wiring import assemble, reminder_policy
from handlers.clock import MovableClock
from handlers.policy import Offset
from scheduler import jobs
from storage import outbox
from storage.db import Database
from storage.models import Notification
from tests.harness.fixtures import MONDAY_9AM


async def test_the_tick_runs_at_once_in_the_running_loop_and_keeps_going_after_a_failure() -> None:
    ticks: list[int] = []
    second = asyncio.Event()

    async def tick() -> None:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise ConnectionError("database restarting")
        second.set()

    async with jobs.running(tick, 0.02, "Europe/London") as scheduler:
        job = scheduler.get_job(jobs.TICK_JOB)
        assert job is not None and job.coalesce and job.max_instances == 1
        assert str(scheduler.timezone) == "Europe/London"
        await asyncio.wait_for(second.wait(), timeout=5)
    assert len(ticks) >= 2


def test_reminder_offsets_and_working_hours_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEPT_NUDGE_OFFSETS", "30m, 5m")
    monkeypatch.setenv("KEPT_WORK_HOURS", "07:30-19:00")
    policy = reminder_policy(Settings())
    assert policy.before_due == (Offset(30, "m"), Offset(5, "m"))
    assert (policy.hours.start, policy.hours.end) == (time(7, 30), time(19, 0))
    assert policy.before_session == (Offset(7), Offset(1), Offset(2, "h"))


def test_minute_offsets_let_a_demo_see_nudges_within_the_hour(
    monkeypatch: pytest.MonkeyPatch, sqlite_db: Database, clock: MovableClock
) -> None:
    monkeypatch.setenv("KEPT_NUDGE_OFFSETS", "30m")
    parts = assemble(Settings(), clock, sqlite_db, web=False)
    chat = Chat(parts.kept, clock, tick=console_tick(parts))
    chat.say(":as Sam Patel @ St Ada's School")
    chat.say(":as Priya Shah @ Hopper Academy")
    chat.say("promise a minibus to St Ada's School by today 11:00")
    out = chat.say(":advance 1h")  # 10:00: still quiet; the nudge is at 10:30
    assert "Nothing fell due." in out
    out = chat.say(":advance 45m")
    assert "→ priya-shah\nA minibus: due today, 11:00 (C1)" in out
    assert "[Snooze a week: snooze C1 1 week]" in out and "more: [Snooze a day: snooze C1 1 day]" in out


def test_kept_notifications_lists_what_is_waiting_and_what_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEPT_DATABASE_URL", f"sqlite:///{tmp_path / 'kept.db'}")
    assert main(["notifications", "--failed"]) == 0
    assert "Nothing has failed" in capsys.readouterr().out
    db = Database.from_url(f"sqlite:///{tmp_path / 'kept.db'}")
    with db.transaction() as session:
        outbox.enqueue(session, kind="notice", key="help:C1:2026-11-23:1", due_at=MONDAY_9AM, now=MONDAY_9AM)
        outbox.enqueue(session, kind="digest", key="digest:1:2026-W49", due_at=MONDAY_9AM, now=MONDAY_9AM)
    [row, _] = outbox.claim_due(db, "w", MONDAY_9AM, timedelta(minutes=5))
    outbox.record(db, outbox.undeliverable(row, "w", "account_inactive"))
    assert main(["notifications"]) == 0
    assert "digest:1:2026-W49" in capsys.readouterr().out
    assert main(["notifications", "--failed"]) == 1
    out = capsys.readouterr().out
    assert "undeliverable" in out and "help:C1:2026-11-23:1" in out and "account_inactive" in out
    with db.transaction() as session:
        assert len(session.exec(select(Notification)).all()) == 2
    db.engine.dispose()


def test_a_mistyped_reminder_offset_is_refused_at_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEPT_NUDGE_OFFSETS", "2d, two days")
    assert main(["notifications"]) == 2
    assert "'two days' should look like 2d, 3h or 30m" in capsys.readouterr().err


async def test_kept_serve_runs_the_tick_in_the_web_apps_loop_from_start_up_to_shutdown(
    sqlite_db: Database, clock: MovableClock
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web import build_app
    from handlers.context import Caller

    parts = assemble(Settings(), clock, sqlite_db)
    console = ConsoleNotifier()
    parts.notifiers["console"] = console
    sam = Caller("console", "console", "sam-patel", "Sam Patel")
    parts.kept.handle(sam, "join St Ada's School")
    parts.kept.handle(Caller("console", "console", "priya-shah", "Priya Shah"), "join Hopper Academy")
    parts.kept.handle(sam, "promise a minibus to Hopper Academy by Wednesday")  # the -2d nudge is due now
    app = build_app(parts, scheduler=True)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 200
        for _ in range(500):  # the first tick runs at start-up, in this loop
            if console.received:
                break
            await asyncio.sleep(0.01)
    assert [m.title for _, m in console.received] == ["A minibus: due Wed 25 Nov (C1)"]
