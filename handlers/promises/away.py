"""Stepping away and asking for a hand: `away until <date>`, `back`, `help-needed C12`.

While someone is away their nudges wait, and their school's lead hears privately (once for each promise that
falls due) so it can be handed over or moved. `help-needed` tells the lead privately, once a day per promise.
"""

from __future__ import annotations

import re

from sqlmodel import col, select

from handlers.context import Context
from handlers.dates import describe_day, read_moment
from handlers.errors import CommandError
from handlers.lookups import school_leads
from handlers.messages import Field, Message
from handlers.outbound import kinds, notices
from handlers.outbound.plan import PAUSED
from handlers.phrases import gist, listed, sentence
from handlers.promises.commitments import load_for_change
from handlers.refs import ref
from storage import outbox
from storage.models import Commitment, Notification, School

_UNTIL = re.compile(r"^\s*(until|till|til)\s+", re.IGNORECASE)


def away(ctx: Context, args: str) -> Message:
    """`away until 4/12`: pause the caller's nudges until the end of that day (in their zone)."""
    actor = ctx.require_member()
    if not args.strip():
        raise CommandError("Say until when, e.g. `away until Friday` or `away until 4/12`.")
    back_on = read_moment(ctx, _UNTIL.sub("", args))
    actor.member.away_until = back_on.astimezone(ctx.timezone).date()
    ctx.session.add(actor.member)
    ctx.log("away", until=str(actor.member.away_until))
    due = ctx.session.exec(
        select(Commitment).where(
            Commitment.owner_id == actor.member_id, Commitment.status == "open", col(Commitment.due_at) <= back_on
        )
    ).all()
    held = (
        f" {len(due)} of your promises fall due meanwhile; I'll let your lead know so they can be covered."
        if due
        else ""
    )
    return Message(
        title=f"Enjoy your time away. I'll hold your reminders until {describe_day(back_on, ctx.timezone, ctx.now)}.",
        text=f"Say `back` if you return sooner.{held}",
    )


def back(ctx: Context, args: str) -> Message:
    """`back`: nudges resume at once; anything held while away is sent at the next humane moment."""
    actor = ctx.require_member()
    if actor.member.away_until is None:
        return Message(title="Welcome! You weren't marked as away, so nothing was held.")
    actor.member.away_until = None
    ctx.session.add(actor.member)
    ctx.log("back")
    held = ctx.session.exec(
        select(Notification).where(
            Notification.member_id == actor.member_id,
            col(Notification.kind).in_(kinds.COMMITMENT_KINDS),
            Notification.status == outbox.PENDING,
            col(Notification.due_at) > ctx.now,
        )
    ).all()
    for row in held:
        if row.payload.get(PAUSED):
            row.due_at = ctx.now
            ctx.session.add(row)
    return Message(title="Welcome back! Your reminders are running again.")


def help_needed(ctx: Context, args: str) -> Message:
    """`help-needed C12`: tell the school's lead, privately, that this promise needs a hand."""
    actor, commitment, note = load_for_change(ctx, args)
    leads = school_leads(ctx.session, actor.member)
    if not leads:
        raise CommandError(
            "You're your school's only lead, so there's no one above you to tell. "
            "You could `release` it with a word, or ask a partner school directly."
        )
    to = ctx.session.get(School, commitment.to_school_id)
    message = Message(
        title=f"{sentence(gist(commitment.what))}: {actor.member.name} would like a hand ({ref(commitment)})",
        text=f"“{note[:300]}”" if note else "",
        fields=(
            Field("For", to.name if to else "another school"),
            Field("Due", describe_day(commitment.due_at, ctx.timezone)),
        ),
    )
    day = ctx.now.astimezone(ctx.timezone).date()
    for lead in leads:
        key = f"help:{ref(commitment)}:{day}:{lead.id}"
        notices.tell(ctx.session, lead.id or 0, key, message, ctx.now, kind=kinds.HELP_NEEDED, subject_id=commitment.id)
    names = listed([lead.name for lead in leads[:2]])
    return Message(
        title=f"{sentence(gist(commitment.what))}: I've asked {names}, privately, for a hand ({ref(commitment)})"
    )
