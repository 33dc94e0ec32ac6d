"""Promises between schools: make one, deliver it, release it with notice, move it, list your own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from handlers import categories
from handlers.calendar import calendar_for, holiday_on
from handlers.context import Actor, Context
from handlers.dates import DATE_HINT, check_horizon, describe, describe_day, read_moment, shift
from handlers.errors import CommandError, FormErrors, NotAllowed, NotFound
from handlers.lookups import find_school, leads_of
from handlers.messages import Action, Choice, Field, Form, Input, Message, Section
from handlers.outbound import kinds, notices, plan
from handlers.phrases import count, gist, sentence
from handlers.promises import records
from handlers.refs import parse_ref, ref, ref_of, split_ref
from storage.db import rows_changed
from storage.models import Commitment, Listing, Match, Member, School

MIN_REASON = 3


def commitment_actions(reference: str) -> tuple[Action, ...]:
    """The buttons every open commitment carries, wherever it is shown."""
    return (
        Action("done", "Done", f"done {reference}", "primary"),
        Action("snooze_week", "Snooze a week", f"snooze {reference} 1 week"),
        Action("release", "Release", f"release {reference}", "danger"),
    )


def promise(ctx: Context, args: str) -> Message:
    """`promise <what> to <school> by <date>`: a commitment from the caller's school to another school."""
    actor = ctx.require_member()
    if not args.strip():
        return Message(title="New promise", form=promise_form(ctx))
    rest, by, when = args.rpartition(" by ")
    what, to, school_name = rest.rpartition(" to ")
    if not (by and to and what.strip() and school_name.strip()):
        raise CommandError(
            "Say `promise <what> to <school> by <date>`, e.g. "
            "`promise two physics practicals to Hopper Academy by next Friday`."
        )
    school = find_school(ctx.session, actor.network_id, school_name)
    due = read_moment(ctx, when)
    return _create(ctx, actor, what, school, due)


def promise_form(ctx: Context, what: str = "") -> Form:
    actor = ctx.require_member()
    others = ctx.session.exec(
        select(School)
        .where(School.network_id == actor.network_id, School.id != actor.school_id)
        .order_by(col(School.name))
    ).all()
    if not others:
        raise CommandError(
            "There are no other schools in your network yet. Ask a colleague there to `join` their school, "
            "or a lead to `invite` another workspace or Teams organisation."
        )
    return Form(
        form_id="promise",
        title="New promise",
        submit_label="Promise",
        inputs=(
            Input(
                "what",
                "What will you deliver?",
                "multiline",
                initial=what[:3000],
                placeholder="e.g. Two physics practicals for Year 9",
            ),
            Input(
                "school",
                "To which school?",
                "select",
                choices=tuple(Choice(s.name, str(s.id)) for s in others),
            ),
            Input("due", "By when?", placeholder=DATE_HINT),
        ),
    )


def submit_promise(ctx: Context, context: str, values: dict[str, str]) -> Message:
    actor = ctx.require_member()
    errors: dict[str, str] = {}
    what = values.get("what", "").strip()
    if len(what) < MIN_REASON:
        errors["what"] = "Please say what you'll deliver, in a few words."
    school = _school_by_id(ctx, actor, values.get("school", ""))
    if school is None:
        errors["school"] = "Please pick a school from the list."
    due: datetime | None = None
    try:
        due = read_moment(ctx, values.get("due", ""))
    except CommandError as exc:
        errors["due"] = exc.reason
    if errors or school is None or due is None:
        raise FormErrors(errors)
    return _create(ctx, actor, what, school, due)


def _school_by_id(ctx: Context, actor: Actor, raw: str) -> School | None:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):  # a row id Kept offered, never a huge number
        return None
    school = ctx.session.get(School, int(raw))
    if school is None or school.network_id != actor.network_id or school.id == actor.school_id:
        return None
    return school


def _create(ctx: Context, actor: Actor, what: str, school: School, due: datetime) -> Message:
    what = " ".join(what.split())
    if school.id == actor.school_id:
        raise CommandError("Promises are to other schools. Name the school you're promising to help.")
    category = categories.guess(what)
    commitment = Commitment(
        network_id=actor.network_id,
        from_school_id=actor.school_id,
        to_school_id=school.id or 0,
        owner_id=actor.member_id,
        what=what,
        category=category,
        due_at=due,
        created_by=actor.member_id,
        created_at=ctx.now,
    )
    ctx.session.add(commitment)
    ctx.session.flush()
    reference = ref(commitment)
    ctx.log("promise", reference, to=school.name, due=due.isoformat(), what=what)
    after_change(ctx, commitment)
    return Message(
        title=f"{sentence(gist(what))}: promised to {school.name} ({reference})",
        text=what if len(what) > len(gist(what)) else "",
        fields=(Field("Due", describe(due, ctx.timezone, ctx.now)), Field("From", actor.school_name)),
        actions=commitment_actions(reference),
        footer=_holiday_warning(ctx, commitment) or "Thank you! I'll remind you privately before it's due.",
    )


def _holiday_warning(ctx: Context, commitment: Commitment) -> str:
    """A gentle heads-up when the due date falls in either school's holidays."""
    day = commitment.due_at.astimezone(ctx.timezone).date()
    for school_id in (commitment.from_school_id, commitment.to_school_id):
        holiday = holiday_on(day, calendar_for(ctx.session, school_id))
        if holiday:
            when = describe_day(commitment.due_at, ctx.timezone)
            falls = f"in the {holiday.name}" if holiday.ends_on > holiday.starts_on else f"on {holiday.name}"
            return (
                f"Just so you know, {when} falls {falls}. If that isn't what you meant, "
                f"`snooze {ref(commitment)} <date>` moves it."
            )
    return ""


def load_for_change(ctx: Context, args: str) -> tuple[Actor, Commitment, str]:
    """The caller's commitment named by the ref at the start of `args`, and the rest of `args`.

    Its owner may change it, and so may their school's lead; anyone else is refused. A commitment in another
    network is reported as not found, so refs reveal nothing across networks.
    """
    actor = ctx.require_member()
    head, rest = split_ref(args)
    number = parse_ref(head, "C")
    commitment = ctx.session.get(Commitment, number)
    if commitment is None or commitment.network_id != actor.network_id:
        raise NotFound(f"I can't find commitment {ref_of('C', number)}. Say `mine` to see yours.")
    mine = commitment.owner_id == actor.member_id
    leads_it = actor.is_lead and commitment.from_school_id == actor.school_id
    if not (mine or leads_it):
        owner = ctx.session.get(Member, commitment.owner_id)
        who = owner.name if owner and not owner.erased else "its owner"
        raise NotAllowed(f"{ref_of('C', number)} is {who}'s promise: only they or their school's lead can change it.")
    if commitment.status != "open":
        raise CommandError(f"{ref_of('C', number)} is already {commitment.status}, so there's nothing to change.")
    return actor, commitment, rest


def _transition(ctx: Context, commitment: Commitment, **values: object) -> None:
    """Move an open commitment on, only if it is still open (a double press changes nothing)."""
    result = ctx.session.execute(
        update(Commitment).where(col(Commitment.id) == commitment.id, col(Commitment.status) == "open").values(**values)
    )
    if rows_changed(result) != 1:
        raise CommandError(f"{ref(commitment)} was changed a moment ago, so there's nothing more to do.")
    ctx.session.refresh(commitment)


def mark_done(ctx: Context, args: str) -> Message:
    """`done C12`: the commitment was delivered. Cancels its reminders and thanks the owner."""
    actor, commitment, _ = load_for_change(ctx, args)
    _transition(ctx, commitment, status="done", done_at=ctx.now)
    on_time = ctx.now <= commitment.due_at
    ctx.log("done", ref(commitment), on_time=on_time)
    after_change(ctx, commitment)
    records.ask_to_confirm(ctx.session, commitment, ctx.now)
    to = ctx.session.get(School, commitment.to_school_id)
    return Message(
        title=f"{sentence(gist(commitment.what))}: delivered ({ref(commitment)}). Thank you!",
        fields=(Field("For", to.name if to else "your partner school"),),
        footer="I'll ask them to confirm it arrived.",
    )


def release(ctx: Context, args: str) -> Message:
    """`release C12 <reason>`: let a commitment go with notice. With no reason, asks for one."""
    actor, commitment, reason = load_for_change(ctx, args)
    if len(reason.strip()) < MIN_REASON:
        return Message(title=f"Release {gist(commitment.what, 40)}?", form=release_form(commitment))
    return _release(ctx, actor, commitment, reason)


def release_form(commitment: Commitment) -> Form:
    return Form(
        form_id="release",
        title=f"Release {ref(commitment)}",
        submit_label="Release",
        context=ref(commitment),
        inputs=(
            Input(
                "reason",
                "A short reason, so they can plan",
                "multiline",
                placeholder="e.g. Our minibus is in for repair that week",
            ),
        ),
    )


def submit_release(ctx: Context, context: str, values: dict[str, str]) -> Message:
    actor, commitment, _ = load_for_change(ctx, context)
    reason = values.get("reason", "").strip()
    if len(reason) < MIN_REASON:
        raise FormErrors({"reason": "A few words of reason help the other school plan."})
    return _release(ctx, actor, commitment, reason)


def _release(ctx: Context, actor: Actor, commitment: Commitment, reason: str) -> Message:
    reason = " ".join(reason.split())
    _transition(ctx, commitment, status="released", release_reason=reason, done_at=ctx.now)
    ctx.log("release", ref(commitment), reason=reason)
    after_change(ctx, commitment)
    told = _tell_receiving_school(ctx, actor, commitment, kinds.RELEASED, f"Released, with notice: “{reason}”")
    return Message(
        title=f"{sentence(gist(commitment.what))}: released, with notice ({ref(commitment)})",
        text="Thank you for letting them know early: that's what keeps a partnership strong.",
        fields=(Field("Reason", reason),),
        footer=f"I've told {told} privately." if told else "",
    )


def _tell_receiving_school(ctx: Context, actor: Actor, commitment: Commitment, kind: str, news: str) -> str:
    """Tell the receiving school's leads (and whoever asked for it, through a match) privately what changed.
    Returns who was told, for the reply."""
    to = ctx.session.get(School, commitment.to_school_id)
    people = {lead.id: lead for lead in leads_of(ctx.session, [commitment.to_school_id])}
    asker = _who_asked(ctx, commitment)
    if asker is not None and not asker.erased:
        people.setdefault(asker.id, asker)
    message = Message(
        title=f"{sentence(gist(commitment.what))}, from {actor.school_name} ({ref(commitment)})",
        text=news,
        fields=(Field("Told by", actor.member.name),),
    )
    facts = {"due_at": commitment.due_at.isoformat()}
    for member_id in people:
        key = f"{kind}:{ref(commitment)}:{ctx.now.isoformat()}:{member_id}"
        notices.tell(
            ctx.session, member_id or 0, key, message, ctx.now, kind=kind, facts=facts, subject_id=commitment.id
        )
    return f"{to.name}'s lead" if people and to else ""


def _who_asked(ctx: Context, commitment: Commitment) -> Member | None:
    """The member whose request a matched promise meets, if any."""
    match = ctx.session.get(Match, commitment.match_id) if commitment.match_id else None
    request = ctx.session.get(Listing, match.request_id) if match else None
    return ctx.session.get(Member, request.member_id) if request else None


def snooze(ctx: Context, args: str) -> Message:
    """`snooze C12 1 week` or `snooze C12 Friday`: move the due date. With no date, asks for one."""
    actor, commitment, when = load_for_change(ctx, args)
    if not when.strip():
        return Message(title=f"Move {gist(commitment.what, 40)}?", form=snooze_form(commitment))
    moved = shift(max(commitment.due_at, ctx.now), when)
    if moved is not None:
        check_horizon(moved, ctx.now, ctx.timezone)
    return _snooze(ctx, actor, commitment, moved or read_moment(ctx, when))


def snooze_form(commitment: Commitment) -> Form:
    return Form(
        form_id="snooze",
        title=f"Move {ref(commitment)}",
        submit_label="Move",
        context=ref(commitment),
        inputs=(Input("due", "New due date", placeholder=DATE_HINT),),
    )


def submit_snooze(ctx: Context, context: str, values: dict[str, str]) -> Message:
    actor, commitment, _ = load_for_change(ctx, context)
    try:
        due = read_moment(ctx, values.get("due", ""))
    except CommandError as exc:
        raise FormErrors({"due": exc.reason}) from None
    return _snooze(ctx, actor, commitment, due)


def _snooze(ctx: Context, actor: Actor, commitment: Commitment, due: datetime) -> Message:
    agreed = commitment.due_at
    _transition(ctx, commitment, due_at=due)
    ctx.log("snooze", ref(commitment), due=due.isoformat())
    after_change(ctx, commitment)
    when = describe(due, ctx.timezone, ctx.now)
    earlier = f", earlier than before (it was due {describe(agreed, ctx.timezone, ctx.now)})" if due < agreed else ""
    told = ""
    if due > agreed:  # past the date the other school was counting on: they hear, privately
        news = f"Now due {when}, instead of {describe(agreed, ctx.timezone, ctx.now)}."
        told = _tell_receiving_school(ctx, actor, commitment, kinds.SNOOZED, news)
    return Message(
        title=f"{sentence(gist(commitment.what))}: now due {when}{earlier} ({ref(commitment)})",
        actions=commitment_actions(ref(commitment)),
        footer=f"I've told {told} privately." if told else "",
    )


def mine(ctx: Context, args: str) -> Message:
    """The caller's open commitments, soonest first, each with its buttons."""
    actor = ctx.require_member()
    rows = ctx.session.exec(
        select(Commitment, School.name)
        .join(School, col(School.id) == Commitment.to_school_id)
        .where(Commitment.owner_id == actor.member_id, Commitment.status == "open")
        .order_by(col(Commitment.due_at))
        .limit(40)
    ).all()
    if not rows:
        return Message(
            title="You have no open promises. Lovely!",
            text="When you promise something, say `promise <what> to <school> by <date>`.",
        )
    sections = tuple(
        Section(
            text=f"{c.what} — for {school} ({ref(c)})",
            fields=(Field("Due", describe(c.due_at, ctx.timezone, ctx.now)),),
            actions=commitment_actions(ref(c)),
        )
        for c, school in rows
    )
    return Message(title=f"Your {count(len(rows), 'open promise')}", sections=sections)


def after_change(ctx: Context, commitment: Commitment) -> None:
    """Keep reminders in step with a commitment's state: planned while open, cancelled once closed."""
    plan.plan_commitment(ctx.session, commitment, ctx.now, ctx.reminder_policy)
