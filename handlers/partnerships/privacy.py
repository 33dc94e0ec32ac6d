"""Erasure: a member can have their personal details removed, while what their school delivered stays."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, delete, or_
from sqlmodel import col, func, select

from handlers.context import Context
from handlers.errors import CommandError
from handlers.messages import Action, Field, Message
from storage.models import ChecklistItem, Commitment, Identity, JointSession, Listing, LogEntry, Mou, Notification

ERASED_NAME = "Former colleague"
REPLACEMENT = "a former colleague"


WHO_SEES_WHAT = (
    (
        "A partnership's channel",
        "what was delivered and who to thank, what is coming, what is new on the board. "
        "Never counts by school or person, late work, or who gave less.",
    ),
    (
        "Your school's lead",
        "your school's record, who holds its work (key-person risk), give and take with each "
        "partner, what falls due for its staff, and the partnership's review.",
    ),
    ("You", "your own promises, your record and your reminders, privately."),
    (
        "Another school",
        "only what concerns it, privately to the people involved and their lead: a promise to it "
        "released or moved, a session it takes part in, work handed over.",
    ),
    ("The people who run Kept", "the log and the delivery queue, for keeping Kept working; never more than that."),
)


def privacy(ctx: Context, args: str) -> Message:
    """`privacy`: who sees what on Kept, for anyone (no membership needed)."""
    return Message(
        title="Who sees what on Kept",
        fields=tuple(Field(who, what) for who, what in WHO_SEES_WHAT),
        footer="Pupils are never named: sessions record counts. `forget me` erases your details.",
    )


def forget(ctx: Context, args: str) -> Message:
    """`forget me` asks to confirm; `forget me confirm` erases the caller's name and chat identities."""
    actor = ctx.require_member()
    if args.strip().lower() not in ("me", "me confirm"):
        raise CommandError("Say `forget me` to have your details erased from Kept.")
    open_count = ctx.session.exec(
        select(func.count())
        .select_from(Commitment)
        .where(Commitment.owner_id == actor.member_id, Commitment.status == "open")
    ).one()
    if open_count:
        raise CommandError(
            f"You still have {open_count} open promise{'s' if open_count != 1 else ''}. Please mark them done, "
            "release them, or ask your lead to `handover` them first."
        )
    if args.strip().lower() == "me":
        return Message(
            title="Erase your details from Kept?",
            text="Your name and chat accounts will be removed. What your school delivered stays on record, "
            "without your name. This can't be undone.",
            actions=(Action("forget", "Yes, erase my details", "forget me confirm", "danger"),),
        )
    member = actor.member
    scrub_name(ctx, member.name)
    member.name, member.erased = ERASED_NAME, True
    ctx.session.add(member)
    ctx.session.execute(delete(Identity).where(col(Identity.member_id) == actor.member_id))
    ctx.session.execute(
        delete(Notification).where(
            col(Notification.member_id) == actor.member_id, col(Notification.status) == "pending"
        )
    )
    _withdraw_offers_to(ctx, actor.member_id)
    ctx.log("erase")
    return Message(title="Done: your details have been erased from Kept. Thank you for all you gave.")


# Every column where a person's name can be written, by them or by colleagues (a thanks, a handover notice).
_TEXT_COLUMNS: tuple[tuple[type[Any], tuple[str, ...]], ...] = (
    (Commitment, ("what", "thanks", "release_reason")),
    (Listing, ("text",)),
    (JointSession, ("title", "venue", "impact")),
    (
        Mou,
        (
            "purpose",
            "goals",
            "success_criteria",
            "expenditure",
            "staffing",
            "transport",
            "venue",
            "accountability",
            "evaluation",
        ),
    ),
    (LogEntry, ("subject", "detail")),
    (Notification, ("payload", "last_error")),
)


def scrub_name(ctx: Context, name: str) -> int:
    """Replace `name` (any case) wherever it was written, in records and in messages already sent, so that after
    erasure no trace of who they were remains. Returns how many rows changed. The log is otherwise append-only:
    erasure is the one thing that rewrites it."""
    if len(name.strip()) < 2:
        return 0
    changed = 0
    for model, columns in _TEXT_COLUMNS:
        for row in ctx.session.exec(select(model).where(or_(*(_mentions(model, c, name) for c in columns)))).all():
            for column in columns:
                setattr(row, column, _without(getattr(row, column), name))
            ctx.session.add(row)
            changed += 1
    return changed


def _mentions(model: type[Any], column: str, name: str) -> ColumnElement[bool]:
    return func.lower(cast(getattr(model, column), Text)).contains(name.lower(), autoescape=True)


def _without(value: Any, name: str) -> Any:
    """`value` with every mention of `name` replaced, inside JSON too."""
    if isinstance(value, str):
        return re.sub(re.escape(name), REPLACEMENT, value, flags=re.IGNORECASE)
    if isinstance(value, dict):
        return {key: _without(item, name) for key, item in value.items()}
    if isinstance(value, list):
        return [_without(item, name) for item in value]
    return value


def _withdraw_offers_to(ctx: Context, member_id: int) -> None:
    """Checklist items offered to, or by, the member wait for nobody now."""
    waiting = or_(col(ChecklistItem.proposed_to) == member_id, col(ChecklistItem.proposed_by) == member_id)
    for item in ctx.session.exec(select(ChecklistItem).where(waiting)).all():
        item.proposed_to = item.proposed_by = item.proposed_due = None
        ctx.session.add(item)
