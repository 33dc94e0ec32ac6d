"""Which joint session a command is about, and whether the caller's school takes part in it or organises it."""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.context import Actor, Context
from handlers.errors import NotAllowed, NotFound
from handlers.refs import parse_ref, ref_of
from storage.models import JointSession, Member, SessionSchool


def taking_part(ctx: Context, head: str) -> tuple[Actor, JointSession, list[int]]:
    """The session named by `head`, if the caller's school takes part; with its schools."""
    actor = ctx.require_member()
    number = parse_ref(head, "S")
    joint = ctx.session.get(JointSession, number)
    schools = school_ids_of(ctx.session, number)
    if joint is None or joint.network_id != actor.network_id or actor.school_id not in schools:
        raise NotFound(f"I can't find a joint session {ref_of('S', number)} that your school is part of.")
    return actor, joint, schools


def school_ids_of(session: Session, joint_id: int) -> list[int]:
    return sorted(session.exec(select(SessionSchool.school_id).where(SessionSchool.session_id == joint_id)))


def organised(ctx: Context, head: str, doing: str) -> JointSession:
    """A planned session the caller organises, or whose organiser's school the caller leads."""
    actor = ctx.require_member()
    number = parse_ref(head, "S")
    joint = ctx.session.get(JointSession, number)
    if joint is None or joint.network_id != actor.network_id or joint.status != "planned":
        raise NotFound(
            f"I can't find a planned joint session {ref_of('S', number)}. Say `sessions` to see what's coming."
        )
    organiser = ctx.session.get(Member, joint.organiser_id)
    leads_it = actor.is_lead and organiser is not None and organiser.school_id == actor.school_id
    if joint.organiser_id != actor.member_id and not leads_it:
        raise NotAllowed(f"Only the organiser of {ref_of('S', number)}, or their school's lead, can {doing} it.")
    return joint
