"""What a Slack-only `kept serve` loads at start: only what it serves. Heavy libraries come in when first needed.

Idle memory is measured by bench/footprint_bench.py; these tests keep the imports that decide it from creeping
back, and check that the lazily loaded pieces give the same answers as the libraries' usual entry points.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import holidays
import pytest

from handlers.bank_holidays import SUBDIVISIONS, bank_holidays
from storage import migrate
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("alembic", "botbuilder", "msal", "dateparser", "holidays", "icalendar", "jinja2", "reportlab", "PIL")

STARTUP = """
import json, sys
from bot.config import Settings
from bot.readiness import Schema
from bot.web import build_app
from bot.wiring import assemble
from handlers.clock import SystemClock
from storage.db import Database

settings = Settings()
db = Database.from_url(settings.database_url)
schema = Schema(db)
schema.try_upgrade()
build_app(assemble(settings, SystemClock(), db), scheduler=True, schema=schema)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_at_start(database_url: str) -> set[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "KEPT_DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": "footprint",
        "SLACK_BOT_TOKEN": "xoxb-footprint",
        "KEPT_LOG_LEVEL": "ERROR",
    }
    done = subprocess.run(
        [sys.executable, "-c", STARTUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_slack_only_server_at_head_loads_no_heavy_library(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kept.db"
    db = Database.from_url(url)
    migrate.upgrade(db)
    db.engine.dispose()

    loaded = loaded_at_start(url)

    assert "slack_bolt" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_a_fresh_database_is_migrated_at_start_and_then_reads_as_at_head(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite:///{tmp_path}/kept.db")
    assert not migrate.at_head(db)

    migrate.upgrade(db)

    assert migrate.at_head(db)


def test_the_head_read_from_the_files_is_alembics_own(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    config = migrate.alembic_config(f"sqlite:///{tmp_path}/kept.db")
    assert migrate.head_revision() == ScriptDirectory.from_config(config).get_current_head()


READ_AHEAD = """
import json, sys
from handlers.bank_holidays import SUBDIVISIONS, bank_holidays, read_ahead
assert read_ahead(2026, 2033)
years = range(2026, 2034)
days = {n: {str(y): sorted(d.isoformat() for d in bank_holidays(n, y)) for y in years} for n in SUBDIVISIONS}
print(json.dumps({"loaded": "holidays" in sys.modules, "days": days}))
"""


def test_bank_holidays_read_ahead_are_the_librarys_and_leave_it_unloaded() -> None:
    done = subprocess.run([sys.executable, "-c", READ_AHEAD], cwd=ROOT, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)

    assert found["loaded"] is False
    for nation, subdivision in SUBDIVISIONS.items():
        for year in range(2026, 2034):
            expected = holidays.country_holidays("GB", subdiv=subdivision, years=year)
            assert found["days"][nation][str(year)] == sorted(day.isoformat() for day in expected)


@pytest.mark.parametrize("nation", sorted(SUBDIVISIONS))
def test_bank_holidays_are_the_librarys_for_every_nation(nation: str) -> None:
    for year in (2026, 2027, 2031, 2040):
        expected = holidays.country_holidays("GB", subdiv=SUBDIVISIONS[nation], years=year)
        assert bank_holidays(nation, year) == dict(expected)
    assert date(2027, 12, 27) in bank_holidays(nation, 2027)  # Christmas Day on a Saturday: moved to Monday
    assert date(2026, 8, 3) in bank_holidays("scotland", 2026)  # Scotland's summer bank holiday is in August's start
