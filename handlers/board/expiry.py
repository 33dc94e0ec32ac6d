"""Offers and requests expire, so the board never fills with stale entries: the default end date (the end of
term), the week-ahead reminder with its Renew button, renewing, and closing what has passed.

The scheduler calls `remind_expiring` and `expire_listings` once a day; board.py gives new listings
`default_expiry` when no end date is given.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, select

from handlers.calendar import term_end
from handlers.context import Context
from handlers.dates import describe_date
from handlers.errors import CommandError, NotAllowed, NotFound
from handlers.messages import Action, Message
from handlers.outbound import kinds, notices
from handlers.phrases import gist, sentence
from handlers.refs import parse_ref, ref
from storage.db import rows_changed
from storage.models import Listing

LONDON = ZoneInfo("Europe/London")
REMIND_DAYS = 7


def today_in_london(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def default_expiry(today: date) -> date:
    """When an offer or request given no end date closes: the end of the current term."""
    return term_end(today)


def live(today: date) -> ColumnElement[bool]:
    """SQL: a listing still open on `today` (no end date, or one not yet passed)."""
    unexpired = or_(col(Listing.expires_on).is_(None), col(Listing.expires_on) >= today)
    return and_(col(Listing.status) == "open", unexpired)


def renew(ctx: Context, args: str) -> Message:
    """`renew O12` / `renew R12`: the owner (or their lead) keeps a listing open to the end of next term."""
    actor = ctx.require_member()
    prefix = args.strip()[:1].upper()
    listing = ctx.session.get(Listing, parse_ref(args, prefix if prefix in ("O", "R") else "O"))
    if listing is None or listing.network_id != actor.network_id:
        raise NotFound("I can't find that offer or request.")
    if listing.member_id != actor.member_id and not (actor.is_lead and listing.school_id == actor.school_id):
        raise NotAllowed("Only the person who posted it, or their school's lead, can renew it.")
    if listing.status not in ("open", "expired"):
        raise CommandError("That one has already been matched or closed, so there's nothing to renew.")
    today = ctx.now.astimezone(LONDON).date()
    start = max(today, listing.expires_on or today)
    listing.expires_on = default_expiry(start + timedelta(days=1))
    listing.status = "open"
    ctx.session.add(listing)
    reference = ref(listing)
    ctx.log("renew", reference, expires_on=listing.expires_on.isoformat())
    return Message(title=f"Renewed: {reference} stays open until {describe_date(listing.expires_on, with_year=True)}.")


def remind_expiring(session: Session, now: datetime) -> int:
    """Tell each owner, a week ahead, that their offer or request is closing, with a Renew button (once each).

    The scheduler calls this daily; the dedupe key holds the end date, so a renewed listing is reminded again.
    """
    today = today_in_london(now)
    rows = session.exec(
        select(Listing).where(
            Listing.status == "open",
            col(Listing.expires_on) >= today,
            col(Listing.expires_on) <= today + timedelta(days=REMIND_DAYS),
        )
    ).all()
    told = 0
    for listing in rows:
        assert listing.expires_on is not None
        reference = ref(listing)
        closes = listing.expires_on.isoformat()
        message = Message(
            title=f"{sentence(gist(listing.text))}: closes {describe_date(listing.expires_on)} ({reference})",
            text="Still open? One press keeps it on the board until the end of next term.",
            actions=(Action(f"renew-{reference}", "Keep it open", f"renew {reference}", "primary"),),
        )
        told += notices.tell(
            session,
            listing.member_id,
            f"expiry:{reference}:{closes}",
            message,
            now,
            kind=kinds.EXPIRY,
            facts={"expires_on": closes},
            subject_id=listing.id,
        )
    return told


def expire_listings(session: Session, now: datetime) -> int:
    """Close listings whose end date has passed, so the board never fills with stale entries."""
    passed = col(Listing.expires_on) < today_in_london(now)
    result = session.execute(update(Listing).where(col(Listing.status) == "open", passed).values(status="expired"))
    return rows_changed(result)
