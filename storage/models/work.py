"""Supply, demand and promises: offers and requests, matches, commitments and joint sessions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.models._base import when


class Listing(SQLModel, table=True):
    """An offer (`kind='offer'`, ref O12) or a request (`kind='request'`, ref R12) on the network's board."""

    __table_args__ = (Index("ix_listing_board", "network_id", "kind", "status", "category"),)  # board, matching

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    network_id: int = Field(foreign_key="network.id")  # first in ix_listing_board
    school_id: int = Field(foreign_key="school.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    text: str = Field(max_length=4000)
    category: str = Field(max_length=40)
    category_given: bool = False  # said by the person (`[facilities] ...`, the form), not guessed by Kept
    status: str = Field(default="open", max_length=10)
    scanned: bool = Field(default=False, index=True)  # matched against the board by the scheduler's scan
    expires_on: date | None = None
    created_at: datetime = when()


class NetworkWord(SQLModel, table=True):
    """A network's own word for an idea (`words DT = design technology`), which matching reads as the same idea."""

    network_id: int = Field(foreign_key="network.id", primary_key=True)
    idea: str = Field(primary_key=True, max_length=60)
    word: str = Field(primary_key=True, max_length=60)
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = when()


class Match(SQLModel, table=True):
    """An offer that could meet a request (ref M12), with why; accepting it creates a commitment."""

    __table_args__ = (UniqueConstraint("request_id", "offer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="listing.id", index=True)
    offer_id: int = Field(foreign_key="listing.id", index=True)
    score: float = 0.0
    reason: str = ""
    status: str = Field(default="suggested", max_length=12)
    told: bool = Field(default=False, index=True)  # both schools' leads told of it, by the scheduler's tick
    created_at: datetime = when()


class Commitment(SQLModel, table=True):
    """A promise by a member, on behalf of a school, to deliver something to another school by a date (C12).

    `status` moves open -> done | released | missed. `confirmed_at` is set when the receiving school confirms
    it arrived, which weighs more than the owner's own word.
    """

    __table_args__ = (  # a partnership's work is the work between its schools: digests, health, reports
        Index("ix_commitment_pair_done", "from_school_id", "to_school_id", "status", "done_at"),
        Index("ix_commitment_pair_due", "from_school_id", "to_school_id", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    from_school_id: int = Field(foreign_key="school.id", index=True)
    to_school_id: int = Field(foreign_key="school.id", index=True)
    owner_id: int = Field(foreign_key="member.id", index=True)
    what: str = Field(max_length=4000)
    category: str = Field(default="other", max_length=40)
    size: int = 1
    due_at: datetime = when(index=True)
    status: str = Field(default="open", max_length=10, index=True)
    done_at: datetime | None = when(nullable=True)
    release_reason: str = ""
    confirmed_at: datetime | None = when(nullable=True)
    thanks: str = ""
    match_id: int | None = Field(default=None, foreign_key="match.id")
    session_id: int | None = Field(default=None, foreign_key="jointsession.id", index=True)
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = when()


class JointSession(SQLModel, table=True):
    """A dated event with pupils or staff from several schools (S12). Pupils are counted, never named."""

    id: int | None = Field(default=None, primary_key=True)
    network_id: int = Field(foreign_key="network.id", index=True)
    partnership_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)
    title: str = Field(max_length=200)
    starts_at: datetime = when(index=True)
    ends_at: datetime | None = when(nullable=True)  # empty for sessions planned before lengths were kept
    sequence: int = 0  # raised on every change, so calendars replace the invitation they already hold
    venue: str = Field(max_length=200)
    organiser_id: int = Field(foreign_key="member.id", index=True)
    status: str = Field(default="planned", max_length=12)
    pupils_reached: int | None = None
    staff_involved: int | None = None
    impact: str = ""
    created_at: datetime = when()


class SessionSchool(SQLModel, table=True):
    session_id: int = Field(foreign_key="jointsession.id", primary_key=True)
    school_id: int = Field(foreign_key="school.id", primary_key=True, index=True)


class ChecklistItem(SQLModel, table=True):
    """One logistics item of a joint session; assigning it makes it a commitment. Offered to someone at another
    school, it waits (`proposed_to`, `proposed_due`) until they take it on."""

    __table_args__ = (UniqueConstraint("session_id", "item"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="jointsession.id", index=True)
    item: str = Field(max_length=40)
    commitment_id: int | None = Field(default=None, foreign_key="commitment.id")
    proposed_to: int | None = Field(default=None, foreign_key="member.id")
    proposed_by: int | None = Field(default=None, foreign_key="member.id")
    proposed_due: datetime | None = when(nullable=True)
