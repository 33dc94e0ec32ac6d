"""Looking for a person's name anywhere in the database: erasure must leave no trace of who they were."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, Text, inspect, text

from storage.db import Database


def erased_names_left(db: Database, names: set[str]) -> list[str]:
    """Every table where an erased person's name is still written, in any text or JSON column."""
    found = []
    with db.engine.connect() as connection:
        for table, query in _text_searches(db):
            for name in names:
                if connection.execute(query, {"name": f"%{name.lower()}%"}).scalar_one():
                    found.append(f"{name} in {table}")
    return found


def _text_searches(db: Database) -> list[tuple[str, Any]]:
    """One query per table that looks in all its text and JSON columns at once."""
    searches = []
    tables = inspect(db.engine)
    for table in tables.get_table_names():
        wordy = [c["name"] for c in tables.get_columns(table) if isinstance(c["type"], String | JSON | Text)]
        if wordy:
            where = " OR ".join(f'lower(CAST("{column}" AS TEXT)) LIKE :name' for column in wordy)
            searches.append((table, text(f'SELECT COUNT(*) FROM "{table}" WHERE {where}')))
    return searches
