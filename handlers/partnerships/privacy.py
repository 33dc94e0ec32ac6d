"""Erasure: a member can have their personal details removed, while what their school delivered stays."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, func, select

from handlers.context import Context
from handlers.errors import CommandError
from handlers.messages import Action, Message
from storage.models import Commitment, Identity, Notification

ERASED_NAME = "Former colleague"


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
    member.name, member.erased = ERASED_NAME, True
    ctx.session.add(member)
    ctx.session.execute(delete(Identity).where(col(Identity.member_id) == actor.member_id))
    ctx.session.execute(
        delete(Notification).where(
            col(Notification.member_id) == actor.member_id, col(Notification.status) == "pending"
        )
    )
    ctx.log("erase")
    return Message(title="Done: your details have been erased from Kept. Thank you for all you gave.")
