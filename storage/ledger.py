"""The append-only log of every change: who, what, when, and from which platform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import String, Table, bindparam, cast, insert
from sqlalchemy import select as select_columns
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import Session, SQLModel, col, select

from storage.models import LogEntry
from storage.rows import Prepared, add_row, add_row_returning_id


def record(
    session: Session,
    *,
    at: datetime,
    action: str,
    platform: str,
    network_id: int | None,
    member_id: int | None,
    subject: str = "",
    **detail: Any,
) -> None:
    """Add one entry in the caller's transaction, so the log and the change commit together. Every command
    writes one, so it is a plain INSERT (storage/rows.py)."""
    add_row(
        session,
        LogEntry,
        at=at,
        action=action,
        platform=platform,
        network_id=network_id,
        member_id=member_id,
        subject=subject,
        detail=detail,
    )


def record_new_row(
    session: Session,
    model: type[SQLModel],
    values: dict[str, Any],
    *,
    prefix: str,
    at: datetime,
    action: str,
    platform: str,
    network_id: int | None,
    member_id: int | None,
    **detail: Any,
) -> int:
    """Add one row of `model` and the entry that logs it, whose subject is the row's ref (`prefix` and the new
    id, as handlers/refs.py writes it), in the caller's transaction; the new id. On PostgreSQL that is one
    statement: one round trip instead of two, and a fifth less of PostgreSQL's own CPU per offer."""
    entry: dict[str, Any] = {
        "at": at,
        "action": action,
        "platform": platform,
        "network_id": network_id,
        "member_id": member_id,
    }
    if session.connection().dialect.name != "postgresql":
        new_id = add_row_returning_id(session, model, **values)
        record(session, subject=f"{prefix}{new_id}", **entry, **detail)
        return new_id
    table: Table = model.__table__  # type: ignore[attr-defined]
    logged = {f"log_{name}": value for name, value in entry.items()}
    row = _new_row_logged(table, tuple(sorted(values))).first(
        session, **values, **logged, log_prefix=prefix, log_detail=detail
    )
    assert row is not None  # RETURNING always gives the new row
    added: int = row[0]
    return added


@cache
def _new_row_logged(table: Table, columns: tuple[str, ...]) -> Prepared:
    """WITH new AS (INSERT INTO <table> ... RETURNING id), logged AS (INSERT INTO logentry ... SELECT ... FROM new)
    SELECT id FROM new: PostgreSQL runs both INSERTs once, whether or not the last SELECT reads them."""
    given = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    for column in table.columns:  # a column's scalar default, as the ORM would give it
        if column.key not in given and isinstance(column.default, ScalarElementColumnDefault):
            given[column.key] = bindparam(column.key, value=column.default.arg, type_=column.type)
    new = insert(table).values(given).returning(table.c.id).cte("new")
    log: Table = LogEntry.__table__  # type: ignore[attr-defined]
    names = ["at", "action", "platform", "network_id", "member_id", "detail"]
    fields = [bindparam(f"log_{name}", type_=log.c[name].type) for name in names]
    subject = bindparam("log_prefix", type_=String) + cast(new.c.id, String)
    logged = insert(log).from_select([*names, "subject"], select_columns(*fields, subject).select_from(new))
    return Prepared(select_columns(new.c.id).add_cte(logged.cte("logged")), only="postgresql")


def entries(session: Session, network_id: int | None = None, batch: int = 1000) -> Iterator[LogEntry]:
    """Every entry, oldest first, read in batches so an export never holds the whole log in memory."""
    last_id = 0
    while True:
        query = select(LogEntry).where(col(LogEntry.id) > last_id).order_by(col(LogEntry.id)).limit(batch)
        if network_id is not None:
            query = query.where(LogEntry.network_id == network_id)
        rows = session.exec(query).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id or last_id
