"""The `kept` command as an operator uses it: migrate, demo, export, on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

KEPT = str(Path(sys.executable).with_name("kept"))


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kept.db"
    monkeypatch.setenv("KEPT_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_migrate_creates_the_database_and_says_so(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert database.exists()
    assert "Database is up to date" in capsys.readouterr().out


def test_demo_seeds_a_network_with_progress_and_export_writes_the_log(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "[ 1/15] Sam Patel: join St Ada's School" in out and "Demo network ready." in out

    assert main(["export"]) == 0
    exported = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(exported.out)))
    assert [r["action"] for r in rows].count("join") == 4
    assert {"promise", "offer", "request", "session", "partnership"} <= {r["action"] for r in rows}
    assert f"Exported {len(rows)} log entries." in exported.err

    assert main(["export", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(rows) and lines[0]["action"] == "join"


def test_a_second_demo_is_harmless(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    capsys.readouterr()
    assert main(["demo"]) == 0
    assert "steps skipped" in capsys.readouterr().out


def test_a_bad_setting_is_reported_plainly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KEPT_PORT", "not-a-port")
    assert main(["migrate"]) == 2
    assert "a setting is wrong" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("bogus://x", "Kept stopped: KEPT_DATABASE_URL is not a database URL Kept can use"),
        ("not a url", "Kept stopped: KEPT_DATABASE_URL is not a database URL Kept can use"),
        ("postgresql+psycopg://kept@127.0.0.1:1/kept", "Kept stopped: can't reach the database (connection"),
    ],
)
@pytest.mark.parametrize("command", ["chat", "migrate", "export", "notifications", "worker"])
def test_a_database_kept_cannot_use_is_named_in_one_line_never_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, url: str, said: str
) -> None:
    monkeypatch.setenv("KEPT_DATABASE_URL", url)

    assert main([command]) == 1

    err = capsys.readouterr().err
    assert err.startswith(said) and err.count("\n") == 1, err


def test_kept_notifications_piped_into_head_stops_quietly(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from storage import outbox
    from storage.db import Database

    url = f"sqlite:///{tmp_path / 'kept.db'}"
    assert subprocess.run([KEPT, "migrate"], env={**os.environ, "KEPT_DATABASE_URL": url}, check=False).returncode == 0
    db = Database.from_url(url)
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    with db.transaction() as session:
        for n in range(5000):
            outbox.enqueue(session, kind="notice", key=f"help:C{n}:2026-11-23:1", due_at=now, now=now)
    db.close()

    piped = subprocess.run(
        f"{KEPT} notifications | head -1",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "KEPT_DATABASE_URL": url},
        check=False,
    )

    assert piped.stdout.count("\n") == 1
    assert piped.stderr == ""


def test_calendar_loads_a_schools_term_dates_from_a_file(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    term_dates = tmp_path / "term-dates.csv"
    term_dates.write_text("term,Autumn term,02/09/2026,16/12/2026\nterm,Spring term,05/01/2027,26/03/2027\n")
    capsys.readouterr()
    assert main(["calendar", str(term_dates), "--school", "St Ada's School"]) == 0
    assert capsys.readouterr().out == (
        "Loaded the term dates for St Ada's School: 2 terms, from Wed 2 Sep 2026 to Fri 26 Mar 2027.\n"
    )
    assert main(["calendar", str(term_dates), "--school", "St Nowhere"]) == 1
    assert "I found no school called `St Nowhere`" in capsys.readouterr().err
