"""Inbound ids already handled (Slack `event_id`, Teams `activity.id`), so a platform's retry is a no-op."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Insert, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.db import rows_changed
from storage.models import InboundReceipt


@cache
def _record_once(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, built once per dialect: every command runs it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(InboundReceipt)
        .values(source=bindparam("source"), inbound_id=bindparam("inbound_id"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["source", "inbound_id"])
        .returning(col(InboundReceipt.id))
    )


def first_time(session: Session, source: str, inbound_id: str, now: datetime) -> bool:
    """Record an inbound id in the caller's transaction; False if it was already there (a platform retry, or a
    replayed request). One statement, so a command pays one round trip."""
    connection = session.connection()
    statement = _record_once(connection.dialect.name)
    found = connection.execute(statement, {"source": source, "inbound_id": inbound_id[:200], "at": now})
    return found.first() is not None


def prune(session: Session, before: datetime) -> int:
    """Forget ids older than any platform retries (Slack gives up within the hour, Teams within minutes)."""
    result = session.execute(delete(InboundReceipt).where(col(InboundReceipt.at) < before))
    return rows_changed(result)
