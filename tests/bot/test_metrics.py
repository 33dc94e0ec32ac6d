"""An operator watching Kept in production: /metrics counts commands, refusals, deliveries and ticks, shows what
waits in the outbox, stays private behind a token when asked, and never names a person or a school."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import timeit
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cli import main
from bot.config import Settings
from bot.console.repl import Chat
from bot.metrics import Metrics, verb_of
from bot.web import build_app
from bot.wiring import assemble
from bot.worker import show_stats
from handlers.clock import MovableClock
from storage.db import Database
from tests.harness.delivery import make_delivery_loop
from tests.harness.people import Join
from tests.harness.recording import RecordingNotifier
from tests.harness.slack import Workspace

NAMES = ("Sam", "Alan", "St Ada", "Turing", "physics", "practicals")


async def scrape(client: Any, headers: dict[str, str] | None = None) -> str:
    response = await client.get("/metrics", headers=headers or {})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text: str = await response.text()
    return text


def sample(text: str, name: str, **labels: str) -> float:
    """One sample's value from a scrape, 0 when it isn't there."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


async def promise_between_two_schools(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0ALAN", "join Turing Primary")
    await workspace.say("U0SAM", "promise two physics practicals to Turing Primary by Friday")


async def test_a_slack_offer_is_counted_and_timed_under_its_verb(any_workspace: Workspace) -> None:
    await any_workspace.say("U0SAM", "join St Ada's School")
    await any_workspace.say("U0SAM", "offer our science labs on Saturday mornings")

    figures = await scrape(any_workspace.client)
    assert sample(figures, "kept_commands_total", platform="slack", verb="offer") == 1
    assert sample(figures, "kept_commands_total", platform="slack", verb="join") == 1
    assert sample(figures, "kept_command_duration_seconds_count", platform="slack", verb="offer") == 1
    assert sample(figures, "kept_command_duration_seconds_sum", platform="slack", verb="offer") > 0
    assert sample(figures, "kept_refusals_total", platform="slack", verb="offer") == 0


async def test_refusals_count_and_an_unknown_word_is_never_a_label(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0SAM", "done C99")
    await workspace.say("U0SAM", "frobnicate the Latin department")

    figures = await scrape(workspace.client)
    assert sample(figures, "kept_refusals_total", platform="slack", verb="done") == 1
    assert sample(figures, "kept_refusals_total", platform="slack", verb="other") == 1
    assert "frobnicate" not in figures and "Latin" not in figures


async def test_the_outbox_shows_what_waits_and_how_late_the_oldest_is(
    any_workspace: Workspace, clock: MovableClock
) -> None:
    await promise_between_two_schools(any_workspace)

    planned = await scrape(any_workspace.client)
    assert sample(planned, "kept_database_up") == 1
    assert sample(planned, "kept_outbox_rows", kind="nudge", status="pending") >= 1
    assert sample(planned, "kept_outbox_oldest_due_seconds", kind="nudge", status="pending") == 0  # none due yet

    clock.advance(timedelta(days=30))
    overdue = await scrape(any_workspace.client)
    assert sample(overdue, "kept_outbox_oldest_due_seconds", kind="nudge", status="pending") > 7 * 86400


async def test_deliveries_retries_and_ticks_are_counted(workspace: Workspace, clock: MovableClock) -> None:
    await promise_between_two_schools(workspace)
    clock.advance(timedelta(days=4, hours=1))
    await workspace.parts.delivery.tick()

    figures = await scrape(workspace.client)
    assert sample(figures, "kept_deliveries_total", platform="slack", outcome="sent") >= 1
    assert sample(figures, "kept_tick_duration_seconds_count") == 1
    assert sample(figures, "kept_delivery_retries_total", platform="slack") == 0


async def test_a_scrape_never_names_a_person_or_a_school(workspace: Workspace, clock: MovableClock) -> None:
    await promise_between_two_schools(workspace)
    clock.advance(timedelta(days=4, hours=1))
    await workspace.parts.delivery.tick()

    figures = await scrape(workspace.client)
    assert not [name for name in NAMES if name.lower() in figures.lower()]


async def test_with_a_token_only_its_bearer_may_read_the_figures(
    sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> None:
    parts = assemble(Settings(metrics_token="a-long-random-token"), clock, sqlite_db)
    client = await aiohttp_client(build_app(parts))

    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer ä-long-random-token"})).status == 401
    figures = await scrape(client, {"Authorization": "Bearer a-long-random-token"})
    assert "kept_database_up 1.0" in figures


async def test_metrics_off_means_no_endpoint_and_no_counting(
    sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> None:
    parts = assemble(Settings(metrics=False), clock, sqlite_db)
    client = await aiohttp_client(build_app(parts))

    assert (await client.get("/metrics")).status == 404
    assert parts.metrics is None and parts.delivery.watch is None


async def test_the_figures_still_answer_when_the_database_does_not(clock: MovableClock, aiohttp_client: Any) -> None:
    unreachable = Database.from_url("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=1")
    client = await aiohttp_client(build_app(assemble(Settings(), clock, unreachable)))

    figures = await scrape(client)
    assert sample(figures, "kept_database_up") == 0 and "kept_commands" in figures


def test_counting_a_command_costs_a_few_microseconds() -> None:
    """The hot path is a dictionary look-up, one observe and one or two increments (printed with -s)."""
    metrics = Metrics()
    runs = 20_000
    counting = timeit.timeit(lambda: metrics.command("slack", "offer", True, 0.002), number=runs) / runs
    naming = timeit.timeit(lambda: verb_of("offer two physics teachers for Year 9"), number=runs) / runs
    print(f"\nper command: counting {counting * 1e6:.2f} µs, naming the verb {naming * 1e6:.2f} µs")
    assert counting + naming < 100e-6  # far below a command's own 1-2 ms, even on a busy machine


async def test_stats_summarise_the_outbox_and_the_last_day_without_naming_anyone(
    any_person: Join, clock: MovableClock, slack_inbox: RecordingNotifier, teams_inbox: RecordingNotifier
) -> None:
    sam = any_person("Sam Patel", "St Ada's School")
    any_person("Alan Turing", "Turing Primary")
    assert sam.say("promise two physics practicals to Turing Primary by Friday").ok
    loop = make_delivery_loop(sam.kept.db, clock, slack_inbox, teams_inbox)
    slack_inbox.fail_next()
    clock.advance(timedelta(days=2, hours=1))
    await loop.tick()  # the first nudge fails, and waits to try again
    waiting = io.StringIO()
    show_stats(sam.kept.db, clock.now(), waiting)

    clock.advance(timedelta(hours=2))
    await loop.tick()  # tried again, and sent
    settled = io.StringIO()
    show_stats(sam.kept.db, clock.now(), settled)

    print(waiting.getvalue(), settled.getvalue(), sep="\n")
    assert "Retries: 1 waiting to try again" in waiting.getvalue()
    assert "nudge" in settled.getvalue() and "none due yet" in settled.getvalue()
    assert "Slack:            1 sent" in settled.getvalue()
    assert "1 sent in the last day needed more than one try" in settled.getvalue()
    both = waiting.getvalue() + settled.getvalue()
    assert not [name for name in NAMES if name.lower() in both.lower()]


def test_kept_notifications_stats_is_warm_when_nothing_has_happened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEPT_DATABASE_URL", f"sqlite:///{tmp_path / 'kept.db'}")

    assert main(["notifications", "--stats"]) == 0
    assert capsys.readouterr().out == (
        "Nothing is waiting to be sent.\n\n"
        "In the last 24 hours: nothing sent, failed or dropped.\n\n"
        "No retries: everything went first time. Lovely.\n"
    )


def test_kept_notifications_stats_after_the_demo_counts_without_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEPT_DATABASE_URL", f"sqlite:///{tmp_path / 'kept.db'}")
    assert main(["demo"]) == 0
    capsys.readouterr()

    assert main(["notifications", "--stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Waiting to be sent: ") and "nudge" in out
    assert not [name for name in (*NAMES, "Hopper", "Patel") if name.lower() in out.lower()]


COUNT_IN_A_PROCESS = """
from bot.config import Settings
from bot.metrics import Metrics

metrics = Metrics(Settings().prometheus_multiproc_dir)
metrics.command("slack", "offer", True, 0.004)
metrics.command("teams", "offer", False, 0.02)
metrics.delivered("sent", "slack")
"""


def test_several_processes_add_up_in_one_scrape(tmp_path: Path, clock: MovableClock) -> None:
    """`kept serve --processes N`: each process writes its counts to PROMETHEUS_MULTIPROC_DIR; any one scrapes all."""
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", COUNT_IN_A_PROCESS], env=environment, check=True, timeout=60)

    figures = Metrics(str(tmp_path)).exposition([], clock.now()).decode()
    assert sample(figures, "kept_commands_total", platform="slack", verb="offer") == 2
    assert sample(figures, "kept_refusals_total", platform="teams", verb="offer") == 2
    assert sample(figures, "kept_command_duration_seconds_count", platform="teams", verb="offer") == 2
    assert sample(figures, "kept_deliveries_total", platform="slack", outcome="sent") == 2


def test_the_console_counts_through_the_same_place(sqlite_db: Database, clock: MovableClock) -> None:
    parts = assemble(Settings(), clock, sqlite_db, web=False)
    chat = Chat(parts.kept, clock)
    chat.say(":as Sam Patel @ St Ada's School")
    chat.say("board")
    assert parts.metrics is not None

    figures = parts.metrics.exposition([], clock.now()).decode()
    assert sample(figures, "kept_commands_total", platform="console", verb="join") == 1
    assert sample(figures, "kept_commands_total", platform="console", verb="board") == 1
