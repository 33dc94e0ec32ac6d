"""What the review says, in words and numbers, once for both the web page and the governors' PDF.

Built from a term's figures (handlers/partnerships/figures.py). It celebrates and informs: no school or person
is ranked, released work is listed without names, and key-person risk appears only on the lead's own school's
view. Dates are written the UK way (Mon 16 Nov 2026).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.review.charts import Chart, charts_for
from handlers.dates import describe_date
from handlers.partnerships.figures import TermFigures
from handlers.partnerships.review import ReviewView
from storage.models import JointSession

LONDON = ZoneInfo("Europe/London")
QUOTES = 6
MOU_SHOWN = (("purpose", "Purpose"), ("goals", "Goals"), ("success_criteria", "Success criteria"))


@dataclass(frozen=True)
class Headline:
    value: int
    label: str


@dataclass(frozen=True)
class SessionLine:
    day: str
    title: str
    reached: str
    impact: str


@dataclass(frozen=True)
class Quote:
    school: str
    what: str
    words: str


@dataclass(frozen=True)
class Review:
    """The review of one partnership's term, ready to render."""

    partnership: str
    term: str
    title: str
    schools: str
    as_of: str
    viewer: str
    quiet: bool
    headlines: list[Headline]
    charts: list[Chart]
    stage: str
    mou: list[tuple[str, str]]
    review_on: str
    sessions: list[SessionLine]
    released: list[tuple[str, str]]
    quotes: list[Quote]
    risk: str
    school: str


def day(moment: datetime) -> str:
    return describe_date(moment.astimezone(LONDON).date(), with_year=True)


def review_of(view: ReviewView) -> Review:
    """The review as a lead's school sees it (with key-person risk if it rests on one of theirs)."""
    risk = view.risk
    shown = (
        f"Much of the partnership's open work rests on {risk.name}: {risk.holds} of {risk.total} open commitments "
        "and coming sessions. Handing some over in Kept (say handover) shares the load, so nothing stalls if "
        "they're away."
        if risk
        else ""
    )
    viewer = f"Shared by {view.lead}, {view.school}. This link opens until {day(view.expires_at)}."
    return content(view.figures, viewer=viewer, risk=shown, school=view.school)


def content(figures: TermFigures, *, viewer: str = "", risk: str = "", school: str = "") -> Review:
    """The review from the figures alone (the operator's `kept report --pdf` has no lead's view)."""
    p, mou = figures.partnership, figures.mou
    suggested, why = figures.stage
    return Review(
        partnership=p.name,
        term=figures.term.label,
        title=f"{p.name}: {figures.term.label}",
        schools=", ".join(sorted(figures.names.values())),
        as_of=describe_date(figures.as_of.astimezone(LONDON).date(), with_year=True),
        viewer=viewer,
        quiet=figures.quiet,
        headlines=[
            _headline(len(figures.delivered), "promise kept", "promises kept"),
            _headline(len(figures.held), "joint session held", "joint sessions held"),
            _headline(figures.pupils, "pupil reached", "pupils reached"),
            _headline(figures.staff, "member of staff involved", "staff involved"),
            _headline(len(figures.thanked), "thank-you received", "thanks received"),
        ],
        charts=charts_for(figures),
        stage=f"Recorded by the leads as {p.stage}. From what it has seen, Kept suggests {suggested}: {why}.",
        mou=[(label, str(getattr(mou, field))) for field, label in MOU_SHOWN if mou and getattr(mou, field)],
        review_on=describe_date(mou.review_on, with_year=True) if mou and mou.review_on else "",
        sessions=[_session(s, figures.as_of) for s in figures.sessions],
        released=[(day(c.done_at or c.due_at), c.what) for c in figures.released],
        quotes=[Quote(figures.names[c.to_school_id], c.what, c.thanks) for c in figures.thanked[:QUOTES]],
        risk=risk,
        school=school,
    )


def _headline(value: int, one: str, many: str) -> Headline:
    return Headline(value, one if value == 1 else many)


def _session(joint: JointSession, as_of: datetime) -> SessionLine:
    if joint.starts_at >= as_of:
        return SessionLine(day(joint.starts_at), joint.title, "coming up", "")
    pupils = "not recorded yet" if joint.pupils_reached is None else f"{joint.pupils_reached} pupils"
    staff = f", {joint.staff_involved} staff" if joint.staff_involved is not None else ""
    return SessionLine(day(joint.starts_at), joint.title, pupils + staff, joint.impact or "Impact not recorded yet.")
