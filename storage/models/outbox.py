"""The outbox: every proactive message Kept will send, as a row that is claimed before it is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.models._base import json_column, when


class Notification(SQLModel, table=True):
    """A nudge, reminder, digest or private notice, due at `due_at`.

    `dedupe_key` is unique (`nudge:12:due`, `digest:3:2026-W48`), so planning the same reminder twice yields
    one row. A recipient is a member (delivered privately to their identities) or a partnership's channels.
    `status`: pending -> claimed -> sent | failed | undeliverable | dropped, or cancelled before it was due.
    `slot` is set when a reminder is about to be sent (its subject, recipient and day): unique, so nobody hears
    about one promise or session twice in a day, however its reminders were moved.
    """

    __table_args__ = (Index("ix_notification_due", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=200, unique=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    partnership_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)
    subject_id: int | None = None
    due_at: datetime = when()
    status: str = Field(default="pending", max_length=14)
    attempts: int = 0
    claimed_by: str = Field(default="", max_length=100)
    lease_until: datetime | None = when(nullable=True)
    last_error: str = Field(default="", max_length=1000)
    sent_at: datetime | None = when(nullable=True)
    delivery_ref: str = Field(default="", max_length=200)
    slot: str | None = Field(default=None, max_length=120, unique=True)
    payload: dict[str, Any] = json_column()
    created_at: datetime = when()
