"""The scheduler's world: St Ada's School and Hopper Academy on Slack, a recording Slack and Teams, a clock."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable

from handlers.clock import MovableClock
from scheduler.delivery import DeliveryLoop, TickReport
from storage.db import Database
from tests.harness.recording import RecordingNotifier

RunUntil = Callable[..., Awaitable[list[TickReport]]]


def make_delivery_loop(
    db: Database, clock: MovableClock, *notifiers: RecordingNotifier, **options: object
) -> DeliveryLoop:
    return DeliveryLoop(db, {n.platform: n for n in notifiers}, clock=clock, rng=random.Random(4), **options)  # type: ignore[arg-type]
