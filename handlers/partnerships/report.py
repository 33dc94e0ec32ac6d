"""The termly impact report for governors: Markdown to read, or CSV to analyse.

What the partnership delivered by category and school, its joint sessions and the pupils they reached, the
give and take between each pair of schools, its recorded and suggested stage, and the MoU's success criteria
set beside the evidence. `kept report --partnership <name> --term autumn-2026 [--csv]` prints it.
"""

from __future__ import annotations

import csv as csvlib
import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers import categories
from handlers.errors import CommandError, NotFound
from handlers.lookups import name_key, school_ids, school_names
from handlers.partnerships.figures import delivered_within
from handlers.partnerships.health import Pair, give_and_take, suggest_stage
from handlers.terms import Term, term_named
from storage.models import Commitment, JointSession, Mou, Partnership

LONDON = ZoneInfo("Europe/London")
QUOTES = 5
COLUMNS = (
    "section",
    "date",
    "school",
    "partner",
    "category",
    "title",
    "delivered",
    "confirmed",
    "pupils",
    "staff",
    "note",
)


@dataclass(frozen=True)
class Evidence:
    partnership: Partnership
    term: Term
    names: dict[int, str]
    delivered: list[Commitment]
    sessions: list[JointSession]
    pairs: list[Pair]
    stage: tuple[str, str]
    mou: Mou | None

    @property
    def pupils(self) -> int:
        return sum(s.pupils_reached or 0 for s in self.sessions)

    @property
    def staff(self) -> int:
        return sum(s.staff_involved or 0 for s in self.sessions)

    @property
    def confirmed(self) -> int:
        return sum(1 for c in self.delivered if c.confirmed_at is not None)


def termly_report(session: Session, partnership: str, term: str, *, csv: bool = False) -> str:
    """The report as Markdown (or CSV). Raises CommandError for an unknown partnership or term name."""
    evidence = gather(session, _partnership(session, partnership), term_named(term))
    return to_csv(evidence) if csv else to_markdown(evidence)


def _partnership(session: Session, name: str) -> Partnership:
    found = session.exec(select(Partnership).where(Partnership.name_key == name_key(name))).all()
    if not found:
        raise NotFound(f"I can't find a partnership called `{name[:60]}`.")
    if len(found) > 1:
        raise CommandError(f"More than one network has a partnership called {found[0].name}.")
    return found[0]


def gather(session: Session, partnership: Partnership, term: Term) -> Evidence:
    """Everything the report shows, read in a handful of queries."""
    pid = partnership.id or 0
    ids = school_ids(session, pid)
    since = datetime.combine(term.starts, time(0), LONDON)
    until = datetime.combine(term.ends + timedelta(days=1), time(0), LONDON)
    delivered = list(
        session.exec(
            select(Commitment).where(*delivered_within(ids, since, until)).order_by(col(Commitment.done_at))
        ).all()
    )
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
    return Evidence(
        partnership,
        term,
        school_names(session, ids),
        delivered,
        sessions,
        give_and_take(session, pid, since, until),
        suggest_stage(session, pid, until),
        session.get(Mou, pid),
    )


def _by_category_and_school(evidence: Evidence) -> list[tuple[str, str, int, int]]:
    counts: Counter[tuple[str, int]] = Counter()
    confirmed: Counter[tuple[str, int]] = Counter()
    for c in evidence.delivered:
        counts[(c.category, c.from_school_id)] += 1
        confirmed[(c.category, c.from_school_id)] += c.confirmed_at is not None
    return sorted(
        (categories.label(cat), evidence.names[school], n, confirmed[(cat, school)])
        for (cat, school), n in counts.items()
    )


def _day(moment: datetime) -> str:
    return moment.astimezone(LONDON).date().isoformat()


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def to_markdown(evidence: Evidence) -> str:
    p, names = evidence.partnership, evidence.names
    lines = [
        f"# {p.name}: {evidence.term.label}",
        "",
        f"Schools: {', '.join(sorted(names.values()))}.",
        "",
        f"{len(evidence.delivered)} commitments delivered ({evidence.confirmed} confirmed by the receiving "
        f"school); {len(evidence.sessions)} joint sessions reaching {evidence.pupils} pupils "
        f"with {evidence.staff} staff.",
        "",
        "## Delivered, by category and school",
        "",
    ]
    rows = _by_category_and_school(evidence)
    lines += ["| Category | School | Delivered | Confirmed |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {cat} | {school} | {n} | {ok} |" for cat, school, n, ok in rows] or ["| none yet | | 0 | 0 |"]
    lines += ["", "## Joint sessions and pupils reached", ""]
    lines += ["| Date | Session | Pupils | Staff | Impact |", "| --- | --- | ---: | ---: | --- |"]
    lines += [
        f"| {_day(s.starts_at)} | {_cell(s.title)} | {s.pupils_reached if s.pupils_reached is not None else '–'} "
        f"| {s.staff_involved if s.staff_involved is not None else '–'} | {_cell(s.impact) or 'not recorded yet'} |"
        for s in evidence.sessions
    ] or ["| | none this term | | | |"]
    lines += ["", "## Give and take", ""]
    lines += [f"- {names[x.a]} gave {x.a_to_b.count}, {names[x.b]} gave {x.b_to_a.count}" for x in evidence.pairs]
    stage, why = evidence.stage
    lines += ["", "## Depth of partnership", "", f"Recorded stage: {p.stage}. Kept suggests {stage}: {why}."]
    lines += ["", "## MoU success criteria and the evidence", ""] + _criteria(evidence)
    return "\n".join(lines) + "\n"


def _criteria(evidence: Evidence) -> list[str]:
    mou = evidence.mou
    criteria = mou.success_criteria if mou and mou.success_criteria else "No success criteria agreed yet."
    lines = [
        f"**Success criteria:** {_cell(criteria)}",
        "",
        "**Evidence this term:**",
        "",
        f"- {len(evidence.delivered)} commitments delivered, {evidence.confirmed} confirmed by the receiving school",
        f"- {len(evidence.sessions)} joint sessions; {evidence.pupils} pupils reached, {evidence.staff} staff involved",
    ]
    lines += [f"- {_cell(s.title)}: {_cell(s.impact)}" for s in evidence.sessions if s.impact]
    thanks = [c for c in evidence.delivered if c.thanks][:QUOTES]
    lines += [f"- {evidence.names[c.to_school_id]} on {_cell(c.what)}: “{_cell(c.thanks)}”" for c in thanks]
    if mou and mou.review_on:
        lines += ["", f"Next review: {mou.review_on.isoformat()}."]
    return lines


def _spreadsheet_safe(row: dict[str, object]) -> dict[str, object]:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted as text."""
    return {k: f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for k, v in row.items()}


def to_csv(evidence: Evidence) -> str:
    """One table, a `section` column telling its parts apart (delivered, session, balance, stage, criteria)."""
    names = evidence.names
    rows: list[dict[str, object]] = [
        {"section": "delivered", "school": school, "category": cat, "delivered": n, "confirmed": ok}
        for cat, school, n, ok in _by_category_and_school(evidence)
    ]
    rows += [
        {
            "section": "session",
            "date": _day(s.starts_at),
            "title": s.title,
            "pupils": s.pupils_reached,
            "staff": s.staff_involved,
            "note": s.impact,
        }
        for s in evidence.sessions
    ]
    rows += [
        {
            "section": "balance",
            "school": names[x.a],
            "partner": names[x.b],
            "delivered": x.a_to_b.count,
            "note": f"received {x.b_to_a.count}",
        }
        for x in evidence.pairs
    ]
    stage, why = evidence.stage
    rows.append({"section": "stage", "title": evidence.partnership.stage, "note": f"suggested {stage}: {why}"})
    rows.append(
        {
            "section": "criteria",
            "title": evidence.mou.success_criteria if evidence.mou else "",
            "delivered": len(evidence.delivered),
            "confirmed": evidence.confirmed,
            "pupils": evidence.pupils,
            "staff": evidence.staff,
        }
    )
    buffer = io.StringIO()
    table = csvlib.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    table.writeheader()
    table.writerows(_spreadsheet_safe(row) for row in rows)
    return buffer.getvalue()
