"""Full-text search over offers and requests: kept by the database as listings are written, the same on both
stores, rarer words first, and safe for any words at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlmodel import Session, col, delete

from storage import search
from storage.db import Database, make_engine
from storage.models import Listing, Member, Network, School

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EVERY = col(Listing.id) > 0


def _board(session: Session, *texts: str) -> list[int]:
    network = Network(name="Wessex", created_at=NOW)
    session.add(network)
    session.flush()
    school = School(network_id=network.id or 0, name="Kingsmead School", name_key="kingsmead", created_at=NOW)
    session.add(school)
    session.flush()
    member = Member(school_id=school.id or 0, name="Sam Patel", created_at=NOW)
    session.add(member)
    session.flush()
    rows = [
        Listing(
            kind="offer",
            network_id=network.id or 0,
            school_id=school.id or 0,
            member_id=member.id or 0,
            text=text,
            category="other",
            created_at=NOW,
        )
        for text in texts
    ]
    session.add_all(rows)
    session.flush()
    return [row.id or 0 for row in rows]


def test_a_listing_is_found_as_soon_as_it_is_written_rarer_words_first(db: Database) -> None:
    with db.transaction() as session:
        pool, latin, year6, year6_too = _board(
            session,
            "Lane time in our pool for Year 6",
            "A Latin teacher on Thursdays",
            "Year 6 taster day",
            "Year 6 maths challenge",
        )
        assert search.ranked(session, [["latin", "classics"]], EVERY, 10) == [latin]
        assert search.ranked(session, [["year 6"], ["lane time", "pool"]], EVERY, 10)[0] == pool
        assert set(search.ranked(session, [["year 6"]], EVERY, 10)) == {pool, year6, year6_too}
        assert search.ranked(session, [["teachers"]], EVERY, 10) == [latin]  # stemmed like the text
        assert search.ranked(session, [["year 6"]], col(Listing.id) != pool, 1) == [year6]


def test_counts_of_the_listings_mentioning_each_idea(db: Database) -> None:
    with db.transaction() as session:
        _board(session, "Lane time in our pool", "Swimming pool for Year 5", "A Latin teacher", "INSET day places")
        assert search.frequencies(session, [["pool"], ["latin", "inset"], ["mandarin"], ["!!"]]) == (4, [2, 2, 0, 0])
        assert search.frequencies(session, []) == (4, [])


def test_the_index_follows_a_listing_s_text_when_it_changes_or_goes(db: Database) -> None:
    with db.transaction() as session:
        (offer,) = _board(session, "Our minibus on Fridays")
    with db.transaction() as session:
        session.execute(update(Listing).where(col(Listing.id) == offer).values(text="Our coach on Fridays"))
        assert search.ranked(session, [["minibus"]], EVERY, 10) == []
        assert search.ranked(session, [["coach"]], EVERY, 10) == [offer]
        session.execute(delete(Listing).where(col(Listing.id) == offer))
        assert search.ranked(session, [["coach"]], EVERY, 10) == []


@pytest.fixture(scope="module")
def one_store() -> Iterator[Database]:
    """One SQLite board for the whole property test (its examples only read)."""
    database = Database(make_engine("sqlite://"))
    database.create_all()
    with database.transaction() as session:
        _board(session, 'A "quoted" offer: OR, AND, NOT, NEAR(x) * ^', "Lane time in our pool")
    yield database
    database.engine.dispose()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(max_size=30), max_size=3), max_size=4))
def test_any_words_at_all_search_without_error(one_store: Database, ideas: list[list[str]]) -> None:
    with one_store.transaction() as session:
        found = search.ranked(session, ideas, EVERY, 5)
        total, counts = search.frequencies(session, ideas)
    assert set(found) <= {1, 2} and total == 2 and len(counts) == len(ideas)
