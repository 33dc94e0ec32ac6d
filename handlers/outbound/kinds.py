"""Every kind of message Kept sends unprompted, in one table: who receives it, when it is planned, and the condition
under which it is still true.

A message is planned when something happens, but sent later, and the world may have moved on in between: the
delivery was confirmed, the session was called off, the promise changed hands. `outbound/prepare.py` checks the
kind's condition against the database at the moment of sending; a message whose condition no longer holds is
dropped, with the reason (`kept notifications --dropped` lists them), and never sent. Reminders of one promise or
session are also limited to one per person a day (their `slot`), so no one hears the same thing twice in a morning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session, select

from storage.models import ChecklistItem, Commitment, JointSession, Listing, Match, Member, Mou, SessionSchool
from storage.models import Notification as Row

# Kinds planned ahead by outbound/plan.py.
NUDGE, OVERDUE, ESCALATION = "nudge", "overdue", "escalation"
SESSION_REMINDER, IMPACT_ASK, DIGEST = "session_reminder", "impact_ask", "digest"
# Kinds told once, when something happens (outbound/notices.py), each about one subject.
CONFIRM_ASK, CONFIRMED, THANKED = "confirm_ask", "confirmed", "thanked"
RELEASED, SNOOZED, HELP_NEEDED, AWAY = "released", "snoozed", "help_needed", "away_notice"
HANDOVER, ACCEPTED, MATCH_NOTICE, EXPIRY = "handover", "accepted", "match_notice", "expiry"
LOPSIDED, KEY_PERSON, UNREACHABLE = "lopsided", "key_person", "unreachable"
RESCHEDULED, CALLED_OFF, MOU_REVIEW = "rescheduled", "called_off", "mou_review"
ASK_TO_TAKE_ON, ASK_ANSWERED, REVIEW_OFFER = "assign_ask", "assign_answer", "review_offer"
CALENDAR_NEWS = "calendar_news"
LEGACY_NOTICE = "notice"  # rows planned before kinds had names: rendered as they were written

COMMITMENT_KINDS = (NUDGE, OVERDUE, ESCALATION)
PAUSED_WHILE_AWAY = (NUDGE, OVERDUE)

Check = Callable[[Session, Row, datetime], str | None]  # None while still true; else why it no longer is


@dataclass(frozen=True)
class Kind:
    """One kind of unprompted message. `slot` is "day" when a person may hear it about one subject at most once a
    day (reminders), or "key" when its dedupe key already names the recipient, subject and event (notices)."""

    name: str
    audience: str
    planned: str
    still_true: Check
    leads_only: bool = False
    slot: Literal["day", "key"] = "key"


def stamp(moment: datetime) -> str:
    """How a due moment is written into a planned reminder's key (`20261127T1700Z`)."""
    return moment.strftime("%Y%m%dT%H%MZ")


def _facts(row: Row) -> dict[str, Any]:
    facts: dict[str, Any] = row.payload.get("facts", {})
    return facts


def _commitment_reminder(session: Session, row: Row, now: datetime) -> str | None:
    commitment = session.get(Commitment, row.subject_id) if row.subject_id else None
    if commitment is None:
        return "the promise is no longer on record"
    if commitment.status != "open":
        return f"the promise is {commitment.status}"
    if f":{stamp(commitment.due_at)}:" not in row.dedupe_key:
        return "the promise has a new date"
    if row.member_id != commitment.owner_id:
        return "the promise has a new owner"
    return None


def _session_reminder(session: Session, row: Row, now: datetime) -> str | None:
    joint = session.get(JointSession, row.subject_id) if row.subject_id else None
    if joint is None or joint.status == "cancelled":
        return "the session was called off"
    if f":{stamp(joint.starts_at)}:" not in row.dedupe_key:
        return "the session has moved"
    if joint.starts_at <= now:
        return "the session has begun"
    return _takes_part(session, joint, row.member_id)


def _takes_part(session: Session, joint: JointSession, member_id: int | None) -> str | None:
    member = session.get(Member, member_id) if member_id else None
    if member is None:
        return "nobody to tell"
    schools = session.exec(select(SessionSchool.school_id).where(SessionSchool.session_id == joint.id)).all()
    return None if member.school_id in schools else "their school no longer takes part"


def _impact_ask(session: Session, row: Row, now: datetime) -> str | None:
    joint = session.get(JointSession, row.subject_id) if row.subject_id else None
    if joint is None or joint.status == "cancelled":
        return "the session was called off"
    if f":{stamp(joint.starts_at)}:" not in row.dedupe_key:
        return "the session has moved"
    if joint.pupils_reached is not None:
        return "its impact is already recorded"
    return None if row.member_id == joint.organiser_id else "the session has a new organiser"


def _always(session: Session, row: Row, now: datetime) -> str | None:
    """For messages that report what happened: a fact stays true."""
    return None


def _delivered_unconfirmed(session: Session, row: Row, now: datetime) -> str | None:
    commitment = session.get(Commitment, row.subject_id) if row.subject_id else None
    if commitment is None or commitment.status != "done":
        return "the promise is no longer marked delivered"
    return "the delivery was already confirmed" if commitment.confirmed_at is not None else None


def _still_open(session: Session, row: Row, now: datetime) -> str | None:
    commitment = session.get(Commitment, row.subject_id) if row.subject_id else None
    if commitment is None or commitment.status != "open":
        return "the promise is no longer open"
    return None


def _still_snoozed_to(session: Session, row: Row, now: datetime) -> str | None:
    gone = _still_open(session, row, now)
    if gone:
        return gone
    commitment = session.get(Commitment, row.subject_id)
    assert commitment is not None
    return None if commitment.due_at.isoformat() == _facts(row).get("due_at") else "the promise has moved again"


def _still_away(session: Session, row: Row, now: datetime) -> str | None:
    gone = _still_open(session, row, now)
    if gone:
        return gone
    commitment = session.get(Commitment, row.subject_id)
    owner = session.get(Member, commitment.owner_id) if commitment else None
    if owner is None or owner.away_until is None or str(owner.away_until) != _facts(row).get("away_until"):
        return "they are back"
    return None


def _match_open(session: Session, row: Row, now: datetime) -> str | None:
    match = session.get(Match, row.subject_id) if row.subject_id else None
    if match is None or match.status != "suggested":
        return "the match was already accepted or closed"
    listings = [session.get(Listing, match.request_id), session.get(Listing, match.offer_id)]
    if any(listing is None or listing.status != "open" for listing in listings):
        return "the offer or the request is no longer open"
    return None


def _listing_closing(session: Session, row: Row, now: datetime) -> str | None:
    listing = session.get(Listing, row.subject_id) if row.subject_id else None
    if listing is None or listing.status != "open":
        return "it is no longer open"
    expires = listing.expires_on.isoformat() if isinstance(listing.expires_on, date) else None
    return None if expires == _facts(row).get("expires_on") else "it was renewed"


def _named_person_here(session: Session, row: Row, now: datetime) -> str | None:
    person = session.get(Member, _facts(row).get("member_id"))
    return "the person it names has left Kept" if person is None or person.erased else None


def _session_at(session: Session, row: Row, now: datetime) -> str | None:
    joint = session.get(JointSession, row.subject_id) if row.subject_id else None
    if joint is None or joint.status == "cancelled":
        return "the session was called off since"
    return None if joint.starts_at.isoformat() == _facts(row).get("starts_at") else "the session has moved again"


def _session_cancelled(session: Session, row: Row, now: datetime) -> str | None:
    joint = session.get(JointSession, row.subject_id) if row.subject_id else None
    return None if joint is not None and joint.status == "cancelled" else "the session is back on"


def _still_proposed(session: Session, row: Row, now: datetime) -> str | None:
    item = session.get(ChecklistItem, row.subject_id) if row.subject_id else None
    if item is None or item.commitment_id is not None:
        return "someone has already taken it on"
    return None if item.proposed_to == _facts(row).get("member_id") else "it was offered to someone else"


def _review_date_kept(session: Session, row: Row, now: datetime) -> str | None:
    agreement = session.get(Mou, row.partnership_id) if row.partnership_id else None
    if agreement is None or agreement.review_on is None:
        return "the agreement no longer has a review date"
    return None if agreement.review_on.isoformat() == _facts(row).get("review_on") else "the review date changed"


def _digest(session: Session, row: Row, now: datetime) -> str | None:
    return None  # its content is read fresh when it is sent; with nothing to share it is not sent at all


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            NUDGE,
            "the promise's owner",
            "2 and 0 working days before it is due, at 09:00",
            _commitment_reminder,
            slot="day",
        ),
        Kind(OVERDUE, "the promise's owner", "1 and 6 working days after it was due", _commitment_reminder, slot="day"),
        Kind(
            ESCALATION, "the owner's school leads", "7 working days after it was due", _commitment_reminder, slot="day"
        ),
        Kind(
            SESSION_REMINDER,
            "the organiser and the other schools' leads",
            "7 days, 1 day and 2 hours before",
            _session_reminder,
            slot="day",
        ),
        Kind(IMPACT_ASK, "the organiser", "the day after the session", _impact_ask, slot="day"),
        Kind(DIGEST, "the partnership's channels", "weekly, on its digest day and hour", _digest),
        Kind(
            CONFIRM_ASK,
            "the receiving school's leads",
            "when a promise is marked done",
            _delivered_unconfirmed,
            leads_only=True,
        ),
        Kind(CONFIRMED, "the promise's owner", "when the receiving school confirms it", _always),
        Kind(THANKED, "the promise's owner", "when the receiving school thanks them", _always),
        Kind(RELEASED, "the receiving school's leads and whoever asked", "when a promise is released", _always),
        Kind(
            SNOOZED,
            "the receiving school's leads",
            "when a promise moves past its agreed date",
            _still_snoozed_to,
            leads_only=True,
        ),
        Kind(HELP_NEEDED, "the owner's school leads", "when the owner asks for a hand", _still_open, leads_only=True),
        Kind(
            AWAY,
            "the owner's school leads",
            "when a promise falls due while its owner is away",
            _still_away,
            leads_only=True,
        ),
        Kind(HANDOVER, "the giver, the taker and the receiving schools' leads", "when a lead hands work over", _always),
        Kind(ACCEPTED, "the offer's owner", "when the requesting school accepts a match", _still_open),
        Kind(
            MATCH_NOTICE,
            "both schools' leads",
            "when a good match is first found, on the next tick",
            _match_open,
            leads_only=True,
        ),
        Kind(EXPIRY, "the listing's owner", "a week before it closes", _listing_closing),
        Kind(
            LOPSIDED,
            "the two schools' leads",
            "once a term, when give and take is 3:1 or worse",
            _always,
            leads_only=True,
        ),
        Kind(
            KEY_PERSON,
            "the leads of that person's school",
            "once a term, when one person holds most of the work",
            _named_person_here,
            leads_only=True,
        ),
        Kind(
            UNREACHABLE,
            "the member's school leads",
            "when Kept can't reach them on chat",
            _named_person_here,
            leads_only=True,
        ),
        Kind(RESCHEDULED, "the other schools' leads", "when a session moves", _session_at, leads_only=True),
        Kind(
            CALLED_OFF, "the other schools' leads", "when a session is called off", _session_cancelled, leads_only=True
        ),
        Kind(
            ASK_TO_TAKE_ON,
            "the colleague asked, and their lead",
            "when an item is assigned across schools",
            _still_proposed,
        ),
        Kind(ASK_ANSWERED, "whoever offered the item", "when the colleague asked says yes or no", _always),
        Kind(
            MOU_REVIEW,
            "the partnership's leads",
            "two weeks before the MoU's review date",
            _review_date_kept,
            leads_only=True,
        ),
        Kind(
            REVIEW_OFFER, "the partnership's leads", "in the last week of teaching each term", _always, leads_only=True
        ),
        Kind(
            CALENDAR_NEWS,
            "the lead who loaded the term dates, or the schools' leads",
            "when a link is read, fails, or the dates run out within a term",
            _always,
            leads_only=True,
        ),
        Kind(LEGACY_NOTICE, "one member", "before kinds had names", _always),
    )
}


def kind_of(row: Row) -> Kind:
    """The row's kind (an unknown one is treated as a plain notice, which reports a fact)."""
    return KINDS.get(row.kind, KINDS[LEGACY_NOTICE])
