"""Searching offers and requests with the database's own full-text engine, one interface over both stores.

A search names ideas, each as the ways people write it (`["latin", "classics"]`, `["lane time", "pool"]`), in
plain lower-case words. A listing mentions an idea when its text holds any of those ways as a phrase, after the
engine's stemming (`teachers` finds `teacher`). SQLite ranks with FTS5's bm25, PostgreSQL with ts_rank: both
weigh a word the more the rarer it is, so the first listings found are those sharing the rarest words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnClause, ColumnElement, column, func, literal_column, table, text
from sqlmodel import Session, col, select

from storage.models import Listing
from storage.models.search import CATCH_UP

Ideas = Sequence[Sequence[str]]
_PLAIN = re.compile(r"[^a-z0-9 ]+")
_FTS = table("listing_fts", column("rowid"))
_VECTOR: ColumnClause[Any] = literal_column("listing.search")


def query_text(ideas: Ideas) -> str:
    """`"lane time" OR "pool"`: FTS5's syntax, which PostgreSQL's websearch_to_tsquery reads the same way."""
    ways = dict.fromkeys(" ".join(_PLAIN.sub(" ", way.lower()).split()) for idea in ideas for way in idea)
    return " OR ".join(f'"{way}"' for way in ways if way)


def ranked(session: Session, ideas: Ideas, where: ColumnElement[bool], limit: int) -> list[int]:
    """Ids of the listings meeting `where` that mention any of `ideas`, best first by the engine's ranking."""
    query = query_text(ideas)
    if not query:
        return []
    _catch_up(session)
    if _is_postgres(session):
        found = func.websearch_to_tsquery(literal_column("'english'"), query)
        rank = func.ts_rank(_VECTOR, found)
        statement = select(Listing.id).where(_VECTOR.op("@@")(found), where).order_by(rank.desc())
    else:
        statement = (
            select(Listing.id)
            .join_from(Listing, _FTS, _FTS.c.rowid == col(Listing.id))
            .where(literal_column("listing_fts").match(query), where)
            .order_by(func.bm25(literal_column("listing_fts")))
        )
    found_ids = session.exec(statement.order_by(col(Listing.id)).limit(limit)).all()
    return [listing_id for listing_id in found_ids if listing_id is not None]


def frequencies(session: Session, ideas: Ideas) -> tuple[int, list[int]]:
    """How many listings there are, and how many of them mention each idea (for weighing rare ideas above common).

    One statement, each count read from the index: FTS5's own, or PostgreSQL's GIN index.
    """
    _catch_up(session)
    if _is_postgres(session):
        each = "(SELECT count(*) FROM listing WHERE search @@ websearch_to_tsquery('english', :{}))"
    else:
        each = "(SELECT count(*) FROM listing_fts WHERE listing_fts MATCH :{})"
    params = {f"q{i}": q for i, idea in enumerate(ideas) if (q := query_text([idea]))}
    counts = "".join(f", {each.format(f'q{i}') if f'q{i}' in params else '0'}" for i in range(len(ideas)))
    row = session.execute(text(f"SELECT (SELECT count(*) FROM listing){counts}"), params).one()
    return int(row[0]), [int(n) for n in row[1:]]


def _catch_up(session: Session) -> None:
    """Index the listings written since the last search (SQLite; PostgreSQL's index is never behind)."""
    if not _is_postgres(session):
        session.execute(text(CATCH_UP))


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
