"""Notification rows: enqueue (one row per dedupe key), cancel, claim with a lease, and record the outcome.

Planning writes rows inside the caller's transaction; the delivery loop claims due rows in a short
transaction of its own (PostgreSQL `FOR UPDATE SKIP LOCKED` on the notification table alone; SQLite
serialises writers, so a conditional UPDATE is enough), sends outside any transaction, then records the
outcome conditionally on still holding the claim. A claim whose process died is taken over after its lease.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.db import Database, rows_changed
from storage.models import Identity, Notification, PartnershipChannel
from storage.rows import Prepared

PENDING, CLAIMED, SENT, FAILED, UNDELIVERABLE, CANCELLED, DROPPED = (
    "pending",
    "claimed",
    "sent",
    "failed",
    "undeliverable",
    "cancelled",
    "dropped",
)
REVIVABLE = (PENDING, CANCELLED)  # a key in one of these states may be moved (or planned again)


@dataclass(frozen=True)
class Retry:
    """How failed deliveries are retried: exponential backoff with jitter, at most `max_attempts` tries."""

    base_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 6

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> timedelta:
        """The wait before the next try: jittered backoff, never sooner than the platform asked."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        seconds = rng.uniform(ceiling / 2, ceiling)
        return timedelta(seconds=max(seconds, retry_after or 0.0))


def enqueue(
    session: Session,
    *,
    kind: str,
    key: str,
    due_at: datetime,
    now: datetime,
    member_id: int | None = None,
    partnership_id: int | None = None,
    subject_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Plan one notification. The same key twice is one row: a pending (or cancelled) row moves to `due_at`;
    a row already claimed, sent or failed is left alone, so nothing is sent twice."""
    values = dict(
        kind=kind,
        dedupe_key=key[:200],
        member_id=member_id,
        partnership_id=partnership_id,
        subject_id=subject_id,
        due_at=due_at,
        status=PENDING,
        payload=payload or {},
        created_at=now,
        attempts=0,
        last_error="",
    )
    table = Notification.__table__  # type: ignore[attr-defined]
    dialect = postgresql if _dialect(session) == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    moved = {
        name: statement.excluded[name]
        for name in ("due_at", "status", "payload", "member_id", "partnership_id", "attempts", "last_error")
    }
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["dedupe_key"],
            set_=moved,
            where=table.c.status.in_(REVIVABLE),
        )
    )


def _dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def cancel(session: Session, prefix: str) -> int:
    """Cancel every pending notification whose key starts with `prefix` (`nudge:C12:`). Returns how many."""
    result = session.execute(
        update(Notification)
        .where(
            col(Notification.dedupe_key).startswith(prefix, autoescape=True),
            col(Notification.status) == PENDING,
        )
        .values(status=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def pending_keys(session: Session, prefix: str) -> list[str]:
    """Keys of the pending notifications under `prefix`."""
    query = select(Notification.dedupe_key).where(
        col(Notification.dedupe_key).startswith(prefix, autoescape=True), col(Notification.status) == PENDING
    )
    return list(session.exec(query).all())


def cancel_keys(session: Session, keys: Sequence[str]) -> None:
    """Cancel the pending notifications with these exact keys."""
    if keys:
        session.execute(
            update(Notification)
            .where(col(Notification.dedupe_key).in_(keys), col(Notification.status) == PENDING)
            .values(status=CANCELLED)
            .execution_options(synchronize_session=False)
        )


def claim_due(db: Database, worker: str, now: datetime, lease: timedelta, limit: int = 50) -> list[Notification]:
    """Claim up to `limit` due rows for `worker`, each leased until `now + lease`, in one short transaction.

    Due means pending and due, or claimed by someone whose lease has run out (their process died). Each claim
    counts as an attempt. The locking SELECT touches the notification table alone (no joins), so
    `SKIP LOCKED` cannot hand one row to two workers.
    """
    due = or_(
        and_(col(Notification.status) == PENDING, col(Notification.due_at) <= now),
        and_(col(Notification.status) == CLAIMED, col(Notification.lease_until) < now),
    )
    chosen = select(Notification.id).where(due).order_by(col(Notification.due_at)).limit(limit)
    if db.is_postgres:
        chosen = chosen.with_for_update(skip_locked=True)
    statement = (
        update(Notification)
        .where(col(Notification.id).in_(chosen.scalar_subquery()))
        .values(status=CLAIMED, claimed_by=worker, lease_until=now + lease, attempts=Notification.attempts + 1)
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    with db.transaction() as session:
        rows = list(session.scalars(statement).all())
    return sorted(rows, key=lambda row: (row.due_at, row.id or 0))


@dataclass(frozen=True)
class Settle:
    """A claimed row's outcome, to record with `record`: the columns to set, if `worker` still holds the claim."""

    row_id: int
    worker: str
    values: dict[str, Any]


# The outcome of every send, so compiled once (storage/rows.py): SQLAlchemy's ORM update took 7 ms of a send's
# place under load, and a place is held until its outcome is on record.
_SETTLE = Prepared(
    update(Notification.__table__)  # type: ignore[attr-defined]
    .where(
        col(Notification.id) == bindparam("row_id"),
        col(Notification.status) == CLAIMED,
        col(Notification.claimed_by) == bindparam("worker"),
    )
    .returning(col(Notification.id))
)


def record(db: Database, *outcomes: Settle) -> list[bool]:
    """Record outcomes in one transaction, each only if its worker still holds the claim: for each, False if the
    claim was lost. The delivery loop records the sends that finish together at once (scheduler/delivery.py);
    outcomes setting the same columns go in one round trip on PostgreSQL."""
    alike: dict[tuple[str, ...], list[int]] = {}
    for n, outcome in enumerate(outcomes):
        alike.setdefault(tuple(sorted(outcome.values)), []).append(n)
    found = [False] * len(outcomes)
    with db.engine.begin() as connection:
        for positions in alike.values():
            rows = [_settling(outcomes[n]) for n in positions]
            for n, kept in zip(positions, _SETTLE.found_each(connection, rows), strict=True):
                found[n] = kept
    return found


def _settling(outcome: Settle) -> dict[str, Any]:
    return {"row_id": outcome.row_id, "worker": outcome.worker, "lease_until": None, **outcome.values}


def sent(row: Notification, worker: str, now: datetime, delivery_ref: str) -> Settle:
    """Sent, with the platform's id for what was posted."""
    return Settle(row.id or 0, worker, {"status": SENT, "sent_at": now, "delivery_ref": delivery_ref[:200]})


def failed(
    row: Notification,
    worker: str,
    now: datetime,
    reason: str,
    *,
    retry_after: float | None = None,
    retry: Retry = Retry(),
    rng: random.Random | None = None,
) -> Settle:
    """A delivery that may work later: back to pending after a backoff, or `failed` once attempts run out."""
    if row.attempts >= retry.max_attempts:
        return Settle(row.id or 0, worker, {"status": FAILED, "last_error": reason[:1000]})
    wait = retry.delay(row.attempts, retry_after, rng or random.Random())
    return Settle(row.id or 0, worker, {"status": PENDING, "due_at": now + wait, "last_error": reason[:1000]})


def undeliverable(row: Notification, worker: str, reason: str) -> Settle:
    """The recipient cannot be reached at all (left, deactivated, bot removed): never retried."""
    return Settle(row.id or 0, worker, {"status": UNDELIVERABLE, "last_error": reason[:1000]})


def dropped(row: Notification, worker: str, reason: str) -> Settle:
    """No longer true (the delivery was confirmed, the session moved), with the reason."""
    return Settle(row.id or 0, worker, {"status": DROPPED, "last_error": reason[:1000]})


def postponed(row: Notification, worker: str, until: datetime, payload: dict[str, Any] | None = None) -> Settle:
    """Moved to a later moment without counting the try (outside working hours, someone away)."""
    extra: dict[str, Any] = {} if payload is None else {"payload": payload}
    return Settle(
        row.id or 0, worker, {"status": PENDING, "due_at": until, "attempts": max(row.attempts - 1, 0), **extra}
    )


def stuck(session: Session, statuses: Sequence[str] = (FAILED, UNDELIVERABLE), limit: int = 200) -> list[Notification]:
    """Notifications that will not be sent as things stand, newest first (`kept notifications --failed`)."""
    query = (
        select(Notification)
        .where(col(Notification.status).in_(statuses))
        .order_by(col(Notification.due_at).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def upcoming(session: Session, limit: int = 200) -> list[Notification]:
    """Pending and claimed notifications, soonest first (`kept notifications`)."""
    query = (
        select(Notification)
        .where(col(Notification.status).in_((PENDING, CLAIMED)))
        .order_by(col(Notification.due_at))
        .limit(limit)
    )
    return list(session.exec(query).all())


@dataclass(frozen=True)
class Waiting:
    """Rows of one kind in one state, and when the oldest of them fell (or falls) due."""

    kind: str
    status: str
    rows: int
    oldest_due: datetime


def waiting(session: Session) -> list[Waiting]:
    """Pending and claimed rows by kind and state, in one grouped query over the status index (`/metrics`)."""
    query = (
        select(Notification.kind, Notification.status, func.count(), func.min(Notification.due_at))
        .where(col(Notification.status).in_((PENDING, CLAIMED)))
        .group_by(col(Notification.kind), col(Notification.status))
    )
    return [Waiting(kind, status, rows, _aware(oldest)) for kind, status, rows, oldest in session.exec(query).all()]


@dataclass(frozen=True)
class Settled:
    """Rows that reached one state since a moment, for one platform their recipients use, and how many of
    them took more than one try."""

    status: str
    platform: str
    rows: int
    retried: int


def settled_since(session: Session, since: datetime) -> list[Settled]:
    """Sent, failed, undeliverable and dropped rows since `since` by the platforms their recipients are on (a
    member on two platforms counts on each). A row's last try is its `due_at` (sent: `sent_at`)."""
    status, platform = (
        col(Notification.status),
        func.coalesce(col(Identity.platform), col(PartnershipChannel.platform), ""),
    )
    recent = or_(
        and_(status == SENT, col(Notification.sent_at) >= since),
        and_(status.in_((FAILED, UNDELIVERABLE, DROPPED)), col(Notification.due_at) >= since),
    )
    query = (
        sa_select(
            status,
            platform,
            func.count(func.distinct(col(Notification.id))),
            func.count(func.distinct(case((col(Notification.attempts) > 1, col(Notification.id))))),
        )
        .outerjoin(Identity, col(Identity.member_id) == col(Notification.member_id))
        .outerjoin(PartnershipChannel, col(PartnershipChannel.partnership_id) == col(Notification.partnership_id))
        .where(recent)
        .group_by(status, platform)
    )
    return [Settled(status, platform, rows, retried) for status, platform, rows, retried in session.execute(query)]


def retrying(session: Session) -> int:
    """Pending rows that have been tried and failed, waiting to try again."""
    query = select(func.count()).where(col(Notification.status) == PENDING, col(Notification.attempts) > 0)
    return int(session.exec(query).one())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
