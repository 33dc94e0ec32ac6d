"""People who talk to Kept in handler tests: each says things and gets Messages back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from handlers.clock import MovableClock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.messages import Message
from storage.db import Database


@dataclass
class Person:
    kept: Kept
    caller: Caller

    def say(self, text: str) -> Message:
        return self.kept.handle(self.caller, text)

    def submit(self, form_id: str, values: dict[str, str], context: str = "") -> Message:
        return self.kept.submit(self.caller, form_id, context, values)


Join = Callable[..., Person]


def _joiner(kept: Kept) -> Join:
    def join(name: str, school: str | None = None, *, platform: str = "slack", tenant: str = "T0KEPT") -> Person:
        person = Person(
            kept,
            Caller(
                platform=platform,
                tenant_id=tenant,
                user_id=f"U-{name.replace(' ', '')}",
                display_name=name,
                channel_id="C-GENERAL",
            ),
        )
        if school:
            reply = person.say(f"join {school}")
            assert reply.ok, reply.title
        return person

    return join


@pytest.fixture
def person(kept: Kept) -> Join:
    """`person("Sam Patel", "St Ada's School")`: someone who has joined that school (SQLite)."""
    return _joiner(kept)


@pytest.fixture
def any_kept(db: Database, clock: MovableClock) -> Kept:
    return Kept(db, clock)


@pytest.fixture
def any_person(any_kept: Kept) -> Join:
    """As `person`, on SQLite and on PostgreSQL."""
    return _joiner(any_kept)
