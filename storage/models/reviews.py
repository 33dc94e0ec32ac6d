"""Review links: a lead's signed, expiring, revocable link to a partnership's termly review page."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models._base import when


class ReviewLink(SQLModel, table=True):
    """One link a lead asked for. It opens the review of `term` (e.g. autumn-2026) for as long as it is unexpired,
    unrevoked, and its lead is still a lead of a school in the partnership; `nonce` is signed with the link secret,
    so a link survives nothing but its own row."""

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    term: str = Field(max_length=20)
    nonce: str = Field(max_length=32)
    created_at: datetime = when()
    expires_at: datetime = when()
    revoked_at: datetime | None = when(nullable=True)
