"""What the platform adapters keep: Slack installations, Teams conversation references, invite codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.models._base import json_column, when


class SlackInstallation(SQLModel, table=True):
    """A workspace's installation of Kept (OAuth); the bot token lives here and is never logged."""

    __table_args__ = (UniqueConstraint("enterprise_id", "team_id"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: str = Field(default="", max_length=40)
    team_id: str = Field(default="", max_length=40)
    data: dict[str, Any] = json_column()
    installed_at: datetime = when()


class SlackOAuthState(SQLModel, table=True):
    """A one-use OAuth state, shared by every replica."""

    state: str = Field(primary_key=True, max_length=100)
    expires_at: datetime = when()


class ConversationRef(SQLModel, table=True):
    """A Teams conversation reference, for proactive messages: per user (1:1) or per channel."""

    __table_args__ = (UniqueConstraint("tenant_id", "scope", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=100)
    scope: str = Field(max_length=10)
    key: str = Field(max_length=300)
    reference: dict[str, Any] = json_column()
    updated_at: datetime = when()


class InviteCode(SQLModel, table=True):
    """A short-lived code a lead gives so another workspace or tenant can join their network."""

    code: str = Field(primary_key=True, max_length=20)
    network_id: int = Field(foreign_key="network.id")
    created_by: int = Field(foreign_key="member.id")
    expires_at: datetime = when()
    used_at: datetime | None = when(nullable=True)
