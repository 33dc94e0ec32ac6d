"""Inbound ids already handled (Slack `event_id`, Teams `activity.id`), so a platform's retry is a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.db import rows_changed
from storage.models import InboundReceipt


def first_time(session: Session, source: str, inbound_id: str, now: datetime) -> bool:
    """Record an inbound id in the caller's transaction; False if it was already there (a platform retry, or a
    replayed request). One statement (INSERT ... ON CONFLICT DO NOTHING), so a command pays one round trip."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(InboundReceipt)
        .values(source=source, inbound_id=inbound_id[:200], at=now)
        .on_conflict_do_nothing(index_elements=["source", "inbound_id"])
        .returning(col(InboundReceipt.id))
    )
    return session.execute(statement).first() is not None


def prune(session: Session, before: datetime) -> int:
    """Forget ids older than any platform retries (Slack gives up within the hour, Teams within minutes)."""
    result = session.execute(delete(InboundReceipt).where(col(InboundReceipt.at) < before))
    return rows_changed(result)
