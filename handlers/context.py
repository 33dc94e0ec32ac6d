"""Who is asking, and everything a handler needs to answer them: the session, the caller, the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, true
from sqlalchemy import select as select_columns
from sqlmodel import Session, SQLModel, col, select

from handlers.calendar import zone_named
from handlers.errors import NotAllowed
from handlers.policy import DEFAULT_POLICY, ReminderPolicy
from storage import ledger, receipts
from storage.models import ChatTenant, Identity, Member, School
from storage.rows import Prepared


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
    """A caller who is a member of a school. Every command needs the ids, read in one plain query; the Member
    and School objects are loaded from the session only by the commands that use them (most don't)."""

    session: Session = field(repr=False, compare=False)
    member_id: int
    school_id: int
    network_id: int
    role: str
    member_timezone: str
    school_name: str

    @cached_property
    def member(self) -> Member:
        member = self.session.get(Member, self.member_id)
        assert member is not None
        return member

    @cached_property
    def school(self) -> School:
        school = self.session.get(School, self.school_id)
        assert school is not None
        return school

    @property
    def is_lead(self) -> bool:
        return self._now("role", self.role) == "lead"

    @property
    def timezone(self) -> str:
        return self._now("timezone", self.member_timezone)

    def _now(self, name: str, as_read: str) -> str:
        """The member's value: from the object once this command has loaded it (and may have changed it)."""
        loaded = self.__dict__.get("member")
        return str(getattr(loaded, name)) if loaded is not None else as_read


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

    def first_time(self, inbound_id: str) -> bool:
        """Record this request's id in the command's transaction; False if it was handled before (a platform's
        retry, or a replay). On PostgreSQL the caller is read in the same round trip."""
        if self.session.get_bind().dialect.name != "postgresql":
            return receipts.first_time(self.session, self.caller.platform, inbound_id, self.now)
        caller = self.caller
        row = _RECEIPT_AND_ACTOR.first(
            self.session,
            source=caller.platform,
            inbound_id=inbound_id[: receipts.MAX_ID],
            at=self.now,
            platform=caller.platform,
            tenant_id=caller.tenant_id,
            user_id=caller.user_id,
        )
        if row is None:
            return False
        self._actor = Actor(self.session, *row[1:]) if row[1] is not None else None
        self._resolved = True
        return True

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
        name = self.caller.timezone or (self.actor.timezone if self.actor else None)
        return zone_named(name, self.default_timezone)

    def member_id(self) -> int | None:
        return self.actor.member_id if self.actor else None

    def add_and_log(
        self, model: type[SQLModel], prefix: str, action: str, values: dict[str, Any], **detail: Any
    ) -> int:
        """Add one row of `model` and this command's entry about it (its subject the new row's ref, `prefix` and
        its id), in the command's transaction; the new id. One round trip on PostgreSQL."""
        return ledger.record_new_row(
            self.session, model, values, prefix=prefix, action=action, **self._entry(), **detail
        )

    def log(
        self,
        action: str,
        subject: str = "",
        *,
        network_id: int | None = None,
        member_id: int | None = None,
        **detail: Any,
    ) -> None:
        """Add this command's entry to the shared log, in the command's transaction."""
        ledger.record(self.session, action=action, subject=subject, **self._entry(network_id, member_id), **detail)

    def _entry(self, network_id: int | None = None, member_id: int | None = None) -> dict[str, Any]:
        """Who and when, for this command's log entries: the caller's network and membership unless given."""
        return {
            "at": self.now,
            "platform": self.caller.platform,
            "network_id": network_id or self.network_id,
            "member_id": member_id or self.member_id(),
        }


_ACTOR_COLUMNS = (
    select_columns(
        col(Member.id),
        col(Member.school_id),
        col(School.network_id),
        col(Member.role),
        col(Member.timezone),
        col(School.name),
    )
    .join(Identity, col(Identity.member_id) == Member.id)
    .join(School, col(School.id) == Member.school_id)
    .where(
        col(Identity.platform) == bindparam("platform"),
        col(Identity.tenant_id) == bindparam("tenant_id"),
        col(Identity.user_id) == bindparam("user_id"),
        col(Member.erased) == False,  # noqa: E712
    )
)
# Compiled once: every command asks this, and SQLAlchemy's machinery costs more than running it.
_ACTOR_OF_IDENTITY = Prepared(_ACTOR_COLUMNS)
# PostgreSQL takes a write and a read in one statement: a request's receipt and its caller in one round trip (no
# row when the request was handled before; the caller's columns empty when they have not joined).
_receipt = receipts.recording("postgresql").cte("receipt")
_found = _ACTOR_COLUMNS.subquery("actor")
_RECEIPT_AND_ACTOR = Prepared(
    select_columns(_receipt.c.id, *_found.c).select_from(_receipt.outerjoin(_found, true())), only="postgresql"
)


def resolve_actor(session: Session, caller: Caller) -> Actor | None:
    """The member behind a chat identity, with their school; None for someone who has not joined. A plain row
    on the session's connection: the ORM would build two objects that most commands never look at."""
    row = _ACTOR_OF_IDENTITY.first(
        session, platform=caller.platform, tenant_id=caller.tenant_id, user_id=caller.user_id
    )
    return Actor(session, *row) if row else None
