"""The append-only log of every change: who, what, when, and from which platform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import LogEntry
from storage.rows import add_row


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
