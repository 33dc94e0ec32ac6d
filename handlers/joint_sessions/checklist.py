"""A joint session's logistics: the checklist drawn from the MoU's headings (transport, venue, staffing, consent,
risk assessment, refreshments), and assigning an item, which makes it a commitment with a date, nudged like any
other."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers.context import Actor, Context
from handlers.dates import describe, read_moment
from handlers.errors import CommandError, NotFound
from handlers.joint_sessions.access import taking_part
from handlers.lookups import find_member, name_key
from handlers.messages import Action, Field, Message, Section
from handlers.promises import commitments
from handlers.refs import ref, split_ref
from storage.models import ChecklistItem, Commitment, JointSession, Member

CHECKLIST = ("transport", "venue", "staffing", "consent", "risk assessment", "refreshments")
LONDON = ZoneInfo("Europe/London")
LEAD_TIME = timedelta(days=7)  # transport and consent take a week
_ASSIGN = re.compile(r"^(?P<item>.+?)\s+to\s+(?P<who>.+?)(?:\s+by\s+(?P<when>.+))?$", re.IGNORECASE)


def add_checklist(session: Session, joint: JointSession) -> None:
    """Give a newly planned session its logistics checklist (once; planning twice adds nothing)."""
    have = set(session.exec(select(ChecklistItem.item).where(ChecklistItem.session_id == joint.id)).all())
    session.add_all(ChecklistItem(session_id=joint.id or 0, item=item) for item in CHECKLIST if item not in have)


def checklist(ctx: Context, args: str) -> Message:
    """`checklist S12`: the session's logistics, who has each item, with an Assign-to-me button for the rest."""
    _, joint, _ = taking_part(ctx, args)
    rows = ctx.session.exec(
        select(ChecklistItem, Commitment, Member)
        .join(Commitment, col(Commitment.id) == ChecklistItem.commitment_id, isouter=True)
        .join(Member, col(Member.id) == Commitment.owner_id, isouter=True)
        .where(ChecklistItem.session_id == joint.id)
        .order_by(col(ChecklistItem.id))
    ).all()
    sections = tuple(
        Section(text=f"{item.item.capitalize()}: with {member.name} ({ref(c)}, {c.status})")
        if c is not None and member is not None
        else Section(
            text=f"{item.item.capitalize()}: not assigned yet",
            actions=(Action(f"assign-{item.id}", "I'll do it", f"assign {ref(joint)} {item.item} to me"),),
        )
        for item, c, member in rows
    )
    return Message(
        title=f"Checklist for {ref(joint)}: {joint.title}",
        sections=sections,
        footer=f"`assign {ref(joint)} <item> to <colleague or me> by <date>` makes an item a commitment.",
    )


def assign(ctx: Context, args: str) -> Message:
    """`assign S12 transport to <member or me> [by <date>]`: the checklist item becomes that person's commitment."""
    head, rest = split_ref(args)
    actor, joint, schools = taking_part(ctx, head)
    found = _ASSIGN.match(rest)
    if not found:
        raise CommandError(f"Say `assign {ref(joint)} transport to <colleague or me> by <date>`.")
    item = _item(ctx, joint, found.group("item"))
    owner = _assignee(ctx, actor, schools, found.group("who"))
    due = _due(ctx, joint, found.group("when"))
    commitment = Commitment(
        network_id=joint.network_id,
        from_school_id=owner.school_id,
        to_school_id=_receiver(ctx, joint, schools, owner.school_id),
        owner_id=owner.id or 0,
        what=f"{item.item.capitalize()} for {joint.title} ({ref(joint)})",
        category="shared-services" if item.item == "transport" else "other",
        due_at=due,
        session_id=joint.id,
        created_by=actor.member_id,
        created_at=ctx.now,
    )
    ctx.session.add(commitment)
    ctx.session.flush()
    item.commitment_id = commitment.id
    ctx.session.add(item)
    ctx.log("assign", ref(joint), item=item.item, commitment=ref(commitment), owner=owner.name)
    commitments.after_change(ctx, commitment)
    return Message(
        title=f"{item.item.capitalize()} for {ref(joint)} is now with {owner.name} ({ref(commitment)}).",
        fields=(Field("Due", describe(due, ctx.timezone, ctx.now)),),
        actions=commitments.commitment_actions(ref(commitment)),
    )


def _item(ctx: Context, joint: JointSession, text: str) -> ChecklistItem:
    key = " ".join(text.lower().split())
    item = ctx.session.exec(
        select(ChecklistItem).where(ChecklistItem.session_id == joint.id, ChecklistItem.item == key)
    ).first()
    if item is None:
        raise NotFound(f"The checklist items are: {', '.join(CHECKLIST)}.")
    if item.commitment_id is not None:
        raise CommandError(
            f"{item.item.capitalize()} for {ref(joint)} is already assigned: see `checklist {ref(joint)}`."
        )
    return item


def _assignee(ctx: Context, actor: Actor, schools: list[int], who: str) -> Member:
    """`me`, or a colleague at one of the session's schools (searched the caller's school first)."""
    if name_key(who) == "me":
        return actor.member
    ordered = [actor.school_id, *(s for s in schools if s != actor.school_id)]
    for school_id in ordered:
        try:
            return find_member(ctx.session, school_id, who)
        except NotFound:
            continue
    raise NotFound(f"I can't find `{who.strip()[:60]}` at the schools in this session.")


def _receiver(ctx: Context, joint: JointSession, schools: list[int], giver: int) -> int:
    """Who the item is done for: the organising school, or (if the organiser's school does it) a guest school."""
    organiser = ctx.session.get(Member, joint.organiser_id)
    host = organiser.school_id if organiser else schools[0]
    return host if giver != host else next(s for s in schools if s != giver)


def _due(ctx: Context, joint: JointSession, when: str | None) -> datetime:
    if when:
        return read_moment(ctx, when)
    ahead = datetime.combine((joint.starts_at - LEAD_TIME).astimezone(LONDON).date(), time(17, 0), LONDON)
    return ahead if ahead > ctx.now else joint.starts_at
