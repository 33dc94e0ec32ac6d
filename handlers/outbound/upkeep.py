"""Housekeeping that makes outbox rows rather than sending them, for the scheduler's tick: on every tick, this
week's digests and matches for new listings; once a day, week-ahead expiry reminders, closing listings past
their date, the private health notices to leads, the term's review offered to leads in its last week of
teaching, telling leads whose term dates run out within a term, and forgetting old inbound ids.

Each step is idempotent (dedupe keys, conditional updates), so running it twice, or on two replicas, is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from handlers.board import expiry, matching
from handlers.outbound.plan import ensure_digests
from handlers.partnerships import health, review
from handlers.school_year import loading as school_year
from storage import receipts
from storage.models import Partnership

RECEIPTS_KEPT = timedelta(days=2)


@dataclass(frozen=True)
class Upkeep:
    reminded: int
    expired: int
    partnerships_checked: int
    receipts_pruned: int


def every_tick(session: Session, now: datetime) -> None:
    """Plan this week's digest for partnerships that have none waiting, match listings logged since the last
    tick, and tell the leads of new matches (off the command's path: finding matches and planning notices cost
    more than logging a listing or answering `match`)."""
    ensure_digests(session, now)
    matching.scan_new_listings(session, now)
    matching.tell_new_matches(session, now)


def daily(session: Session, now: datetime) -> Upkeep:
    """Remind owners of listings closing within a week, close those past, and check every partnership."""
    reminded = expiry.remind_expiring(session, now)
    expired = expiry.expire_listings(session, now)
    partnerships = session.exec(select(Partnership)).all()
    for partnership in partnerships:
        health.watch(session, partnership, now)
        review.offer_at_term_end(session, partnership, now)
    school_year.watch_coverage(session, now)
    pruned = receipts.prune(session, now - RECEIPTS_KEPT)
    return Upkeep(reminded, expired, len(partnerships), pruned)
