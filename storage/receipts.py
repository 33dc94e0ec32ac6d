"""Inbound ids already handled (Slack `event_id`, Teams `activity.id`), so a platform's retry is a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Insert, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.db import rows_changed
from storage.models import InboundReceipt
from storage.rows import Prepared

MAX_ID = 200  # the column's length: longer ids are cut, as Teams activity ids may be


def recording(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, with `source`, `inbound_id` and `at` to bind: no row comes
    back when the id was recorded before."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(InboundReceipt)
        .values(source=bindparam("source"), inbound_id=bindparam("inbound_id"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["source", "inbound_id"])
        .returning(col(InboundReceipt.id))
    )


_RECORD = {dialect: Prepared(recording(dialect)) for dialect in ("postgresql", "sqlite")}


def first_time(session: Session, source: str, inbound_id: str, now: datetime) -> bool:
    """Record an inbound id in the caller's transaction; False if it was already there (a platform retry, or a
    replayed request). One statement, so a command pays one round trip."""
    record = _RECORD[session.connection().dialect.name]
    return record.first(session, source=source, inbound_id=inbound_id[:MAX_ID], at=now) is not None


def prune(session: Session, before: datetime) -> int:
    """Forget ids older than any platform retries (Slack gives up within the hour, Teams within minutes)."""
    result = session.execute(delete(InboundReceipt).where(col(InboundReceipt.at) < before))
    return rows_changed(result)
