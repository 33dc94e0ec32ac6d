"""Who is asking, and everything a handler needs to answer them: the session, the caller, the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from handlers.calendar import zone_named
from handlers.errors import NotAllowed
from handlers.policy import DEFAULT_POLICY, ReminderPolicy
from storage import ledger
from storage.models import ChatTenant, Identity, Member, School


@dataclass(frozen=True)
class Caller:
    """A person on a platform, as the adapter saw them. Nothing here is trusted beyond who sent it."""

    platform: str
    tenant_id: str
    user_id: str
    display_name: str = ""
    timezone: str | None = None
    channel_id: str = ""


@dataclass(frozen=True)
class Actor:
    """A caller who is a member of a school."""

    member: Member
    school: School

    @property
    def is_lead(self) -> bool:
        return self.member.role == "lead"

    @property
    def member_id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    @property
    def school_id(self) -> int:
        assert self.school.id is not None
        return self.school.id

    @property
    def network_id(self) -> int:
        return self.school.network_id


@dataclass
class Context:
    """One command's world: its transaction, its caller, its moment, and the caller's membership if any."""

    session: Session
    caller: Caller
    now: datetime
    default_timezone: str = "Europe/London"
    reminder_policy: ReminderPolicy = DEFAULT_POLICY
    review_days: int = 14  # how long a review link opens (KEPT_REVIEW_LINK_DAYS)
    public_url: str = ""  # KEPT_PUBLIC_URL: what makes calendar UIDs unique to this Kept
    _actor: Actor | None = field(default=None, init=False)
    _resolved: bool = field(default=False, init=False)

    @property
    def actor(self) -> Actor | None:
        if not self._resolved:
            self._actor = resolve_actor(self.session, self.caller)
            self._resolved = True
        return self._actor

    def require_member(self) -> Actor:
        actor = self.actor
        if actor is None:
            raise NotAllowed("You're not part of a school on Kept yet. Say `join <your school's name>` to start.")
        return actor

    def require_lead(self, doing: str) -> Actor:
        actor = self.require_member()
        if not actor.is_lead:
            raise NotAllowed(f"Only a school's partnership lead can {doing}. Your lead can do it for you.")
        return actor

    @property
    def network_id(self) -> int | None:
        """The caller's network: through their school, or else through their workspace or tenant."""
        if self.actor is not None:
            return self.actor.network_id
        tenant = self.session.exec(
            select(ChatTenant).where(
                ChatTenant.platform == self.caller.platform, ChatTenant.tenant_id == self.caller.tenant_id
            )
        ).first()
        return tenant.network_id if tenant else None

    @property
    def timezone(self) -> ZoneInfo:
        """The reader's zone: their platform profile, else their member record, else Kept's default."""
        name = self.caller.timezone or (self.actor.member.timezone if self.actor else None)
        return zone_named(name, self.default_timezone)

    def member_id(self) -> int | None:
        return self.actor.member_id if self.actor else None

    def log(
        self,
        action: str,
        subject: str = "",
        *,
        network_id: int | None = None,
        member_id: int | None = None,
        **detail: Any,
    ) -> None:
        """Add this command's entry to the shared log, in its own transaction."""
        ledger.record(
            self.session,
            at=self.now,
            action=action,
            platform=self.caller.platform,
            network_id=network_id or self.network_id,
            member_id=member_id or self.member_id(),
            subject=subject,
            **detail,
        )


# Built once: every command asks this, and building the statement costs more than running it.
_ACTOR_OF_IDENTITY = (
    select(Member, School)
    .join(Identity, col(Identity.member_id) == Member.id)
    .join(School, col(School.id) == Member.school_id)
    .where(
        col(Identity.platform) == bindparam("platform"),
        col(Identity.tenant_id) == bindparam("tenant_id"),
        col(Identity.user_id) == bindparam("user_id"),
        col(Member.erased) == False,  # noqa: E712
    )
)


def resolve_actor(session: Session, caller: Caller) -> Actor | None:
    """The member behind a chat identity, with their school; None for someone who has not joined."""
    params = {"platform": caller.platform, "tenant_id": caller.tenant_id, "user_id": caller.user_id}
    row = session.exec(_ACTOR_OF_IDENTITY, params=params).first()
    return Actor(member=row[0], school=row[1]) if row else None
