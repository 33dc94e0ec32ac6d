"""The partnership review: a lead's link to a term's review page for heads and governors, and what it may show.

`review [partnership] [term]` (leads) makes a link for this term, or the one named: bound to the lead who asked,
open for `Context.review_days`, and stopped early by `review revoke`. The link's row is here; its signature and
the page itself are the web app's (bot/review/). A link opens only while it is unexpired and unrevoked and its
lead still leads a school in the partnership, and it shows that partnership alone. Key-person risk appears only
when the person the work rests on is at the lead's own school.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers.context import Context
from handlers.dates import describe_date
from handlers.errors import CommandError
from handlers.lookups import leads_of, school_ids
from handlers.messages import Action, Attachment, Field, Message
from handlers.outbound import kinds, notices
from handlers.partnerships.access import partnership_for
from handlers.partnerships.figures import TermFigures, term_figures
from handlers.partnerships.health import key_person
from handlers.terms import Term, term_named, term_of
from storage.models import Member, Partnership, ReviewLink, School

LONDON = ZoneInfo("Europe/London")
TERM_END_NOTICE = timedelta(days=6)  # the review is offered in the last week of teaching
_PAGE = re.compile(r"kept-review-(\d{1,9})-([0-9a-f]{32})\.html")
_YEAR = re.compile(r"\d{4}$")

Closed = Literal["unknown", "expired", "revoked", "ended"]


@dataclass(frozen=True)
class Risk:
    """Key-person risk, for the lead's own school's view: who holds most of the open work, and how much."""

    name: str
    holds: int
    total: int


@dataclass(frozen=True)
class ReviewView:
    """What a review link opens: the term's figures, seen by the lead's school."""

    figures: TermFigures
    school: str
    lead: str
    expires_at: datetime
    risk: Risk | None


def review(ctx: Context, args: str) -> Message:
    """`review [partnership] [term]` (leads): a link to the review page; `review revoke [partnership]` stops
    every review link you have shared (for that partnership, if named)."""
    word, _, rest = args.strip().partition(" ")
    if word.lower() == "revoke":
        return _revoke(ctx, rest)
    ctx.require_lead("share a partnership's review")
    name, term = _name_and_term(args, ctx.now)
    actor, partnership = partnership_for(ctx, name)
    link = ReviewLink(
        partnership_id=partnership.id or 0,
        member_id=actor.member_id,
        term=term.name,
        nonce=secrets.token_hex(16),
        created_at=ctx.now,
        expires_at=ctx.now + timedelta(days=ctx.review_days),
    )
    ctx.session.add(link)
    ctx.session.flush()
    ctx.log("review", partnership.name, term=term.name, link=link.id)
    until = describe_date(link.expires_at.astimezone(LONDON).date(), with_year=True)
    return Message(
        title=f"Here's the review of {partnership.name} for the {term.label}.",
        text="Share it with your head and governors: it opens in any browser, with no account to make, "
        "and has a PDF to download.",
        fields=(Field("Link open until", until), Field("Stop it sooner", "`review revoke`")),
        attachments=(Attachment(f"kept-review-{link.id}-{link.nonce}.html", "text/html", "", title="Open the review"),),
    )


def _name_and_term(args: str, now: datetime) -> tuple[str, Term]:
    """`Physics Link autumn-2026`, `Physics Link Spring 2027`, `Physics Link`, ``: the name and the term."""
    words = args.split()
    for size in (1, 2):
        if len(words) >= size:
            try:
                return " ".join(words[:-size]), term_named(" ".join(words[-size:]))
            except CommandError:
                continue
    if words and _YEAR.search(words[-1]):
        term_named(words[-1])  # raises the term error, which says what a term name looks like
    return args, term_of(now.astimezone(LONDON).date())


def _revoke(ctx: Context, name: str) -> Message:
    actor = ctx.require_lead("revoke a review link")
    query = select(ReviewLink).where(
        ReviewLink.member_id == actor.member_id,
        col(ReviewLink.revoked_at).is_(None),
        col(ReviewLink.expires_at) > ctx.now,
    )
    if name.strip():
        _, partnership = partnership_for(ctx, name)
        query = query.where(ReviewLink.partnership_id == partnership.id)
    links = ctx.session.exec(query).all()
    for link in links:
        link.revoked_at = ctx.now
        ctx.session.add(link)
    if not links:
        return Message(title="You have no review links open, so there's nothing to stop.")
    ctx.log("review-revoke", name.strip()[:40], count=len(links))
    return Message(
        title=f"Done: {len(links)} review link{'s' if len(links) > 1 else ''} will no longer open.",
        footer="Say `review` whenever you'd like a fresh one.",
    )


def page_of(attachment: Attachment) -> tuple[int, str] | None:
    """The review link (id, nonce) an attachment stands for (None for any other), so an adapter can sign it."""
    found = _PAGE.fullmatch(attachment.filename)
    return (int(found.group(1)), found.group(2)) if found else None


def open_review(
    session: Session, link_id: int, now: datetime, genuine: Callable[[ReviewLink], bool]
) -> ReviewView | Closed:
    """What link `link_id` shows now, or why it shows nothing. `genuine` checks the link's signature (the web
    app holds the secret); a link that fails it is `unknown`, exactly like one that never existed."""
    link = session.get(ReviewLink, link_id)
    if link is None or not genuine(link):
        return "unknown"
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    partnership = session.get(Partnership, link.partnership_id)
    lead = session.get(Member, link.member_id)
    ids = school_ids(session, link.partnership_id)
    if partnership is None or lead is None or lead.erased or lead.role != "lead" or lead.school_id not in ids:
        return "ended"
    school = session.get(School, lead.school_id)
    return ReviewView(
        figures=term_figures(session, partnership, term_named(link.term), now),
        school=school.name if school else "",
        lead=lead.name,
        expires_at=link.expires_at,
        risk=_risk_at(session, partnership, lead.school_id, now),
    )


def _risk_at(session: Session, partnership: Partnership, school_id: int, now: datetime) -> Risk | None:
    """Key-person risk, only when the person the partnership rests on is at this school."""
    found = key_person(session, partnership.id or 0, now)
    person = session.get(Member, found.member_id) if found else None
    if found is None or person is None or person.school_id != school_id:
        return None
    return Risk("one colleague" if person.erased else person.name, found.holds, found.total)


def offer_at_term_end(session: Session, partnership: Partnership, now: datetime) -> None:
    """In the last week of teaching, offer each of the partnership's leads the term's review, once a term."""
    today = now.astimezone(LONDON).date()
    term = term_of(today)
    if not term.last_day - TERM_END_NOTICE <= today <= term.last_day:
        return
    message = Message(
        title=f"The {term.label} is nearly over: {partnership.name}'s review is ready to share.",
        text="One page for your head and governors: what was delivered, the pupils reached, the give and take.",
        actions=(Action("review", "Get the review link", f"review {partnership.name} {term.name}"),),
    )
    for lead in leads_of(session, school_ids(session, partnership.id or 0)):
        key = f"review-term:{partnership.id}:{term.name}:{lead.id}"
        notices.tell(session, lead.id or 0, key, message, now, kind=kinds.REVIEW_OFFER, partnership_id=partnership.id)
