"""The termly impact report for governors: Markdown to read, or CSV to analyse.

What the partnership delivered by category and school, its joint sessions and the pupils they reached, the
give and take between each pair of schools, its recorded and suggested stage, and the MoU's success criteria
set beside the figures. `kept report --partnership <name> --term autumn-2026 [--csv]` prints it.
"""

from __future__ import annotations

import csv as csvlib
import io
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from handlers import categories
from handlers.dates import describe_date
from handlers.errors import CommandError, NotFound
from handlers.lookups import name_key
from handlers.partnerships.figures import TermFigures, term_figures
from handlers.terms import term_named
from storage.models import Partnership

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


def termly_report(session: Session, partnership: str, term: str, *, now: datetime, csv: bool = False) -> str:
    """The report as Markdown (or CSV), as of `now`. Raises CommandError for an unknown partnership or term name."""
    figures = term_figures(session, partnership_named(session, partnership), term_named(term), now)
    return to_csv(figures) if csv else to_markdown(figures)


def partnership_named(session: Session, name: str) -> Partnership:
    """A partnership by name in any network (for the operator's `kept report`)."""
    found = session.exec(select(Partnership).where(Partnership.name_key == name_key(name))).all()
    if not found:
        raise NotFound(f"I can't find a partnership called `{name[:60]}`.")
    if len(found) > 1:
        raise CommandError(f"More than one network has a partnership called {found[0].name}.")
    return found[0]


def _by_category_and_school(figures: TermFigures) -> list[tuple[str, str, int, int]]:
    counts: Counter[tuple[str, int]] = Counter()
    confirmed: Counter[tuple[str, int]] = Counter()
    for c in figures.delivered:
        counts[(c.category, c.from_school_id)] += 1
        confirmed[(c.category, c.from_school_id)] += c.confirmed_at is not None
    return sorted(
        (categories.label(cat), figures.names[school], n, confirmed[(cat, school)])
        for (cat, school), n in counts.items()
    )


def _day(moment: datetime) -> str:
    return moment.astimezone(LONDON).date().isoformat()


def _uk_day(moment: datetime) -> str:
    return describe_date(moment.astimezone(LONDON).date(), with_year=True)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def to_markdown(figures: TermFigures) -> str:
    p, names = figures.partnership, figures.names
    lines = [
        f"# {p.name}: {figures.term.label}",
        "",
        f"Schools: {', '.join(sorted(names.values()))}.",
        "",
        f"{len(figures.delivered)} commitments delivered ({figures.confirmed} confirmed by the receiving "
        f"school); {len(figures.sessions)} joint sessions reaching {figures.pupils} pupils "
        f"with {figures.staff} staff.",
        "",
        "## Delivered, by category and school",
        "",
    ]
    rows = _by_category_and_school(figures)
    lines += ["| Category | School | Delivered | Confirmed |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {cat} | {school} | {n} | {ok} |" for cat, school, n, ok in rows] or ["| none yet | | 0 | 0 |"]
    lines += ["", "## Joint sessions and pupils reached", ""]
    lines += ["| Date | Session | Pupils | Staff | Impact |", "| --- | --- | ---: | ---: | --- |"]
    lines += [
        f"| {_uk_day(s.starts_at)} | {_cell(s.title)} | {s.pupils_reached if s.pupils_reached is not None else '–'} "
        f"| {s.staff_involved if s.staff_involved is not None else '–'} | {_cell(s.impact) or 'not recorded yet'} |"
        for s in figures.sessions
    ] or ["| | none this term | | | |"]
    lines += ["", "## Give and take", ""]
    lines += [f"- {names[x.a]} gave {x.a_to_b.count}, {names[x.b]} gave {x.b_to_a.count}" for x in figures.pairs]
    stage, why = figures.stage
    lines += ["", "## Depth of partnership", "", f"Recorded stage: {p.stage}. Kept suggests {stage}: {why}."]
    lines += ["", "## MoU success criteria and the evidence", ""] + _criteria(figures)
    return "\n".join(lines) + "\n"


def _criteria(figures: TermFigures) -> list[str]:
    mou = figures.mou
    criteria = mou.success_criteria if mou and mou.success_criteria else "No success criteria agreed yet."
    lines = [
        f"**Success criteria:** {_cell(criteria)}",
        "",
        "**Evidence this term:**",
        "",
        f"- {len(figures.delivered)} commitments delivered, {figures.confirmed} confirmed by the receiving school",
        f"- {len(figures.sessions)} joint sessions; {figures.pupils} pupils reached, {figures.staff} staff involved",
    ]
    lines += [f"- {_cell(s.title)}: {_cell(s.impact)}" for s in figures.sessions if s.impact]
    thanks = figures.thanked[:QUOTES]
    lines += [f"- {figures.names[c.to_school_id]} on {_cell(c.what)}: “{_cell(c.thanks)}”" for c in thanks]
    if mou and mou.review_on:
        lines += ["", f"Next review: {describe_date(mou.review_on, with_year=True)}."]
    return lines


def _spreadsheet_safe(row: dict[str, object]) -> dict[str, object]:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted as text."""
    return {k: f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for k, v in row.items()}


def to_csv(figures: TermFigures) -> str:
    """One table, a `section` column telling its parts apart (delivered, session, balance, stage, criteria)."""
    names = figures.names
    rows: list[dict[str, object]] = [
        {"section": "delivered", "school": school, "category": cat, "delivered": n, "confirmed": ok}
        for cat, school, n, ok in _by_category_and_school(figures)
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
        for s in figures.sessions
    ]
    rows += [
        {
            "section": "balance",
            "school": names[x.a],
            "partner": names[x.b],
            "delivered": x.a_to_b.count,
            "note": f"received {x.b_to_a.count}",
        }
        for x in figures.pairs
    ]
    stage, why = figures.stage
    rows.append({"section": "stage", "title": figures.partnership.stage, "note": f"suggested {stage}: {why}"})
    rows.append(
        {
            "section": "criteria",
            "title": figures.mou.success_criteria if figures.mou else "",
            "delivered": len(figures.delivered),
            "confirmed": figures.confirmed,
            "pupils": figures.pupils,
            "staff": figures.staff,
        }
    )
    buffer = io.StringIO()
    table = csvlib.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    table.writeheader()
    table.writerows(_spreadsheet_safe(row) for row in rows)
    return buffer.getvalue()
