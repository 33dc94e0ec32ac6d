"""The scheduler's world: St Ada's School and Hopper Academy on Slack, a recording Slack and Teams, a clock."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from scheduler.delivery import DeliveryLoop, TickReport
from storage.db import Database
from tests.people import Join, Person
from tests.scheduler.recording import RecordingNotifier

RunUntil = Callable[..., Awaitable[list[TickReport]]]


@pytest.fixture
def slack() -> RecordingNotifier:
    return RecordingNotifier("slack")


@pytest.fixture
def teams() -> RecordingNotifier:
    return RecordingNotifier("teams")


def make_delivery_loop(
    db: Database, clock: MovableClock, *notifiers: RecordingNotifier, **options: object
) -> DeliveryLoop:
    return DeliveryLoop(db, {n.platform: n for n in notifiers}, clock=clock, rng=random.Random(4), **options)  # type: ignore[arg-type]


@pytest.fixture
def delivery(kept: Kept, clock: MovableClock, slack: RecordingNotifier, teams: RecordingNotifier) -> DeliveryLoop:
    return make_delivery_loop(kept.db, clock, slack, teams)


@pytest.fixture
def run_until(clock: MovableClock, delivery: DeliveryLoop) -> RunUntil:
    """Tick every `step` (an hour by default) from now until `moment`, as a running worker would."""

    async def run(
        moment: datetime, step: timedelta = timedelta(hours=1), worker: DeliveryLoop | None = None
    ) -> list[TickReport]:
        reports = []
        while clock.now() < moment:
            clock.advance(min(step, moment - clock.now()))
            reports.append(await (worker or delivery).tick())
        return reports

    return run


@pytest.fixture
def grace(person: Join) -> Person:
    """Grace Okafor, staff at St Ada's School, whose lead is Sam Patel; Priya Shah leads Hopper Academy."""
    person("Sam Patel", "St Ada's School")
    person("Priya Shah", "Hopper Academy")
    return person("Grace Okafor", "St Ada's School")
