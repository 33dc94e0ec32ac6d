"""One network across platforms: a lead's `invite` code, and `link <code>` to bring a workspace or tenant in."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import col, select

from handlers.context import Context
from handlers.dates import describe
from handlers.errors import CommandError, NotFound
from handlers.messages import Field, Message
from storage.db import rows_changed
from storage.models import ChatTenant, InviteCode, Network, School

INVITE_LIFETIME = timedelta(hours=48)
CODE_LENGTH = 8
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_PLACE = {"slack": "Slack workspace", "teams": "Microsoft Teams organisation", "console": "console"}


def invite(ctx: Context, args: str) -> Message:
    """A lead makes a one-use code, valid 48 hours, for another Slack workspace or Teams organisation."""
    actor = ctx.require_lead("invite another workspace or organisation into your network")
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    expires = ctx.now + INVITE_LIFETIME
    ctx.session.add(InviteCode(code=code, network_id=actor.network_id, created_by=actor.member_id, expires_at=expires))
    ctx.log("invite", "invite")
    until = describe(expires, ctx.timezone, ctx.now)
    return Message(
        title=f"Here's an invite code for your partner schools: {code}",
        text=f"Someone at a partner school on another Slack workspace or Microsoft Teams organisation says "
        f"`link {code}` to Kept there, before {until}. It works once.",
        fields=(Field("Network", _network_name(ctx, actor.network_id)),),
    )


def link(ctx: Context, args: str) -> Message:
    """Bring the caller's workspace or tenant into the network that made the code (if it has no schools yet)."""
    code = _clean(args)
    invitation = ctx.session.get(InviteCode, code) if code else None
    if invitation is None:
        raise NotFound("I don't recognise that invite code. Please check it with the lead who gave it to you.")
    if invitation.used_at is not None:
        raise CommandError("That invite code has already been used. Please ask the lead for a new one.")
    if invitation.expires_at <= ctx.now:
        raise CommandError("That invite code has expired (codes last 48 hours). Please ask the lead for a new one.")
    place = _PLACE.get(ctx.caller.platform, "workspace")
    tenant = _tenant(ctx)
    if tenant is not None and tenant.network_id == invitation.network_id:
        raise CommandError(f"Your {place} is already part of that network: nothing to do.")
    if tenant is not None and _school_count(ctx, tenant.network_id):
        raise CommandError(
            f"Your {place} already has schools on Kept in a network of its own, so I can't move "
            f"it. Ask the lead to link from their side, or your Kept administrator to merge them."
        )
    _use(ctx, invitation)
    if tenant is None:
        ctx.session.add(
            ChatTenant(
                platform=ctx.caller.platform,
                tenant_id=ctx.caller.tenant_id,
                network_id=invitation.network_id,
                created_at=ctx.now,
            )
        )
    else:
        tenant.network_id = invitation.network_id
        ctx.session.add(tenant)
    ctx.log("link", place, network_id=invitation.network_id, member_id=None)
    name = _network_name(ctx, invitation.network_id)
    return Message(
        title=f"Linked! Your {place} is now part of {name}.",
        text="Say `join <your school's name>` to add your school, then `board` to see what partner "
        "schools have offered.",
    )


def _clean(args: str) -> str:
    return "".join(ch for ch in args.upper() if ch.isalnum())[:20]


def _tenant(ctx: Context) -> ChatTenant | None:
    return ctx.session.exec(
        select(ChatTenant).where(
            ChatTenant.platform == ctx.caller.platform, ChatTenant.tenant_id == ctx.caller.tenant_id
        )
    ).first()


def _school_count(ctx: Context, network_id: int) -> int:
    return int(ctx.session.exec(select(func.count()).select_from(School).where(School.network_id == network_id)).one())


def _use(ctx: Context, invitation: InviteCode) -> None:
    """Mark the code used, conditionally, so two people linking at once can't both succeed."""
    used = ctx.session.execute(
        update(InviteCode)
        .where(col(InviteCode.code) == invitation.code, col(InviteCode.used_at).is_(None))
        .values(used_at=ctx.now)
    )
    if rows_changed(used) != 1:
        raise CommandError("That invite code has already been used. Please ask the lead for a new one.")


def _network_name(ctx: Context, network_id: int) -> str:
    network = ctx.session.get(Network, network_id)
    return network.name if network else "your network"
