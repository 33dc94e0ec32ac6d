"""A lighter offer: SQLite's search index catches up when searched, not in the offer's own transaction; three
of the listing's indexes that no query needs alone go.

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage/models/search.py creates them (a migration keeps its own copy).
CATCH_UP = (
    "INSERT INTO listing_fts(rowid, text) SELECT id, text FROM listing "
    "WHERE id > (SELECT coalesce(max(id), 0) FROM listing_fts_docsize) ORDER BY id"
)
INDEXED = "EXISTS (SELECT 1 FROM listing_fts_docsize WHERE id = old.id)"
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing WHEN {INDEXED} BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER listing_fts_update AFTER UPDATE OF text ON listing WHEN {INDEXED} BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO listing_fts(rowid, text) VALUES (new.id, new.text); END",
)
EARLIER_SQLITE_TRIGGERS = (  # as migration 0002 made them
    "CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN "
    "INSERT INTO listing_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER listing_fts_update AFTER UPDATE OF text ON listing BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO listing_fts(rowid, text) VALUES (new.id, new.text); END",
)
DROPPED_INDEXES = {"ix_listing_network_id": "network_id", "ix_listing_status": "status", "ix_listing_category": "category"}


def upgrade() -> None:
    for name in DROPPED_INDEXES:
        op.drop_index(name, table_name="listing")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER listing_fts_{trigger}")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(CATCH_UP)
        for trigger in ("delete", "update"):
            op.execute(f"DROP TRIGGER listing_fts_{trigger}")
        for statement in EARLIER_SQLITE_TRIGGERS:
            op.execute(statement)
    for name, column in DROPPED_INDEXES.items():
        op.create_index(name, "listing", [column], unique=False)
