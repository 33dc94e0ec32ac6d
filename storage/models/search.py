"""The full-text index over offers and requests, which the models cannot describe: SQLite's FTS5 table (porter
stemming), and PostgreSQL's generated tsvector column (english configuration) with a GIN index.

Either is written by the database, so logging an offer runs no Python for its index: PostgreSQL's in the
statement that writes the listing, SQLite's when the board is next searched. Both are created with the listing
table (`create_all`, for tests) and by migrations 0002 and 0008; `outside_models` keeps Alembic's comparison of
models and database from reporting them as strays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, event

from storage.models.work import Listing

if TYPE_CHECKING:  # Alembic is imported only when a migration runs
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

# SQLite's index is brought up to date by whoever searches (`CATCH_UP`, storage/search.py), not in each offer's
# own transaction: FTS5 writes a segment, its structure and a size record per transaction, six pages of the
# offer's twenty-one, and batching them is where it is cheap. A listing is indexed exactly when its id is at most
# the highest indexed one (the index's docsize table); the triggers keep that true for listings changed or gone.
CATCH_UP = (
    "INSERT INTO listing_fts(rowid, text) SELECT id, text FROM listing "
    "WHERE id > (SELECT coalesce(max(id), 0) FROM listing_fts_docsize) ORDER BY id"
)
_INDEXED = "EXISTS (SELECT 1 FROM listing_fts_docsize WHERE id = old.id)"
SQLITE = (
    "CREATE VIRTUAL TABLE listing_fts USING fts5(text, content='listing', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing WHEN {_INDEXED} BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER listing_fts_update AFTER UPDATE OF text ON listing WHEN {_INDEXED} BEGIN "
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
