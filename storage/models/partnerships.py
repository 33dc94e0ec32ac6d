"""Partnerships between schools, where their digests go, and the agreement (MoU) they hold."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.models._base import when

STAGES = ("networking", "co-ordination", "co-operation", "collaboration")


class Partnership(SQLModel, table=True):
    """Two or more schools working together on a purpose, at a stage on Himmelman's continuum."""

    __table_args__ = (UniqueConstraint("network_id", "name_key"),)
    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    name: str = Field(max_length=120)
    name_key: str = Field(max_length=120)
    stage: str = Field(default="networking", max_length=20)
    timezone: str = Field(default="Europe/London", max_length=64)
    digest_weekday: int = 0
    digest_hour: int = 8
    created_at: datetime = when()


class PartnershipSchool(SQLModel, table=True):
    partnership_id: int = Field(foreign_key="partnership.id", primary_key=True)
    school_id: int = Field(foreign_key="school.id", primary_key=True, index=True)


class PartnershipChannel(SQLModel, table=True):
    """A channel (Slack) or team channel (Teams) that receives a partnership's digest."""

    __table_args__ = (UniqueConstraint("partnership_id", "platform", "tenant_id", "channel_id"),)
    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)
    platform: str = Field(max_length=20)
    tenant_id: str = Field(max_length=100)
    channel_id: str = Field(max_length=200)


class Mou(SQLModel, table=True):
    """A partnership's memorandum of understanding, agreed up front and reviewed."""

    partnership_id: int = Field(foreign_key="partnership.id", primary_key=True)
    purpose: str = ""
    goals: str = ""
    success_criteria: str = ""
    expenditure: str = ""
    staffing: str = ""
    transport: str = ""
    venue: str = ""
    accountability: str = ""
    evaluation: str = ""
    review_on: date | None = None
    updated_at: datetime = when()
    updated_by: int | None = Field(default=None, foreign_key="member.id")
