"""Daily housekeeping for partnership insight, for the scheduler to run once a day in its own transaction:
week-ahead expiry reminders, closing listings past their date, and the private health notices to leads.

Each step is idempotent (dedupe keys, conditional updates), so running it twice, or on two replicas, is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from handlers.board import expiry
from handlers.partnerships import health
from storage import receipts
from storage.models import Partnership

RECEIPTS_KEPT = timedelta(days=2)


@dataclass(frozen=True)
class Upkeep:
    reminded: int
    expired: int
    partnerships_checked: int
    receipts_pruned: int


def daily(session: Session, now: datetime) -> Upkeep:
    """Remind owners of listings closing within a week, close those past, and check every partnership."""
    reminded = expiry.remind_expiring(session, now)
    expired = expiry.expire_listings(session, now)
    partnerships = session.exec(select(Partnership)).all()
    for partnership in partnerships:
        health.watch(session, partnership, now)
    pruned = receipts.prune(session, now - RECEIPTS_KEPT)
    return Upkeep(reminded, expired, len(partnerships), pruned)
