"""Stored conversation references, on SQLite and PostgreSQL: one row per conversation, refreshed in place."""

from __future__ import annotations

from datetime import timedelta

from bot.teams import references
from handlers.clock import MovableClock
from storage.db import Database
from tests.harness.teams_payloads import GRACE, HOPPER_TENANT, STAFFROOM, TEAM_ID


def test_a_conversation_is_new_once_then_refreshed_in_place(db: Database, clock: MovableClock) -> None:
    first = references.save(db, HOPPER_TENANT, references.USER, GRACE.aad_id, {"serviceUrl": "a"}, clock.now())
    again = references.save(db, HOPPER_TENANT, references.USER, GRACE.aad_id, {"serviceUrl": "b"}, clock.now())

    assert (first, again) == (True, False)
    assert references.load(db, HOPPER_TENANT, references.USER, GRACE.aad_id) == {"serviceUrl": "b"}
    assert references.load(db, "another-tenant", references.USER, GRACE.aad_id) is None


def test_the_latest_channel_in_a_tenant_is_the_way_in_for_a_new_chat(db: Database, clock: MovableClock) -> None:
    references.save(db, HOPPER_TENANT, references.CHANNEL, TEAM_ID, {"conversation": {"id": TEAM_ID}}, clock.now())
    clock.advance(timedelta(minutes=5))
    references.save(db, HOPPER_TENANT, references.CHANNEL, STAFFROOM, {"conversation": {"id": STAFFROOM}}, clock.now())

    assert references.any_channel(db, HOPPER_TENANT) == {"conversation": {"id": STAFFROOM}}
    assert references.any_channel(db, "another-tenant") is None
