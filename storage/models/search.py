"""The full-text index over offers and requests, which the models cannot describe: SQLite's FTS5 table (porter
stemming) kept by triggers, and PostgreSQL's generated tsvector column (english configuration) with a GIN index.

Either is written by the database in the statement that writes the listing, so logging an offer runs no Python
for its index. Both are created with the listing table (`create_all`, for tests) and by migration 0002;
`outside_models` keeps Alembic's comparison of models and database from reporting them as strays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, event

from storage.models.work import Listing

if TYPE_CHECKING:  # Alembic is imported only when a migration runs
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

SQLITE = (
    "CREATE VIRTUAL TABLE listing_fts USING fts5(text, content='listing', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN "
    "INSERT INTO listing_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER listing_fts_update AFTER UPDATE OF text ON listing BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO listing_fts(rowid, text) VALUES (new.id, new.text); END",
)
# PostgreSQL's parser keeps `12/13` and `A-level` whole; FTS5 splits them. Splitting them here too keeps the stores
# alike.
POSTGRES = (
    "ALTER TABLE listing ADD COLUMN search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', translate(text, '/-', '  '))) STORED",
    "CREATE INDEX ix_listing_search ON listing USING gin (search)",
)


def _create_index(_table: Table, connection: Connection, **_: Any) -> None:
    for statement in POSTGRES if connection.dialect.name == "postgresql" else SQLITE:
        connection.exec_driver_sql(statement)


event.listen(Listing.metadata.tables["listing"], "after_create", _create_index)


def outside_models(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    """Alembic's `include_name`: False for the search index's own tables, column and index."""
    if type_ == "table":
        return not (name or "").startswith("listing_fts")
    if type_ == "column":
        return not (name == "search" and parent_names.get("table_name") == "listing")
    return name != "ix_listing_search"
