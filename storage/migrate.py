"""Bringing a database's schema up to date with Alembic (`kept migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


MIGRATION_LOCK = 0x4B455054  # "KEPT": one PostgreSQL advisory lock, so replicas starting together take turns


def upgrade(db: Database) -> None:
    """Apply every migration not yet applied; a no-op when there are none.

    Every `kept` process calls this at start. On PostgreSQL the work runs under a transaction-scoped advisory
    lock, so several replicas starting at once migrate one after another instead of racing to create tables.
    """
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as connection:
        if db.is_postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
