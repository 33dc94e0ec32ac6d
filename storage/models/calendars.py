"""School calendars: term dates a lead loaded for their school or their whole network, and the days they hold."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from storage.models._base import when


class SchoolCalendar(SQLModel, table=True):
    """Term dates for one school, or for every school in a network (`school_id` empty), from an iCalendar or CSV
    file or link. A link is fetched again at `refresh_at`; `last_day` is the last day the dates cover (empty until
    the first load succeeds)."""

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True)
    name: str = Field(max_length=160)
    source: str = Field(max_length=1000)
    last_day: date | None = None
    loaded_at: datetime | None = when(nullable=True)
    loaded_by: int | None = Field(default=None, foreign_key="member.id")
    refresh_at: datetime | None = when(nullable=True, index=True)
    last_error: str = Field(default="", max_length=300)


class CalendarSpan(SQLModel, table=True):
    """One term (`kind='term'`) or one break inside a term (`kind='break'`: half term, INSET day), inclusive."""

    id: int | None = Field(default=None, primary_key=True)
    calendar_id: int = Field(foreign_key="schoolcalendar.id", index=True)
    kind: str = Field(max_length=10)
    name: str = Field(max_length=120)
    starts_on: date
    ends_on: date
