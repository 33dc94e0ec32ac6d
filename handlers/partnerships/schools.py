"""Joining a school, starting a partnership, and choosing where its digest goes."""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.context import Context
from handlers.errors import CommandError, NotAllowed
from handlers.lookups import clean_name, find_partnership, find_school, name_key, partnerships_of
from handlers.messages import Field, Message
from storage.models import (
    ChatTenant,
    Identity,
    Member,
    Network,
    Partnership,
    PartnershipChannel,
    PartnershipSchool,
    School,
)


def join(ctx: Context, args: str) -> Message:
    """Make the caller a member of a school in their network (creating either on first use).

    The first member of a school becomes its lead. Someone already at a school is told so; nothing changes.
    """
    if ctx.actor is not None:
        raise CommandError(f"You're already part of {ctx.actor.school_name} on Kept.")
    name = clean_name(args, "school name")
    network_id = ctx.network_id or _new_network(ctx, name)
    school, created = _school(ctx.session, network_id, name, ctx)
    role = "lead" if created else "staff"
    known = " ".join((ctx.caller.display_name or "").split())[:120]
    member = Member(
        school_id=school.id or 0,
        name=known or unnamed(school.name),
        role=role,
        timezone=ctx.caller.timezone or ctx.default_timezone,
        created_at=ctx.now,
    )
    ctx.session.add(member)
    ctx.session.flush()
    ctx.session.add(
        Identity(
            platform=ctx.caller.platform,
            tenant_id=ctx.caller.tenant_id,
            user_id=ctx.caller.user_id,
            member_id=member.id or 0,
            display_name=member.name,
            created_at=ctx.now,
        )
    )
    ctx.log("join", school.name, network_id=network_id, member_id=member.id, role=role)
    lead_line = " You're its partnership lead, as the first to join." if created else ""
    greeting = f"Welcome to Kept, {known}!" if known else "Welcome to Kept!"
    return Message(
        title=f"{greeting} You're now part of {school.name}.{lead_line}",
        text="Try `offer <something you can give>`, `request <something you need>` or `board` to see "
        "what other schools have offered.",
    )


def unnamed(school_name: str) -> str:
    """The name of someone whose chat profile could not be read: never an id (MESSAGE-STYLE.md)."""
    return f"a colleague at {school_name}"


def _new_network(ctx: Context, school_name: str) -> int:
    network = Network(name=f"{school_name} network", created_at=ctx.now)
    ctx.session.add(network)
    ctx.session.flush()
    assert network.id is not None
    ctx.session.add(
        ChatTenant(
            platform=ctx.caller.platform,
            tenant_id=ctx.caller.tenant_id,
            network_id=network.id,
            created_at=ctx.now,
        )
    )
    return network.id


def _school(session: Session, network_id: int, name: str, ctx: Context) -> tuple[School, bool]:
    key = name_key(name)
    school = session.exec(select(School).where(School.network_id == network_id, School.name_key == key)).first()
    if school:
        return school, False
    school = School(network_id=network_id, name=name, name_key=key, timezone=ctx.default_timezone, created_at=ctx.now)
    session.add(school)
    session.flush()
    return school, True


def start_partnership(ctx: Context, args: str) -> Message:
    """A lead starts a partnership between their school and one or more others: `Physics Link with Hopper`."""
    actor = ctx.require_lead("start a partnership")
    name_text, sep, schools_text = args.rpartition(" with ")
    if not sep:
        raise CommandError(
            "Say `partnership <name> with <school>, <school>`, e.g. `partnership Physics Link with Hopper Academy`."
        )
    name = clean_name(name_text, "partnership name")
    others = [find_school(ctx.session, actor.network_id, s) for s in _names(schools_text)]
    members = {actor.school_id: actor.school} | {s.id or 0: s for s in others}
    if len(members) < 2:
        raise CommandError("A partnership needs at least two schools: name another school after `with`.")
    if ctx.session.exec(
        select(Partnership).where(Partnership.network_id == actor.network_id, Partnership.name_key == name_key(name))
    ).first():
        raise CommandError(f"There's already a partnership called {name}. Please choose another name.")
    partnership = Partnership(
        network_id=actor.network_id,
        name=name,
        name_key=name_key(name),
        timezone=actor.school.timezone,
        created_at=ctx.now,
    )
    ctx.session.add(partnership)
    ctx.session.flush()
    for school_id in members:
        ctx.session.add(PartnershipSchool(partnership_id=partnership.id or 0, school_id=school_id))
    ctx.log("partnership", name, schools=sorted(s.name for s in members.values()))
    return Message(
        title=f"Partnership {name} started.",
        fields=(Field("Schools", ", ".join(sorted(s.name for s in members.values()))),),
        text="Say `channel " + name + "` in a channel to send its weekly digest there.",
    )


def use_channel(ctx: Context, args: str) -> Message:
    """Send a partnership's weekly digest to the channel this was said in (leads of its schools only)."""
    actor = ctx.require_lead("choose where a partnership's digest goes")
    if not ctx.caller.channel_id:
        raise CommandError("Please say this in the channel that should receive the digest.")
    partnership = find_partnership(ctx.session, actor.network_id, args) if args.strip() else _only(ctx)
    if partnership.id not in {p.id for p in partnerships_of(ctx.session, actor.school_id)}:
        raise NotAllowed(f"{actor.school_name} isn't part of {partnership.name}.")
    exists = ctx.session.exec(
        select(PartnershipChannel).where(
            PartnershipChannel.partnership_id == partnership.id,
            PartnershipChannel.platform == ctx.caller.platform,
            PartnershipChannel.tenant_id == ctx.caller.tenant_id,
            PartnershipChannel.channel_id == ctx.caller.channel_id,
        )
    ).first()
    if not exists:
        ctx.session.add(
            PartnershipChannel(
                partnership_id=partnership.id or 0,
                platform=ctx.caller.platform,
                tenant_id=ctx.caller.tenant_id,
                channel_id=ctx.caller.channel_id,
            )
        )
        ctx.log("channel", partnership.name)
    return Message(
        title=f"This channel will get {partnership.name}'s weekly digest.",
        text="Please make sure Kept is a member of this channel (in Slack, `/invite @Kept`), so it can post here.",
    )


def _only(ctx: Context) -> Partnership:
    actor = ctx.require_member()
    mine = partnerships_of(ctx.session, actor.school_id)
    if len(mine) == 1:
        return mine[0]
    names = ", ".join(p.name for p in mine) or "none yet"
    raise CommandError(f"Which partnership? Yours: {names}.")


def _names(text: str) -> list[str]:
    parts = [p.strip() for chunk in text.split(",") for p in chunk.split(" and ")]
    return [p for p in parts if p]
