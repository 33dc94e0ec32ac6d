"""Stored Teams conversation references: where Kept can post later, per person (1:1) and per channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Database
from storage.models import ConversationRef

USER = "user"  # a 1:1 chat with a person, keyed by their user id (Entra object id)
MEMBER = "member"  # where a person was last seen in a team or group chat: gives their Teams id for a new 1:1
CHANNEL = "channel"  # a team channel or group chat, keyed by its id


def save(db: Database, tenant_id: str, scope: str, key: str, reference: dict[str, Any], now: datetime) -> bool:
    """Store or refresh a reference. True when this conversation was not known before."""
    if not tenant_id or not key:
        return False
    for _ in range(2):  # a second replica may insert the same row at the same moment
        try:
            with db.transaction() as session:
                row = session.exec(_query(tenant_id, scope, key)).first()
                if row is not None:
                    row.reference, row.updated_at = reference, now
                    session.add(row)
                    return False
                session.add(
                    ConversationRef(
                        tenant_id=tenant_id[:100], scope=scope, key=key[:300], reference=reference, updated_at=now
                    )
                )
                return True
        except IntegrityError:
            continue
    return False


def load(db: Database, tenant_id: str, scope: str, key: str) -> dict[str, Any] | None:
    with db.transaction() as session:
        row = session.exec(_query(tenant_id, scope, key)).first()
        return dict(row.reference) if row else None


def any_channel(db: Database, tenant_id: str) -> dict[str, Any] | None:
    """The most recently seen channel in a tenant: enough to reach its Bot Connector service."""
    with db.transaction() as session:
        row = session.exec(
            select(ConversationRef)
            .where(ConversationRef.tenant_id == tenant_id, ConversationRef.scope == CHANNEL)
            .order_by(col(ConversationRef.updated_at).desc())
        ).first()
        return dict(row.reference) if row else None


def _query(tenant_id: str, scope: str, key: str) -> Any:
    return select(ConversationRef).where(
        ConversationRef.tenant_id == tenant_id[:100],
        ConversationRef.scope == scope,
        ConversationRef.key == key[:300],
    )
