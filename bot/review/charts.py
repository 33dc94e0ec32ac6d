"""The review's four charts, drawn once with ReportLab's chart library: as inline SVG for the page, and as the
same vector drawing in the PDF.

Meaning never rests on colour alone: two series differ by line style and marker shape too, every bar carries
its number, and each chart comes with a one-line summary and the table of figures behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.dom.minidom import Element

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from handlers.partnerships.figures import TermFigures
from storage.models import STAGES

WIDTH = 560
INK = colors.HexColor("#1f2933")
FIRST = colors.HexColor("#1d4e89")  # dark blue, 8.9:1 on white
SECOND = colors.HexColor("#8a4b00")  # dark amber, 6.3:1 on white
GRID = colors.HexColor("#d9dee3")
FONT = "Helvetica"
SIZE = 11
FONT_STACK = "Helvetica, Arial, 'Liberation Sans', sans-serif"  # what browsers draw the chart text in


@dataclass(frozen=True)
class Series:
    """How one series looks, in words too (the legend and the text alternative say it)."""

    name: str
    color: colors.Color
    marker: str
    dash: tuple[int, ...] | None

    @property
    def described(self) -> str:
        line = "dashed line" if self.dash else "solid line"
        return f"{self.name}: {line} with {self.marker.lower()} markers"


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


@dataclass(frozen=True)
class Chart:
    """A chart and its text alternative: `summary` is read out with it; `table` holds every figure it shows."""

    key: str
    title: str
    summary: str
    drawing: Drawing | None
    table: Table
    legend: tuple[str, ...] = ()


MADE = Series("Promises made", SECOND, "Square", (4, 3))
KEPT = Series("Promises kept", FIRST, "Circle", None)
RECORDED = Series("Recorded by the leads", FIRST, "Circle", None)
SUGGESTED = Series("Suggested by Kept", SECOND, "Triangle", (4, 3))


def charts_for(figures: TermFigures) -> list[Chart]:
    return [weekly(figures), give_and_take(figures), pupils(figures), depth(figures)]


def _day(day: object) -> str:
    return f"{day:%-d %b}"


def weekly(figures: TermFigures) -> Chart:
    weeks = figures.weeks
    rows = [(f"w/c {_day(w.starts)}", str(w.made), str(w.kept)) for w in weeks]
    summary = (
        f"Over {len(weeks)} weeks, {figures.made} promises were made and {len(figures.delivered)} kept."
        if weeks
        else "The term hasn't started yet, so there are no weeks to show."
    )
    drawing = (
        _lines([_day(w.starts) for w in weeks], [(MADE, [w.made for w in weeks]), (KEPT, [w.kept for w in weeks])])
        if weeks
        else None
    )
    return Chart(
        "weekly",
        "Promises made and kept, week by week",
        summary,
        drawing,
        Table(("Week", "Made", "Kept"), rows),
        (MADE.described, KEPT.described),
    )


def give_and_take(figures: TermFigures) -> Chart:
    names = figures.names
    flows = [
        (names[giver], names[taker], flow.count)
        for p in figures.pairs
        for giver, taker, flow in ((p.a, p.b, p.a_to_b), (p.b, p.a, p.b_to_a))
    ]
    shown = [f for f in flows if f[2]] or flows[:2]
    rows = [(giver, taker, str(n)) for giver, taker, n in shown]
    total = sum(n for _, _, n in flows)
    summary = (
        f"{total} deliveries passed between the schools this term, in {sum(1 for f in flows if f[2])} directions."
        if total
        else "Nothing has passed between the schools yet this term."
    )
    labels = [f"{giver} to {taker}" for giver, taker, _ in shown]
    drawing = _bars_across(labels, [n for _, _, n in shown]) if total else None
    return Chart(
        "give-and-take",
        "Give and take between the schools",
        summary,
        drawing,
        Table(("From", "To", "Delivered"), rows),
    )


def pupils(figures: TermFigures) -> Chart:
    held = [s for s in figures.held if s.pupils_reached is not None]
    rows = [
        (_day(s.starts_at), s.title, "not recorded yet" if s.pupils_reached is None else str(s.pupils_reached))
        for s in figures.held
    ]
    summary = (
        f"{figures.pupils} pupils reached across {len(held)} joint sessions with numbers recorded."
        if held
        else "No joint session has recorded pupils reached yet this term."
    )
    drawing = _bars_up([_day(s.starts_at) for s in held], [s.pupils_reached or 0 for s in held]) if held else None
    table = Table(("Date", "Session", "Pupils"), rows)
    return Chart("pupils", "Pupils reached, session by session", summary, drawing, table)


def depth(figures: TermFigures) -> Chart:
    points = figures.depth
    rows = [(f"w/c {_day(p.day)}", p.recorded, p.suggested) for p in points]
    summary = (
        f"Recorded at {points[-1].recorded}; Kept suggests {points[-1].suggested} from what it has seen."
        if points
        else f"Recorded at {figures.partnership.stage}; the term hasn't started yet."
    )
    level = {stage: n for n, stage in enumerate(STAGES, start=1)}
    drawing = (
        _lines(
            [_day(p.day) for p in points],
            [(RECORDED, [level[p.recorded] for p in points]), (SUGGESTED, [level[p.suggested] for p in points])],
            steps=(len(STAGES), lambda v: STAGES[int(v) - 1] if 1 <= v <= len(STAGES) else ""),
        )
        if points
        else None
    )
    return Chart(
        "depth",
        "Depth of partnership over the term (Himmelman's continuum)",
        summary,
        drawing,
        Table(("Week", "Recorded", "Suggested"), rows),
        (RECORDED.described, SUGGESTED.described),
    )


def _lines(
    labels: Sequence[str],
    series: Sequence[tuple[Series, list[int]]],
    steps: tuple[int, Callable[[float], str]] | None = None,
) -> Drawing:
    """A line chart over weeks; `steps` makes the value axis a ladder of named levels (the stages)."""
    left = 90 if steps else 40
    drawing = Drawing(WIDTH, 250)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = left, 60, WIDTH - left - 20, 150
    chart.data = [values for _, values in series]
    chart.categoryAxis.categoryNames = list(labels)
    _axis_text(chart.categoryAxis.labels, *_slanted(len(labels)))
    top = max([max(v) for _, v in series] + [1])
    chart.valueAxis.valueMin = 1 if steps else 0
    chart.valueAxis.valueMax = steps[0] if steps else top + max(1, top // 5)
    chart.valueAxis.valueStep = 1 if steps or top <= 10 else max(1, (top // 5))
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    _axis_text(chart.valueAxis.labels, "e")
    if steps:
        chart.valueAxis.labelTextFormat = steps[1]
    for n, (look, _) in enumerate(series):
        chart.lines[n].strokeColor = look.color
        chart.lines[n].strokeWidth = 2
        chart.lines[n].strokeDashArray = look.dash
        marker = makeMarker(look.marker, size=6)
        marker.fillColor = look.color
        chart.lines[n].symbol = marker
    drawing.add(chart)
    _legend(drawing, [look for look, _ in series])
    return drawing


def _legend(drawing: Drawing, series: Sequence[Series]) -> None:
    """A legend of line samples (style and marker, not just colour) along the chart's top edge."""
    x = 20.0
    for look in series:
        drawing.add(Line(x, 238, x + 28, 238, strokeColor=look.color, strokeWidth=2, strokeDashArray=look.dash))
        marker = makeMarker(look.marker, size=6, x=x + 14, y=238)
        marker.fillColor = look.color
        drawing.add(marker)
        drawing.add(String(x + 34, 234, look.name, fontName=FONT, fontSize=SIZE, fillColor=INK))
        x += 48 + 6.5 * len(look.name)


def _axis_text(labels: Any, anchor: str, angle: int = 0) -> None:
    """Axis labels anchored at `anchor` (n: centred below, ne: slanted below, e: to the left), in the ink colour."""
    labels.fontName, labels.fontSize, labels.fillColor = FONT, SIZE, INK
    labels.boxAnchor, labels.angle = anchor, angle
    labels.textAnchor = "middle" if anchor == "n" else "end"


def _slanted(count: int) -> tuple[str, int]:
    """Week labels slant once there are too many to sit side by side."""
    return ("ne", 45) if count > 8 else ("n", 0)


def _bars_across(labels: Sequence[str], values: Sequence[int]) -> Drawing:
    """Horizontal bars, one a row, each labelled with its number (who gave to whom reads along the row)."""
    height = 40 + 26 * len(values)
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 230, 20, WIDTH - 270, height - 30
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [_short(label, 40) for label in reversed(labels)]
    _axis_text(chart.categoryAxis.labels, "e")
    _axis_text(chart.valueAxis.labels, "n")
    _bar_style(chart, values)
    drawing.add(chart)
    return drawing


def _bars_up(labels: Sequence[str], values: Sequence[int]) -> Drawing:
    drawing = Drawing(WIDTH, 220)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 50, WIDTH - 60, 150
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = list(labels)
    _axis_text(chart.categoryAxis.labels, *_slanted(len(labels)))
    _axis_text(chart.valueAxis.labels, "e")
    _bar_style(chart, values)
    drawing.add(chart)
    return drawing


def _bar_style(chart: HorizontalBarChart | VerticalBarChart, values: Sequence[int]) -> None:
    top = max([*values, 1])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top + max(1, top // 5)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.bars[0].fillColor = FIRST
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = SIZE
    chart.barLabels.fillColor = INK
    chart.barLabels.nudge = 8


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def to_svg(chart: Chart) -> str:
    """The chart as inline SVG for the page: scalable, named by its title and summary for screen readers."""
    assert chart.drawing is not None
    size = (chart.drawing.width, chart.drawing.height)
    canvas = _Canvas(size, useClip=True, fontHacks={FONT: {"family": FONT_STACK}})
    renderSVG.draw(chart.drawing, canvas)
    svg: Element = canvas.svg
    for name in ("width", "height", "version"):
        svg.removeAttribute(name)
    svg.setAttribute("role", "img")
    svg.setAttribute("class", "chart")
    svg.setAttribute("aria-labelledby", f"{chart.key}-title {chart.key}-desc")
    for tag, text in (("title", chart.title), ("desc", chart.summary)):
        node = svg.getElementsByTagName(tag)[0]
        node.setAttribute("id", f"{chart.key}-{tag}")
        node.firstChild.data = text  # type: ignore[union-attr]
    for group in svg.getElementsByTagName("g"):
        if group.getAttribute("id") == "group":
            group.removeAttribute("id")
    return str(svg.toxml())


class _Canvas(renderSVG.SVGCanvas):  # type: ignore[misc]
    """ReportLab's SVG canvas, leaving right-aligned and centred text for the browser to place: it places it with
    the font it really draws in, where ReportLab would measure Helvetica (too narrow for most fallbacks)."""

    def drawString(self, s: str, x: float, y: float, angle: float = 0, text_anchor: str = "left", **kw: object) -> None:
        if text_anchor in ("end", "middle"):
            kw["text-anchor"] = text_anchor
            text_anchor = "start"
        super().drawString(s, x, y, angle=angle, text_anchor=text_anchor, **kw)
