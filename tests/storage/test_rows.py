"""Statements run straight on the driver store exactly what the ORM would, and fail as SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from handlers.clock import MovableClock
from handlers.context import Caller
from handlers.dispatch import Kept
from storage.db import Database
from storage.models import Listing, LogEntry, Member, School
from storage.rows import add_row, add_row_returning_id
from tests.harness.fixtures import MONDAY_9AM

AT = datetime(2027, 3, 28, 0, 30, tzinfo=timezone(timedelta(hours=1)))  # a clock-change night, given as BST


def _people(db: Database) -> tuple[int, int, int]:
    """Grace joins St Ada's School through Kept: her network's, school's and member ids."""
    assert Kept(db, MovableClock(MONDAY_9AM)).handle(Caller("slack", "T1", "U1", "Grace Okafor"), "join St Ada's").ok
    with db.transaction() as session:
        member = session.exec(select(Member)).one()
        school = session.get(School, member.school_id)
    assert school is not None and member.id is not None
    return school.network_id, school.id or 0, member.id


def _log(session: Session, network: int, member: int | None, subject: str, detail: dict[str, Any]) -> None:
    add_row(
        session,
        LogEntry,
        at=AT,
        action="offer",
        platform="slack",
        network_id=network,
        member_id=member,
        subject=subject,
        detail=detail,
    )


def test_a_row_added_on_the_driver_reads_back_through_the_orm_as_written(db: Database) -> None:
    network, school, member = _people(db)
    with db.transaction() as session:
        new_id = add_row_returning_id(
            session,
            Listing,
            kind="offer",
            network_id=network,
            school_id=school,
            member_id=member,
            text="Two physics teachers — for Year 9's practicals",
            category="staff",
            category_given=True,
            expires_on=date(2027, 7, 23),
            created_at=AT,
        )
        _log(session, network, member, f"O{new_id}", {"text": "naïve café 🏫", "pupils": 30, "nested": [1, None]})

    with db.transaction() as session:
        listing = session.get(Listing, new_id)
        entry = session.exec(select(LogEntry).where(LogEntry.action == "offer")).one()
    assert listing is not None
    assert (listing.text, listing.category_given, listing.expires_on) == (
        "Two physics teachers — for Year 9's practicals",
        True,
        date(2027, 7, 23),
    )
    assert (listing.status, listing.scanned) == ("open", False), "the columns' own defaults, as the ORM gives"
    assert listing.created_at == AT and listing.created_at.tzinfo is not None
    assert entry.at.astimezone(UTC) == datetime(2027, 3, 27, 23, 30, tzinfo=UTC)
    assert entry.detail == {"text": "naïve café 🏫", "pupils": 30, "nested": [1, None]}
    assert entry.subject == f"O{new_id}"


def test_a_driver_error_is_sqlalchemys_and_leaves_nothing_behind(db: Database) -> None:
    network, school, _member = _people(db)
    with pytest.raises(IntegrityError), db.transaction() as session:
        _log(session, network, None, "", {})
        add_row_returning_id(
            session,
            Listing,
            kind="offer",
            network_id=network,
            school_id=school,
            member_id=987654,
            text="Nobody's offer",
            category="other",
            category_given=False,
            expires_on=None,
            created_at=AT,
        )  # no such member: the foreign key refuses it

    with db.transaction() as session:
        assert (
            session.exec(select(LogEntry).where(LogEntry.action == "offer")).all() == []
            and session.exec(select(Listing)).all() == []
        )
