"""Bringing a database's schema up to date with Alembic (`kept migrate`).

Every process checks at start, and the schema is almost always already at head: that check reads the head
revision from the migration files and the database's `alembic_version` row directly, so Alembic (10 MiB
resident) is imported only when there is something to apply.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"""^(down_)?revision\b[^=]*=\s*['"]?([\w]+)?['"]?\s*$""", re.MULTILINE)


@cache
def head_revision() -> str:
    """The one revision no other migration builds on, read from the files in versions/."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(script.read_text()):
            if value and value != "None":
                (parents if down else revisions).add(value)
    [head] = revisions - parents
    return head


def at_head(db: Database) -> bool:
    """Whether the database's schema is already at the newest migration."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()) == {head_revision()}


def alembic_config(url: str) -> Config:
    from alembic.config import Config

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
    if at_head(db):
        return
    from alembic import command

    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as connection:
        if db.is_postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
