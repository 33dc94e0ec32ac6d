"""`kept migrate` builds the same schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.models
from storage import migrate
from storage.db import Database, make_engine


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
