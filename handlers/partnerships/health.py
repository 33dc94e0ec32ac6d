"""A partnership's health: give and take between each pair of schools, key-person risk, handing work over,
and its depth on Himmelman's continuum (recorded by a lead, suggested by Kept from what it has seen).

Give and take counts delivered commitments each way, weighted by size; a delivery the receiving school has
confirmed counts in full, a self-reported one a little less. Leads hear privately, once a term, when a pair
is lopsided or a partnership rests on one person; the partnership channel never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from handlers.context import Context
from handlers.errors import CommandError
from handlers.lookups import find_member, leads_of, name_key, school_ids, school_names
from handlers.messages import Field, Message, Section
from handlers.outbound import kinds, notices
from handlers.partnerships.access import partnership_for, require_partnership_lead
from handlers.phrases import count
from handlers.promises import commitments
from handlers.refs import ref
from handlers.terms import term_of
from storage.models import STAGES, Commitment, JointSession, Member, Mou, Partnership

SELF_REPORTED = 0.8
LOPSIDED_RATIO = 3.0
LOPSIDED_MIN = 4
KEY_PERSON_SHARE = 0.6
KEY_PERSON_MIN = 3


@dataclass(frozen=True)
class Flow:
    """Deliveries from one school to another: how many, and their weight."""

    count: int = 0
    weight: float = 0.0


@dataclass(frozen=True)
class Pair:
    a: int
    b: int
    a_to_b: Flow
    b_to_a: Flow

    @property
    def delivered(self) -> int:
        return self.a_to_b.count + self.b_to_a.count

    @property
    def lopsided(self) -> bool:
        """3:1 or worse by weight, once at least four deliveries have passed between them."""
        heavy = max(self.a_to_b.weight, self.b_to_a.weight)
        light = min(self.a_to_b.weight, self.b_to_a.weight)
        return self.delivered >= LOPSIDED_MIN and heavy >= LOPSIDED_RATIO * light

    @property
    def giver(self) -> int:
        return self.a if self.a_to_b.weight >= self.b_to_a.weight else self.b


@dataclass(frozen=True)
class KeyPerson:
    member_id: int
    holds: int
    total: int


def flows(
    session: Session, ids: list[int], since: datetime | None = None, until: datetime | None = None
) -> dict[tuple[int, int], Flow]:
    """Delivered commitments between these schools, by (from, to), in one grouped query."""
    weight = col(Commitment.size) * case((col(Commitment.confirmed_at).is_not(None), 1.0), else_=SELF_REPORTED)
    query = select(Commitment.from_school_id, Commitment.to_school_id, func.count(), func.sum(weight)).where(
        col(Commitment.from_school_id).in_(ids), col(Commitment.to_school_id).in_(ids), Commitment.status == "done"
    )
    if since is not None:
        query = query.where(col(Commitment.done_at) >= since)
    if until is not None:
        query = query.where(col(Commitment.done_at) < until)
    rows = session.exec(query.group_by(col(Commitment.from_school_id), col(Commitment.to_school_id))).all()
    return {(a, b): Flow(int(n), float(w or 0)) for a, b, n, w in rows}


def give_and_take(
    session: Session, partnership_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[Pair]:
    """Every pair of schools in the partnership, with what has passed each way."""
    return pairs_among(session, school_ids(session, partnership_id), since, until)


def pairs_among(
    session: Session, ids: list[int], since: datetime | None = None, until: datetime | None = None
) -> list[Pair]:
    found = flows(session, ids, since, until)
    return [
        Pair(a, b, found.get((a, b), Flow()), found.get((b, a), Flow()))
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    ]


def balance_line(pair: Pair, names: dict[int, str]) -> str:
    """`St Ada's School gave 5, Hopper Academy gave 2`: neutral words, for the digest and `health`."""
    return f"{names[pair.a]} gave {pair.a_to_b.count}, {names[pair.b]} gave {pair.b_to_a.count}"


def key_person(session: Session, partnership_id: int, now: datetime, ids: list[int] | None = None) -> KeyPerson | None:
    """The member holding most (>= 60%, at least 3) of a partnership's open commitments and coming sessions."""
    ids = school_ids(session, partnership_id) if ids is None else ids
    held: dict[int, int] = {}
    commitments = session.exec(
        select(Commitment.owner_id, func.count())
        .where(
            col(Commitment.from_school_id).in_(ids), col(Commitment.to_school_id).in_(ids), Commitment.status == "open"
        )
        .group_by(col(Commitment.owner_id))
    ).all()
    sessions = session.exec(
        select(JointSession.organiser_id, func.count())
        .where(
            JointSession.partnership_id == partnership_id,
            JointSession.status == "planned",
            col(JointSession.starts_at) >= now,
        )
        .group_by(col(JointSession.organiser_id))
    ).all()
    for member_id, how_many in [*commitments, *sessions]:
        held[member_id] = held.get(member_id, 0) + int(how_many)
    total = sum(held.values())
    if not held:
        return None
    top = max(held, key=lambda m: held[m])
    if held[top] >= KEY_PERSON_MIN and held[top] >= KEY_PERSON_SHARE * total:
        return KeyPerson(top, held[top], total)
    return None


@dataclass(frozen=True)
class Health:
    partnership: Partnership
    names: dict[int, str]
    pairs: list[Pair]
    risk: KeyPerson | None


def watch(session: Session, partnership: Partnership, now: datetime) -> Health:
    """Assess a partnership and tell leads privately, once a term: the two schools' leads of a lopsided pair, and
    the leads of the one school whose colleague holds most of the work (never anyone else's staff by name).

    `health` runs it, and the scheduler runs it daily; the partnership's channel never hears of either.
    """
    pid = partnership.id or 0
    ids = school_ids(session, pid)
    found = Health(
        partnership, school_names(session, ids), pairs_among(session, ids), key_person(session, pid, now, ids)
    )
    term = term_of(now.date()).name
    for pair in found.pairs:
        if pair.lopsided:
            message = Message(
                title=f"Give and take in {partnership.name} is one-sided: {balance_line(pair, found.names)}",
                text="Worth a friendly conversation: could the other school offer something back? "
                "`health` shows the balance.",
            )
            key = f"lopsided:{pid}:{pair.a}-{pair.b}:{term}"
            _tell_leads(session, [pair.a, pair.b], key, message, now, pid, kinds.LOPSIDED)
    if found.risk is not None:
        _tell_key_person_risk(session, partnership, found.risk, term, now)
    return found


def _tell_key_person_risk(
    session: Session, partnership: Partnership, risk: KeyPerson, term: str, now: datetime
) -> None:
    person = session.get(Member, risk.member_id)
    if person is None or person.erased:
        return
    message = Message(
        title=f"{partnership.name} rests on one person: {person.name} holds {risk.holds} of "
        f"{count(risk.total, 'open promise and session', 'open promises and sessions')}",
        text="If they were away, much would stall. `handover <colleague> to <colleague>` shares the load.",
    )
    key = f"keyperson:{partnership.id}:{risk.member_id}:{term}"
    facts: dict[str, object] = {"member_id": risk.member_id}
    _tell_leads(session, [person.school_id], key, message, now, partnership.id or 0, kinds.KEY_PERSON, facts)


def _who(session: Session, risk: KeyPerson) -> str:
    person = session.get(Member, risk.member_id)
    return person.name if person and not person.erased else "one colleague"


def _tell_leads(
    session: Session,
    ids: list[int],
    key: str,
    message: Message,
    now: datetime,
    pid: int,
    kind: str,
    facts: dict[str, object] | None = None,
) -> None:
    for lead in leads_of(session, ids):
        notices.tell(
            session, lead.id or 0, f"{key}:{lead.id}", message, now, kind=kind, facts=facts, partnership_id=pid
        )


def health(ctx: Context, args: str) -> Message:
    """`health [partnership]` (leads): give and take for each pair of schools, and key-person risk at their own
    school. A partnership's health is for its leads, never for everyone."""
    ctx.require_lead("see a partnership's health")
    actor, partnership = partnership_for(ctx, args)
    found = watch(ctx.session, partnership, ctx.now)
    if len(found.names) < 2:
        raise CommandError(f"{partnership.name} has only one school so far: give and take needs two.")
    sections = tuple(
        Section(
            text=balance_line(p, found.names) + (" (one-sided)" if p.lopsided else ""),
            fields=(Field("Weighted", f"{p.a_to_b.weight:g} : {p.b_to_a.weight:g}"),),
        )
        for p in found.pairs
    )
    risk = found.risk
    person = ctx.session.get(Member, risk.member_id) if risk else None
    ours = risk is not None and person is not None and person.school_id == actor.school_id
    shown = f"{_who(ctx.session, risk)} holds {risk.holds} of {risk.total}" if risk and ours else "none at your school"
    return Message(
        title=f"Health of {partnership.name}",
        fields=(Field("Stage", partnership.stage), Field("Key-person risk", shown)),
        sections=sections,
        footer="Only leads see this. Confirmed deliveries count in full; self-reported ones count 0.8.",
    )


def handover(ctx: Context, args: str) -> Message:
    """`handover <member> to <member>` (leads): move one colleague's open commitments to another, with notice to
    both and to the leads of the schools the work is for."""
    actor = ctx.require_lead("hand work over")
    giver_text, sep, taker_text = args.rpartition(" to ")
    if not sep or not giver_text.strip() or not taker_text.strip():
        raise CommandError("Say `handover <colleague> to <colleague>`, e.g. `handover Mary Somerville to me`.")
    giver, taker = (
        actor.member if name_key(t) == "me" else find_member(ctx.session, actor.school_id, t)
        for t in (giver_text, taker_text)
    )
    if giver.id == taker.id:
        raise CommandError("That's the same person, so there's nothing to hand over.")
    moving = list(
        ctx.session.exec(select(Commitment).where(Commitment.owner_id == giver.id, Commitment.status == "open")).all()
    )
    if not moving:
        raise CommandError(f"{giver.name} has no open promises to hand over.")
    for commitment in moving:
        commitment.owner_id = taker.id or 0
        ctx.session.add(commitment)
        commitments.after_change(ctx, commitment)  # their nudges now go to the new owner
    ctx.log("handover", "", giver_id=giver.id, taker_id=taker.id, count=len(moving))
    _tell_handover(ctx, actor.member, giver, taker, moving)
    return Message(
        title=f"Handed over {count(len(moving), 'open promise')} from {giver.name} to {taker.name}",
        footer="I've let them know, and the schools the work is for.",
    )


def _tell_handover(ctx: Context, by: Member, giver: Member, taker: Member, moving: list[Commitment]) -> None:
    """Tell the giver and the taker (but not the lead who did it), and each receiving school's leads who now holds
    the work for them."""
    how_many = count(len(moving), "open promise")
    key = f"handover:{giver.id}:{taker.id}:{ctx.now.isoformat()}"
    told = {
        giver.id: Message(
            title=f"{by.name} has handed your {how_many} to {taker.name}", text="Thank you for all you've done on them."
        ),
        taker.id: Message(
            title=f"{by.name} has handed you {how_many} from {giver.name}", text="Say `mine` to see them."
        ),
    }
    for member_id, message in told.items():
        if member_id != by.id:
            notices.tell(ctx.session, member_id or 0, f"{key}:{member_id}", message, ctx.now, kind=kinds.HANDOVER)
    for school_id in sorted({c.to_school_id for c in moving}):
        theirs = [c for c in moving if c.to_school_id == school_id]
        message = Message(
            title=f"{taker.name} now holds {count(len(theirs), 'promise')} to your school",
            text="\n".join(f"{c.what} ({ref(c)})" for c in theirs[:10]),
        )
        for lead in leads_of(ctx.session, [school_id]):
            notices.tell(ctx.session, lead.id or 0, f"{key}:{lead.id}", message, ctx.now, kind=kinds.HANDOVER)


def suggest_stage(session: Session, partnership_id: int, now: datetime) -> tuple[str, str]:
    """A stage on Himmelman's continuum from the activity seen up to `now`, and why."""
    held = session.exec(
        select(func.count())
        .select_from(JointSession)
        .where(
            JointSession.partnership_id == partnership_id,
            col(JointSession.starts_at) < now,
            JointSession.status != "cancelled",
        )
    ).one()
    return stage_from(give_and_take(session, partnership_id, until=now), int(held), session.get(Mou, partnership_id))


def stage_from(pairs: list[Pair], held: int, mou: Mou | None) -> tuple[str, str]:
    """The rule behind `suggest_stage`, on counts already gathered (the review applies it week by week)."""
    delivered = sum(p.delivered for p in pairs)
    both_ways = any(p.a_to_b.count and p.b_to_a.count for p in pairs)
    formal = mou is not None and bool(mou.purpose or mou.goals or mou.success_criteria)
    shares_risk = mou is not None and bool(mou.accountability and mou.expenditure)
    if shares_risk and both_ways and held >= 2:
        return "collaboration", (
            f"an MoU sharing accountability and expenditure, help flowing both ways and {held} joint sessions held"
        )
    if (formal or both_ways) and delivered + held >= 3:
        why = "a written agreement" if formal else "help flowing both ways"
        return "co-operation", f"{why}, with {delivered} deliveries and {held} joint sessions"
    if delivered or held:
        return "co-ordination", f"{delivered} deliveries and {held} joint sessions so far"
    return "networking", "no deliveries or joint sessions yet: exchanging information is the start"


def _stage_name(text: str) -> str | None:
    key = text.lower().replace("-", "").strip()
    return next((s for s in STAGES if s.replace("-", "") == key), None)


def stage(ctx: Context, args: str) -> Message:
    """`stage [partnership]` shows the recorded and suggested stage; `stage <partnership> <stage>` (leads) sets it."""
    name, _, last = args.strip().rpartition(" ")
    chosen = _stage_name(last)
    if chosen is None:
        _, partnership = partnership_for(ctx, args)
    else:
        actor, partnership = require_partnership_lead(ctx, name, "record a partnership's stage")
        partnership.stage = chosen
        ctx.session.add(partnership)
        ctx.log("stage", partnership.name, stage=chosen, partnership_id=partnership.id)
    suggested, why = suggest_stage(ctx.session, partnership.id or 0, ctx.now)
    title = (
        f"{partnership.name} is now recorded at {chosen}."
        if chosen
        else f"{partnership.name} is recorded at {partnership.stage}."
    )
    return Message(
        title=title,
        fields=(Field("Kept suggests", suggested), Field("Why", why)),
        footer="Stages: " + ", ".join(STAGES) + " (Himmelman's continuum).",
    )
