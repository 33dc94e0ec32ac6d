"""The append-only log of every change, and the inbound ids already processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.models._base import json_column, when


class LogEntry(SQLModel, table=True):
    """Who did what, when, from which platform. Rows are only ever added."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = when(index=True)
    network_id: int | None = Field(default=None, foreign_key="network.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    platform: str = Field(max_length=20)
    action: str = Field(max_length=40)
    subject: str = Field(default="", max_length=40)
    detail: dict[str, Any] = json_column()


class InboundReceipt(SQLModel, table=True):
    """A Slack `event_id` or Teams `activity.id` already handled, so a retried delivery is not done twice."""

    __table_args__ = (UniqueConstraint("source", "inbound_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=20)
    inbound_id: str = Field(max_length=200)
    at: datetime = when()
