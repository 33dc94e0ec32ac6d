"""Finding schools, members, partnerships and leads: by the names people type (with a kind did-you-mean), or by id."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from sqlmodel import Session, col, select

from handlers.errors import CommandError, NotFound
from storage.models import Member, Partnership, PartnershipSchool, School

MAX_NAME = 120


def clean_name(text: str, what: str = "name") -> str:
    """A tidy display name: printable, single-spaced, not empty, not too long."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())
    if len(text) < 2:
        raise CommandError(f"Please give a {what}, for example `St Ada's School`.")
    if len(text) > MAX_NAME:
        raise CommandError(f"That {what} is a little long: please keep it under {MAX_NAME} characters.")
    return text


def name_key(text: str) -> str:
    """How names compare: case, accents, apostrophes and full stops don't matter."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    text = re.sub(r"['’.]", "", text.lower())
    return " ".join(re.sub(r"[^\w&+-]+", " ", text).split())


def find_school(session: Session, network_id: int, name: str) -> School:
    key = name_key(name)
    school = session.exec(select(School).where(School.network_id == network_id, School.name_key == key)).first()
    if school:
        return school
    names = session.exec(select(School.name).where(School.network_id == network_id)).all()
    raise NotFound(_not_found("school", name, list(names)))


def find_partnership(session: Session, network_id: int, name: str) -> Partnership:
    key = name_key(name)
    found = session.exec(
        select(Partnership).where(Partnership.network_id == network_id, Partnership.name_key == key)
    ).first()
    if found:
        return found
    names = session.exec(select(Partnership.name).where(Partnership.network_id == network_id)).all()
    raise NotFound(_not_found("partnership", name, list(names)))


def find_member(session: Session, school_id: int, name: str) -> Member:
    """A member of one school by name (erased members are never found)."""
    members = session.exec(
        select(Member).where(Member.school_id == school_id, Member.erased == False)  # noqa: E712
    ).all()
    key = name_key(name)
    for member in members:
        if name_key(member.name) == key:
            return member
    raise NotFound(_not_found("colleague", name, [m.name for m in members]))


def partnerships_of(session: Session, school_id: int) -> list[Partnership]:
    return list(
        session.exec(
            select(Partnership)
            .join(PartnershipSchool, col(PartnershipSchool.partnership_id) == Partnership.id)
            .where(PartnershipSchool.school_id == school_id)
            .order_by(col(Partnership.name))
        ).all()
    )


def _not_found(noun: str, typed: str, known: list[str]) -> str:
    shown = typed.strip()[:60]
    close = difflib.get_close_matches(typed, known, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]}?" if close else ""
    return f"I can't find a {noun} called `{shown}` in your network.{hint}"


def school_ids(session: Session, partnership_id: int) -> list[int]:
    rows = session.exec(
        select(PartnershipSchool.school_id).where(PartnershipSchool.partnership_id == partnership_id)
    ).all()
    return sorted(rows)


def school_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.exec(select(School.id, School.name).where(col(School.id).in_(wanted))).all()
    return {school_id or 0: name for school_id, name in rows}


def leads_of(session: Session, ids: Iterable[int]) -> list[Member]:
    """The partnership leads of these schools (erased members excluded), in a stable order."""
    wanted = list(ids)
    if not wanted:
        return []
    return list(
        session.exec(
            select(Member)
            .where(col(Member.school_id).in_(wanted), Member.role == "lead", Member.erased == False)  # noqa: E712
            .order_by(col(Member.id))
        ).all()
    )


def school_leads(session: Session, member: Member) -> list[Member]:
    """The leads of a member's school, other than the member."""
    return list(
        session.exec(
            select(Member)
            .where(
                Member.school_id == member.school_id,
                Member.role == "lead",
                col(Member.erased).is_(False),
                col(Member.id) != member.id,
            )
            .order_by(col(Member.id))
        ).all()
    )
