"""`kept migrate` builds the same schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, col

import storage.models
from storage import migrate, search
from storage.db import Database, make_engine
from storage.models import Listing


def _check(url: str) -> None:
    db = Database(make_engine(url))
    migrate.upgrade(db)
    migrate.upgrade(db)  # a second run is a no-op
    with db.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": storage.models.outside_models}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, SQLModel.metadata) == []
    assert "commitment" in inspect(db.engine).get_table_names()
    db.engine.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path}/kept.db")


def test_migrations_match_the_models_on_postgres(postgres_url: str) -> None:
    _check(postgres_url)


def test_replicas_starting_together_on_postgres_migrate_in_turn(postgres_url: str) -> None:
    """Three processes migrate one fresh database at once, as replicas of a new release would."""
    script = "import sys; from storage import migrate; from storage.db import Database; " + (
        "migrate.upgrade(Database.from_url(sys.argv[1]))"
    )
    replicas = [subprocess.Popen([sys.executable, "-c", script, postgres_url]) for _ in range(3)]
    assert [replica.wait(timeout=60) for replica in replicas] == [0, 0, 0]
    db = Database(make_engine(postgres_url))
    assert "commitment" in inspect(db.engine).get_table_names()
    db.engine.dispose()


def _listings_logged_before_the_upgrade_are_found_after_it(url: str) -> None:
    db = Database(make_engine(url))
    config = migrate.alembic_config(url)
    before = ScriptDirectory.from_config(config).get_revision("0002").down_revision  # whatever 0002 follows
    command.upgrade(config, str(before))
    with db.engine.begin() as connection:
        for statement in (
            "INSERT INTO network (id, name, created_at) VALUES (1, 'Wessex', '2026-11-30 09:00:00+00')",
            "INSERT INTO school (id, network_id, name, name_key, timezone, created_at) "
            "VALUES (1, 1, 'Kingsmead School', 'kingsmead school', 'Europe/London', '2026-11-30 09:00:00+00')",
            "INSERT INTO member (id, school_id, name, role, timezone, erased, created_at) "
            "VALUES (1, 1, 'Sam Patel', 'lead', 'Europe/London', false, '2026-11-30 09:00:00+00')",
            "INSERT INTO listing (id, kind, network_id, school_id, member_id, text, category, status, scanned, "
            "created_at) VALUES (7, 'offer', 1, 1, 1, 'Lane time in our pool', 'facilities', 'open', true, "
            "'2026-11-30 09:00:00+00')",
        ):
            connection.execute(text(statement))
    migrate.upgrade(db)
    with db.transaction() as session:
        assert search.ranked(session, [["pool"]], col(Listing.id) > 0, 5) == [7]
        assert session.get(Listing, 7).category_given is False
    command.downgrade(config, str(before))  # and back, and up again
    migrate.upgrade(db)
    with db.transaction() as session:
        assert search.ranked(session, [["pool"]], col(Listing.id) > 0, 5) == [7]
    db.engine.dispose()


def test_listings_logged_before_the_upgrade_are_found_after_it_on_sqlite(tmp_path: Path) -> None:
    _listings_logged_before_the_upgrade_are_found_after_it(f"sqlite:///{tmp_path}/kept.db")


def test_listings_logged_before_the_upgrade_are_found_after_it_on_postgres(postgres_url: str) -> None:
    _listings_logged_before_the_upgrade_are_found_after_it(postgres_url)
