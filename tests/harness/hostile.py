"""What every hostile-request test asserts: nothing was stored, and nothing but a refusal reached the log."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from sqlmodel import func, select

from storage.db import Database
from storage.models import (
    Commitment,
    ConversationRef,
    Identity,
    JointSession,
    Listing,
    LogEntry,
    Member,
    Network,
    Notification,
)
from tests.harness.slack import SECRET

CONTENT = (Network, Member, Identity, Listing, Commitment, JointSession, LogEntry, Notification, ConversationRef)


def stored(db: Database) -> dict[str, int]:
    """How many rows each table a person's request could write holds."""
    with db.transaction() as session:
        return {t.__name__: int(session.exec(select(func.count()).select_from(t)).one()) for t in CONTENT}


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records at ERROR, or carrying a traceback: there must be none for anything a stranger sends."""
    return [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]


def slack_headers(raw: bytes, *, stamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """Slack's v0 signature over raw bytes (which need not be UTF-8)."""
    when = str(int(time.time()) if stamp is None else stamp)
    digest = hmac.new(secret.encode(), b"v0:" + when.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": when, "X-Slack-Signature": f"v0={digest}"}
