"""Full-text search over offers and requests: kept by the database (SQLite's brought up to date as the board is
searched), the same on both stores, rarer words first, and safe for any words at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update
from sqlmodel import col, delete

from handlers.clock import MovableClock
from storage import search
from storage.db import Database, make_engine
from storage.models import Listing
from tests.harness.world import World, build_world

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EVERY = col(Listing.id) > 0


def _board(world: World, *texts: str) -> list[int]:
    return [world.listing("grace", "offer", text, "other") for text in texts]


def test_a_listing_is_found_as_soon_as_it_is_written_rarer_words_first(both_worlds: World) -> None:
    pool, latin, year6, year6_too = _board(
        both_worlds,
        "Lane time in our pool for Year 6",
        "A Latin teacher on Thursdays",
        "Year 6 taster day",
        "Year 6 maths challenge",
    )
    with both_worlds.db.transaction() as session:
        assert search.ranked(session, [["latin", "classics"]], EVERY, 10) == [latin]
        assert search.ranked(session, [["year 6"], ["lane time", "pool"]], EVERY, 10)[0] == pool
        assert set(search.ranked(session, [["year 6"]], EVERY, 10)) == {pool, year6, year6_too}
        assert search.ranked(session, [["teachers"]], EVERY, 10) == [latin]  # stemmed like the text
        assert search.ranked(session, [["year 6"]], col(Listing.id) != pool, 1) == [year6]


def test_counts_of_the_listings_mentioning_each_idea(both_worlds: World) -> None:
    _board(both_worlds, "Lane time in our pool", "Swimming pool for Year 5", "A Latin teacher", "INSET day places")
    with both_worlds.db.transaction() as session:
        assert search.frequencies(session, [["pool"], ["latin", "inset"], ["mandarin"], ["!!"]]) == (4, [2, 2, 0, 0])
        assert search.frequencies(session, []) == (4, [])


def test_the_index_follows_a_listing_s_text_when_it_changes_or_goes(both_worlds: World) -> None:
    (offer,) = _board(both_worlds, "Our minibus on Fridays")
    with both_worlds.db.transaction() as session:
        session.execute(update(Listing).where(col(Listing.id) == offer).values(text="Our coach on Fridays"))
        assert search.ranked(session, [["minibus"]], EVERY, 10) == []
        assert search.ranked(session, [["coach"]], EVERY, 10) == [offer]
        session.execute(delete(Listing).where(col(Listing.id) == offer))
        assert search.ranked(session, [["coach"]], EVERY, 10) == []


def test_listings_changed_or_gone_before_any_search_are_found_as_they_now_are(both_worlds: World) -> None:
    """SQLite indexes new listings when the board is next searched: whatever happened to them meanwhile, and to
    the newest one already indexed, a search finds each listing by its text now and nothing that has gone."""
    old_minibus, newest = _board(both_worlds, "Our minibus on Fridays", "A kiln for pottery")
    with both_worlds.db.transaction() as session:
        assert search.ranked(session, [["kiln"]], EVERY, 10) == [newest]  # both indexed now
    coach, gone, latin = _board(both_worlds, "Our minibus on Mondays", "A spare minibus", "A Latin teacher")
    with both_worlds.db.transaction() as session:
        session.execute(update(Listing).where(col(Listing.id) == coach).values(text="Our coach on Mondays"))
        session.execute(delete(Listing).where(col(Listing.id).in_([gone, newest])))
    with both_worlds.db.transaction() as session:
        assert search.ranked(session, [["minibus"]], EVERY, 10) == [old_minibus]
        assert search.ranked(session, [["coach"]], EVERY, 10) == [coach]
        assert search.ranked(session, [["kiln"]], EVERY, 10) == []
        assert search.frequencies(session, [["latin"], ["minibus"], ["coach"]]) == (3, [1, 1, 1])
    (later,) = _board(both_worlds, "Latin for Year 9")
    with both_worlds.db.transaction() as session:
        assert set(search.ranked(session, [["latin"]], EVERY, 10)) == {latin, later}
        if not both_worlds.db.is_postgres:  # FTS5's own check that its index matches the listings exactly
            session.execute(text("INSERT INTO listing_fts(listing_fts, rank) VALUES ('integrity-check', 1)"))


@pytest.fixture(scope="module")
def one_store() -> Iterator[Database]:
    """One SQLite board for the whole property test (its examples only read)."""
    database = Database(make_engine("sqlite://"))
    database.create_all()
    _board(
        build_world(database, MovableClock(NOW)), 'A "quoted" offer: OR, AND, NOT, NEAR(x) * ^', "Lane time in our pool"
    )
    yield database
    database.engine.dispose()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(max_size=30), max_size=3), max_size=4))
def test_any_words_at_all_search_without_error(one_store: Database, ideas: list[list[str]]) -> None:
    with one_store.transaction() as session:
        found = search.ranked(session, ideas, EVERY, 5)
        total, counts = search.frequencies(session, ideas)
    assert set(found) <= {1, 2} and total == 2 and len(counts) == len(ideas)
