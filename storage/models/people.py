"""Networks, schools, members and the chat identities that map people on Slack and Teams to members."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.models._base import when


class Network(SQLModel, table=True):
    """A group of schools coordinating together: an ISSP, a trust, a federation, a collaborative."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    created_at: datetime = when()


class ChatTenant(SQLModel, table=True):
    """A Slack workspace, a Teams tenant or the console, and the network it belongs to."""

    __table_args__ = (UniqueConstraint("platform", "tenant_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    tenant_id: str = Field(max_length=100)
    network_id: int = Field(foreign_key="network.id", index=True)
    created_at: datetime = when()


class School(SQLModel, table=True):
    """An organisation in a network: a school, a college or a community partner."""

    __table_args__ = (UniqueConstraint("network_id", "name_key"),)
    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    name: str = Field(max_length=120)
    name_key: str = Field(max_length=120)
    timezone: str = Field(default="Europe/London", max_length=64)
    nation: str = Field(default="", max_length=20)  # england, wales, scotland, northern ireland (empty: England)
    session_minutes: int | None = None  # how long its joint sessions usually last, set by its lead
    created_at: datetime = when()


class Member(SQLModel, table=True):
    """A person at a school. `role` is `lead` or `staff`; the first member of a school is its lead.

    Erasure blanks `name` and sets `erased`; what the school delivered stays on record.
    """

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=120)
    role: str = Field(default="staff", max_length=10)
    timezone: str = Field(default="Europe/London", max_length=64)
    away_until: date | None = None
    erased: bool = False
    created_at: datetime = when()


class Identity(SQLModel, table=True):
    """One chat account (platform, workspace or tenant, user id) of a member. A member may have several."""

    __table_args__ = (UniqueConstraint("platform", "tenant_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    tenant_id: str = Field(max_length=100)
    user_id: str = Field(max_length=200)
    member_id: int = Field(foreign_key="member.id", index=True)
    display_name: str = Field(default="", max_length=120)
    active: bool = True
    created_at: datetime = when()
