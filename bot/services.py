"""The parts of a running Kept, wired once in `bot/cli.py` and handed to the web app and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.policy import reminder_policy
from handlers.clock import Clock
from handlers.dispatch import Kept
from scheduler.notifier import Notifier
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    kept: Kept
    notifiers: dict[str, Notifier] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings, clock: Clock, db: Database | None = None) -> Services:
        db = db or Database.from_url(settings.database_url)
        kept = Kept(db, clock, settings.timezone, reminder_policy(settings))
        return cls(settings=settings, db=db, clock=clock, kept=kept)
