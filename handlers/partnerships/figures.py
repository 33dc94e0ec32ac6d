"""What a partnership did: one definition of delivered work (the weekly digest's) and of a term's figures, which
the review page, its PDF, and the termly report's Markdown and CSV all draw from.

A term's figures are read in a handful of queries, whatever the size of the network: the term's delivered and
released commitments, the promises made, the joint sessions, the give and take before the term, the MoU and the
recorded stage's history. Week-by-week series and the depth over time are worked out from those rows in Python.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from handlers.lookups import school_ids, school_names
from handlers.partnerships.health import Flow, Pair, flows, pairs_among, stage_from
from handlers.terms import Term
from storage.models import Commitment, JointSession, LogEntry, Mou, Partnership

LONDON = ZoneInfo("Europe/London")
WEEK = timedelta(days=7)


def between(ids: Collection[int]) -> tuple[ColumnElement[bool], ...]:
    """Conditions for commitments from one of `ids` to another: the work inside a partnership."""
    return col(Commitment.from_school_id).in_(ids), col(Commitment.to_school_id).in_(ids)


def settled_within(
    ids: Collection[int], since: datetime, until: datetime, status: str = "done"
) -> tuple[ColumnElement[bool], ...]:
    """Conditions for commitments between `ids` that reached `status` (done or released) from `since` to `until`."""
    return (
        *between(ids),
        col(Commitment.status) == status,
        col(Commitment.done_at) >= since,
        col(Commitment.done_at) < until,
    )


def delivered_within(ids: Collection[int], since: datetime, until: datetime) -> tuple[ColumnElement[bool], ...]:
    """Conditions for commitments delivered between two of `ids` (either way) from `since` until `until`."""
    return settled_within(ids, since, until, "done")


@dataclass(frozen=True)
class Week:
    """One week of a term (Monday to Sunday): promises made, and promises kept."""

    starts: date
    made: int
    kept: int


@dataclass(frozen=True)
class Depth:
    """The partnership's stage at the end of a week: as its leads recorded it, and as Kept would suggest it."""

    day: date
    recorded: str
    suggested: str


@dataclass(frozen=True)
class TermFigures:
    """Everything shown about one partnership's term, as of `as_of` (now, or the term's end once it is over)."""

    partnership: Partnership
    term: Term
    as_of: datetime
    names: dict[int, str]
    delivered: list[Commitment]
    released: list[Commitment]
    sessions: list[JointSession]
    pairs: list[Pair]
    stage: tuple[str, str]
    mou: Mou | None
    weeks: list[Week]
    depth: list[Depth]

    @property
    def held(self) -> list[JointSession]:
        return [s for s in self.sessions if s.starts_at < self.as_of]

    @property
    def coming(self) -> list[JointSession]:
        return [s for s in self.sessions if s.starts_at >= self.as_of]

    @property
    def pupils(self) -> int:
        return sum(s.pupils_reached or 0 for s in self.sessions)

    @property
    def staff(self) -> int:
        return sum(s.staff_involved or 0 for s in self.sessions)

    @property
    def confirmed(self) -> int:
        return sum(1 for c in self.delivered if c.confirmed_at is not None)

    @property
    def thanked(self) -> list[Commitment]:
        return [c for c in self.delivered if c.thanks]

    @property
    def made(self) -> int:
        return sum(w.made for w in self.weeks)

    @property
    def quiet(self) -> bool:
        """Nothing to show yet: no promise made or kept, no session, nothing released."""
        return not (self.made or self.delivered or self.sessions or self.released)


def bounds(term: Term) -> tuple[datetime, datetime]:
    """The term's report range as moments: midnight London at its first day, to midnight after its last."""
    return (
        datetime.combine(term.starts, time(0), LONDON),
        datetime.combine(term.ends + timedelta(days=1), time(0), LONDON),
    )


def term_figures(session: Session, partnership: Partnership, term: Term, now: datetime) -> TermFigures:
    """The term's figures for `partnership`, as of `now` (or the end of the term, if that came first)."""
    pid = partnership.id or 0
    ids = school_ids(session, pid)
    since, until = bounds(term)
    as_of = max(since, min(now, until))
    delivered = _settled(session, ids, since, as_of, "done")
    sessions = list(
        session.exec(
            select(JointSession)
            .where(
                JointSession.partnership_id == pid,
                col(JointSession.starts_at) >= since,
                col(JointSession.starts_at) < until,
                JointSession.status != "cancelled",
            )
            .order_by(col(JointSession.starts_at))
        ).all()
    )
    mou = session.get(Mou, pid)
    weeks = _weeks(session, ids, term, as_of, delivered)
    before = _Before.read(session, pid, ids, since)
    depth = _depth(session, partnership, ids, weeks, as_of, before, delivered, sessions, mou)
    return TermFigures(
        partnership=partnership,
        term=term,
        as_of=as_of,
        names=school_names(session, ids),
        delivered=delivered,
        released=_settled(session, ids, since, as_of, "released"),
        sessions=sessions,
        pairs=pairs_among(session, ids, since, as_of),
        stage=before.stage_at(as_of, ids, delivered, sessions, mou),
        mou=mou,
        weeks=weeks,
        depth=depth,
    )


def _settled(session: Session, ids: list[int], since: datetime, until: datetime, status: str) -> list[Commitment]:
    return list(
        session.exec(
            select(Commitment).where(*settled_within(ids, since, until, status)).order_by(col(Commitment.done_at))
        ).all()
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_starts(term: Term, as_of: datetime) -> list[date]:
    """Mondays of the term's weeks up to `as_of` (the first may start before the term's first day)."""
    last = min(term.ends, (as_of - timedelta(microseconds=1)).astimezone(LONDON).date())
    first = _monday(term.starts)
    return [first + WEEK * n for n in range((last - first).days // 7 + 1)] if last >= term.starts else []


def _weeks(session: Session, ids: list[int], term: Term, as_of: datetime, delivered: list[Commitment]) -> list[Week]:
    starts = _week_starts(term, as_of)
    if not starts:
        return []
    since, _ = bounds(term)
    made_at = session.exec(
        select(Commitment.created_at).where(
            *between(ids), col(Commitment.created_at) >= since, col(Commitment.created_at) < as_of
        )
    ).all()
    made = _per_week(list(made_at), starts)
    kept = _per_week([c.done_at for c in delivered if c.done_at is not None], starts)
    return [Week(s, made.get(s, 0), kept.get(s, 0)) for s in starts]


def _per_week(moments: list[datetime], starts: list[date]) -> dict[date, int]:
    counts: dict[date, int] = {}
    for moment in moments:
        week = max(_monday(moment.astimezone(LONDON).date()), starts[0])
        counts[week] = counts.get(week, 0) + 1
    return counts


@dataclass(frozen=True)
class _Before:
    """What the partnership had done before the term began: the base its depth over time grows from."""

    counts: dict[tuple[int, int], int]
    held: int

    @classmethod
    def read(cls, session: Session, pid: int, ids: list[int], since: datetime) -> _Before:
        held = session.exec(
            select(func.count())
            .select_from(JointSession)
            .where(
                JointSession.partnership_id == pid,
                col(JointSession.starts_at) < since,
                JointSession.status != "cancelled",
            )
        ).one()
        return cls({key: flow.count for key, flow in flows(session, ids, until=since).items()}, int(held))

    def stage_at(
        self, end: datetime, ids: list[int], delivered: list[Commitment], sessions: list[JointSession], mou: Mou | None
    ) -> tuple[str, str]:
        """Kept's suggested stage from everything done before `end` (the rule `stage` uses)."""
        counts = dict(self.counts)
        for c in delivered:
            if c.done_at is not None and c.done_at < end:
                counts[(c.from_school_id, c.to_school_id)] = counts.get((c.from_school_id, c.to_school_id), 0) + 1
        pairs = [
            Pair(a, b, Flow(counts.get((a, b), 0)), Flow(counts.get((b, a), 0)))
            for i, a in enumerate(ids)
            for b in ids[i + 1 :]
        ]
        return stage_from(pairs, self.held + sum(1 for s in sessions if s.starts_at < end), mou)


def _depth(
    session: Session,
    partnership: Partnership,
    ids: list[int],
    weeks: list[Week],
    as_of: datetime,
    before: _Before,
    delivered: list[Commitment],
    sessions: list[JointSession],
    mou: Mou | None,
) -> list[Depth]:
    """At the end of each week: the stage the leads had recorded, and the one Kept would have suggested."""
    history = recorded_stages(session, partnership, as_of)
    points = []
    for week in weeks:
        end = min(as_of, datetime.combine(week.starts + WEEK, time(0), LONDON))
        suggested, _ = before.stage_at(end, ids, delivered, sessions, mou)
        recorded = next((s for at, s in reversed(history) if at < end), "networking") if history else partnership.stage
        points.append(Depth(week.starts, recorded, suggested))
    return points


def recorded_stages(session: Session, partnership: Partnership, until: datetime) -> list[tuple[datetime, str]]:
    """When its leads recorded each stage (from the shared log), oldest first; empty if they never have."""
    rows = session.exec(
        select(LogEntry.at, LogEntry.subject, LogEntry.detail)
        .where(LogEntry.network_id == partnership.network_id, LogEntry.action == "stage", col(LogEntry.at) < until)
        .order_by(col(LogEntry.at))
    ).all()
    return [(at, str(detail.get("stage", ""))) for at, subject, detail in rows if _about(partnership, subject, detail)]


def _about(partnership: Partnership, subject: str, detail: Mapping[str, object]) -> bool:
    """Entries name their partnership by id; older ones only by name."""
    if "partnership_id" in detail:
        return detail["partnership_id"] == partnership.id
    return subject == partnership.name
