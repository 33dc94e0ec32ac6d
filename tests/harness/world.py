"""A small network for the partnership-insight tests: St Ada's School (Slack), Hopper Academy (Teams) and
Lovelace Primary (Slack), their leads and staff, built straight through the storage models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from handlers.clock import MovableClock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.lookups import name_key
from handlers.messages import Message
from handlers.outbound.kinds import DIGEST, ESCALATION, IMPACT_ASK, KINDS, NUDGE, OVERDUE, SESSION_REMINDER
from storage.db import Database
from storage.models import (
    ChatTenant,
    Commitment,
    Identity,
    Listing,
    Member,
    Network,
    Notification,
    Partnership,
    PartnershipSchool,
    School,
)

PEOPLE = {
    # key: (school, name, role, platform, tenant)
    "ada": ("St Ada's School", "Ada Byron", "lead", "slack", "T-ADA"),
    "mary": ("St Ada's School", "Mary Somerville", "staff", "slack", "T-ADA"),
    "grace": ("Hopper Academy", "Grace Hopper", "lead", "teams", "tenant-hopper"),
    "alan": ("Hopper Academy", "Alan Turing", "staff", "teams", "tenant-hopper"),
    "charles": ("Lovelace Primary", "Charles Babbage", "lead", "slack", "T-LOVE"),
    "annie": ("Lovelace Primary", "Annie Easley", "staff", "slack", "T-LOVE"),
}


@dataclass
class World:
    db: Database
    clock: MovableClock
    kept: Kept
    network_id: int = 0
    schools: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    callers: dict[str, Caller] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def say(self, who: str, text: str) -> Message:
        return self.kept.handle(self.callers[who], text)

    def school(self, name: str) -> int:
        return self.schools[name]

    def partnership(self, name: str, *schools: str) -> int:
        with self.db.transaction() as session:
            row = Partnership(network_id=self.network_id, name=name, name_key=name_key(name), created_at=self.now)
            session.add(row)
            session.flush()
            for school in schools:
                session.add(PartnershipSchool(partnership_id=row.id or 0, school_id=self.schools[school]))
            return row.id or 0

    def listing(
        self,
        who: str,
        kind: str,
        text: str,
        category: str,
        *,
        expires_on: date | None = None,
        age_days: int = 0,
        given: bool = True,
    ) -> int:
        with self.db.transaction() as session:
            row = Listing(
                kind=kind,
                network_id=self.network_id,
                school_id=self._school_of(who),
                member_id=self.members[who],
                text=text,
                category=category,
                category_given=given,
                expires_on=expires_on,
                created_at=self.now - timedelta(days=age_days),
            )
            session.add(row)
            session.flush()
            return row.id or 0

    def commitment(
        self,
        who: str,
        to: str,
        what: str,
        *,
        status: str = "open",
        size: int = 1,
        due_in_days: float = 7,
        done_days_ago: float | None = None,
        category: str = "other",
        confirmed: bool = False,
        thanks: str = "",
    ) -> int:
        due = self.now + timedelta(days=due_in_days)
        done_at = self.now - timedelta(days=done_days_ago) if done_days_ago is not None else None
        with self.db.transaction() as session:
            row = Commitment(
                network_id=self.network_id,
                from_school_id=self._school_of(who),
                to_school_id=self.schools[to],
                owner_id=self.members[who],
                what=what,
                category=category,
                size=size,
                due_at=due,
                status=status,
                done_at=done_at,
                confirmed_at=done_at if confirmed else None,
                thanks=thanks,
                created_by=self.members[who],
                created_at=self.now - timedelta(days=30),
            )
            session.add(row)
            session.flush()
            return row.id or 0

    def _school_of(self, who: str) -> int:
        return self.schools[PEOPLE[who][0]]


def build_world(db: Database, clock: MovableClock) -> World:
    world = World(db=db, clock=clock, kept=Kept(db, clock))
    with db.transaction() as session:
        network = Network(name="Thames Valley ISSP", created_at=clock.now())
        session.add(network)
        session.flush()
        world.network_id = network.id or 0
        for platform, tenant in {(p[3], p[4]) for p in PEOPLE.values()}:
            session.add(
                ChatTenant(platform=platform, tenant_id=tenant, network_id=world.network_id, created_at=clock.now())
            )
        for school_name in dict.fromkeys(p[0] for p in PEOPLE.values()):
            school = School(
                network_id=world.network_id, name=school_name, name_key=name_key(school_name), created_at=clock.now()
            )
            session.add(school)
            session.flush()
            world.schools[school_name] = school.id or 0
        for key, (school_name, name, role, platform, tenant) in PEOPLE.items():
            member = Member(school_id=world.schools[school_name], name=name, role=role, created_at=clock.now())
            session.add(member)
            session.flush()
            world.members[key] = member.id or 0
            user_id = f"U-{key.upper()}"
            session.add(
                Identity(
                    platform=platform,
                    tenant_id=tenant,
                    user_id=user_id,
                    member_id=member.id or 0,
                    display_name=name,
                    created_at=clock.now(),
                )
            )
            world.callers[key] = Caller(
                platform=platform, tenant_id=tenant, user_id=user_id, display_name=name, channel_id="C-PARTNERS"
            )
    return world


NOTICE_KINDS = tuple(k for k in KINDS if k not in (NUDGE, OVERDUE, ESCALATION, SESSION_REMINDER, IMPACT_ASK, DIGEST))


def notices_in(db: Database, *kinds: str) -> list[Notification]:
    """The one-off notices planned so far (of these kinds, if given), oldest first."""
    wanted = kinds or NOTICE_KINDS
    with db.transaction() as session:
        query = select(Notification).where(col(Notification.kind).in_(wanted)).order_by(col(Notification.id))
        return list(session.exec(query).all())


def buttons(notice: Notification) -> list[str]:
    """The commands a notice's buttons run."""
    return [action["command"] for action in notice.payload.get("actions", [])]
