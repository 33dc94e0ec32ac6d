"""A joint session's logistics: the checklist drawn from the MoU's headings (transport, venue, staffing, consent,
risk assessment, refreshments), and assigning an item, which makes it a commitment with a date, nudged like any
other."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers.calendar import zone_named
from handlers.context import Actor, Context
from handlers.dates import describe, read_moment
from handlers.errors import CommandError, NotFound
from handlers.joint_sessions.access import taking_part
from handlers.lookups import find_member, name_key, school_leads
from handlers.messages import Action, Field, Message, Section
from handlers.outbound import kinds, notices
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
    sections = tuple(_item_section(ctx, joint, item, c, member) for item, c, member in rows)
    return Message(
        title=f"{joint.title}: the checklist ({ref(joint)})",
        sections=sections,
        footer=f"`assign {ref(joint)} <item> to <colleague or me> by <date>` makes an item a commitment.",
    )


def _item_section(
    ctx: Context, joint: JointSession, item: ChecklistItem, commitment: Commitment | None, owner: Member | None
) -> Section:
    label = item.item.capitalize()
    if commitment is not None and owner is not None:
        return Section(text=f"{label}: with {owner.name}, {commitment.status} ({ref(commitment)})")
    asked = ctx.session.get(Member, item.proposed_to) if item.proposed_to else None
    if asked is not None:
        return Section(text=f"{label}: asked {asked.name}, waiting for their answer")
    assign = f"assign {ref(joint)} {item.item} to me"
    return Section(text=f"{label}: not assigned yet", actions=(Action(f"assign-{item.id}", "I'll do it", assign),))


def assign(ctx: Context, args: str) -> Message:
    """`assign S12 transport to <member or me> [by <date>]`: the checklist item becomes that person's commitment.
    Someone at another school is asked first, privately (and their lead told): nothing is theirs until they say
    yes with `take S12 transport`."""
    head, rest = split_ref(args)
    actor, joint, schools = taking_part(ctx, head)
    found = _ASSIGN.match(rest)
    if not found:
        raise CommandError(f"Say `assign {ref(joint)} transport to <colleague or me> by <date>`.")
    item = _item(ctx, joint, found.group("item"))
    owner = _assignee(ctx, actor, schools, found.group("who"))
    due = _due(ctx, joint, found.group("when"))
    if owner.school_id != actor.school_id:
        return _ask_to_take_on(ctx, actor, joint, item, owner, due)
    commitment = _make_it_theirs(ctx, actor.member_id, joint, schools, item, owner, due)
    return Message(
        title=f"{item.item.capitalize()} for {joint.title}: with {owner.name} ({ref(commitment)})",
        fields=(Field("Due", describe(due, ctx.timezone, ctx.now)),),
        actions=commitments.commitment_actions(ref(commitment)),
    )


def _make_it_theirs(
    ctx: Context, by: int, joint: JointSession, schools: list[int], item: ChecklistItem, owner: Member, due: datetime
) -> Commitment:
    commitment = Commitment(
        network_id=joint.network_id,
        from_school_id=owner.school_id,
        to_school_id=_receiver(ctx, joint, schools, owner.school_id),
        owner_id=owner.id or 0,
        what=f"{item.item.capitalize()} for {joint.title} ({ref(joint)})",
        category="shared-services" if item.item == "transport" else "other",
        due_at=due,
        session_id=joint.id,
        created_by=by,
        created_at=ctx.now,
    )
    ctx.session.add(commitment)
    ctx.session.flush()
    item.commitment_id = commitment.id
    item.proposed_to = item.proposed_by = item.proposed_due = None
    ctx.session.add(item)
    ctx.log("assign", ref(joint), item=item.item, commitment=ref(commitment), owner_id=owner.id)
    commitments.after_change(ctx, commitment)
    return commitment


def _ask_to_take_on(
    ctx: Context, actor: Actor, joint: JointSession, item: ChecklistItem, owner: Member, due: datetime
) -> Message:
    """Offer the item to someone at another school: they, and their lead, are asked privately."""
    item.proposed_to, item.proposed_by, item.proposed_due = owner.id, actor.member_id, due
    ctx.session.add(item)
    ctx.log("assign-ask", ref(joint), item=item.item, asked_id=owner.id)
    take = f"take {ref(joint)} {item.item}"
    asked = Message(
        title=f"{item.item.capitalize()} for {joint.title}: would you take it on? ({ref(joint)})",
        text=f"{actor.member.name} at {actor.school_name} asks. It would be yours, due "
        f"{describe(due, zone_named(owner.timezone), ctx.now)}; nothing is yours until you say yes.",
        actions=(
            Action("take", "I'll take it on", take, "primary"),
            Action("decline", "Not this time", f"decline {ref(joint)} {item.item}"),
        ),
    )
    facts = {"member_id": owner.id}
    key = f"assign-ask:{ref(joint)}:{item.id}:{owner.id}:{ctx.now.isoformat()}"
    notices.tell(
        ctx.session, owner.id or 0, key, asked, ctx.now, kind=kinds.ASK_TO_TAKE_ON, facts=facts, subject_id=item.id
    )
    heads_up = Message(
        title=f"{item.item.capitalize()} for {joint.title}: {actor.school_name} has asked {owner.name} ({ref(joint)})",
        text="Only for your information: it becomes theirs only if they say yes.",
    )
    for lead in school_leads(ctx.session, owner):
        notices.tell(
            ctx.session,
            lead.id or 0,
            f"{key}:{lead.id}",
            heads_up,
            ctx.now,
            kind=kinds.ASK_TO_TAKE_ON,
            facts=facts,
            subject_id=item.id,
        )
    return Message(
        title=f"{item.item.capitalize()} for {joint.title}: asked {owner.name} ({ref(joint)})",
        text="I've asked them privately, and told their lead. Nothing is theirs until they say yes; I'll let you "
        "know either way.",
    )


def take(ctx: Context, args: str) -> Message:
    """`take S12 transport`: say yes to a checklist item offered to you; it becomes your commitment."""
    actor, joint, schools, item = _offered_to_caller(ctx, args)
    due = item.proposed_due or _due(ctx, joint, None)
    asked_by = item.proposed_by
    commitment = _make_it_theirs(ctx, actor.member_id, joint, schools, item, actor.member, max(due, ctx.now))
    _answer(ctx, asked_by, joint, item, f"{actor.member.name} said yes: it's theirs now ({ref(commitment)})")
    return Message(
        title=f"{item.item.capitalize()} for {joint.title}: yours now ({ref(commitment)}). Thank you!",
        fields=(Field("Due", describe(commitment.due_at, ctx.timezone, ctx.now)),),
        actions=commitments.commitment_actions(ref(commitment)),
    )


def decline(ctx: Context, args: str) -> Message:
    """`decline S12 transport`: say no, kindly, to a checklist item offered to you."""
    actor, joint, _, item = _offered_to_caller(ctx, args)
    asked_by = item.proposed_by
    item.proposed_to = item.proposed_by = item.proposed_due = None
    ctx.session.add(item)
    ctx.log("assign-decline", ref(joint), item=item.item)
    _answer(ctx, asked_by, joint, item, f"{actor.member.name} can't take it on this time")
    return Message(title=f"{item.item.capitalize()} for {joint.title}: no problem, I've let them know.")


def _offered_to_caller(ctx: Context, args: str) -> tuple[Actor, JointSession, list[int], ChecklistItem]:
    head, rest = split_ref(args)
    actor, joint, schools = taking_part(ctx, head)
    key = " ".join(rest.lower().split())
    item = ctx.session.exec(
        select(ChecklistItem).where(ChecklistItem.session_id == joint.id, ChecklistItem.item == key)
    ).first()
    if item is None or item.proposed_to != actor.member_id:
        raise CommandError(f"Nothing from {ref(joint)}'s checklist is waiting for your answer.")
    return actor, joint, schools, item


def _answer(ctx: Context, asked_by: int | None, joint: JointSession, item: ChecklistItem, news: str) -> None:
    if asked_by is None:
        return
    message = Message(title=f"{item.item.capitalize()} for {joint.title} ({ref(joint)})", text=news)
    key = f"assign-answer:{ref(joint)}:{item.id}:{ctx.now.isoformat()}"
    notices.tell(ctx.session, asked_by, key, message, ctx.now, kind=kinds.ASK_ANSWERED, subject_id=item.id)


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
