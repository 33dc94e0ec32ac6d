"""The governors' PDF: the review's content on A4, with the charts as the same vector drawings the page shows.

ReportLab installs from the package index alone (no system libraries at run time), and its charts go into the
PDF as vector paths and text, so they print sharp at any size.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bot.review.charts import FIRST, INK, Chart
from bot.review.content import Review

_BASE = getSampleStyleSheet()
BODY = ParagraphStyle("body", _BASE["BodyText"], fontSize=10.5, leading=14, textColor=INK)
MUTED = ParagraphStyle("muted", BODY, textColor=colors.HexColor("#4a5561"))
TITLE = ParagraphStyle("title", _BASE["Title"], alignment=0, fontSize=20, leading=24, textColor=INK)
H2 = ParagraphStyle("h2", _BASE["Heading2"], fontSize=14, leading=18, spaceBefore=10, textColor=INK)
H3 = ParagraphStyle(
    "h3", _BASE["Heading3"], fontName="Helvetica-Bold", fontSize=11.5, leading=15, spaceBefore=6, textColor=INK
)
NUMBER = ParagraphStyle("number", BODY, fontName="Helvetica-Bold", fontSize=20, leading=24, textColor=FIRST)


MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN


def governors_pdf(review: Review) -> bytes:
    """The review as a PDF document (A4, tagged with its title)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{review.title}: partnership review",
        author="Kept",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        lang="en-GB",
    )
    document.build(list(_story(review)))
    return buffer.getvalue()


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _story(review: Review) -> Iterable[Flowable]:
    yield _p(f"{review.partnership}: partnership review", TITLE)
    yield _p(review.term, H3)
    yield _p(review.schools, MUTED)
    yield _p(f"As of {review.as_of}. {review.viewer}".strip(), MUTED)
    yield Spacer(1, 4 * mm)
    if review.quiet:
        yield _p(
            f"Nothing has been promised, delivered or held in {review.partnership} this term yet. Every partnership "
            "starts here; as soon as there is something to celebrate, this review fills in by itself."
        )
    yield _headlines(review)
    yield _p(review.stage)
    if review.risk:
        yield _p(f"For {review.school} only: who the work rests on", H2)
        yield _p(review.risk)
    yield _p("The term in pictures", H2)
    for chart in review.charts:
        yield _chart(chart)
    yield from _detail(review)


def _headlines(review: Review) -> Table:
    cells = [[_p(f"{h.value:,}", NUMBER) for h in review.headlines], [_p(h.label) for h in review.headlines]]
    table = Table(cells, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f6f8")),
                ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 8),
            ]
        )
    )
    return table


def _chart(chart: Chart) -> Flowable:
    parts: list[Flowable] = [_p(chart.title, H3)]
    if chart.drawing is not None:
        parts.append(_fitted(chart.drawing))
    parts.append(_p(chart.summary, MUTED))
    if chart.legend:
        parts.append(_p("; ".join(chart.legend) + ".", MUTED))
    return KeepTogether(parts)


def _fitted(drawing: Drawing) -> Drawing:
    """A copy of a chart scaled to the text width (the page's charts are drawn a little wider than A4's column)."""
    factor = min(1.0, FRAME_WIDTH / drawing.width)
    fitted = drawing.copy()
    fitted.scale(factor, factor)
    fitted.width, fitted.height = drawing.width * factor, drawing.height * factor
    return fitted


def _detail(review: Review) -> Iterable[Flowable]:
    yield CondPageBreak(60 * mm)
    yield _p("The agreement (MoU)", H2)
    for label, value in review.mou:
        yield _p(label, H3)
        yield _p(value)
    if not review.mou:
        yield _p("No MoU has been agreed yet: a lead can write one in Kept with `mou`.")
    if review.review_on:
        yield _p(f"Next review: {review.review_on}.")
    yield _p("Joint sessions and their impact", H2)
    for s in review.sessions:
        yield KeepTogether([_p(f"{s.day} · {s.reached}", MUTED), _p(s.title, H3), _p(s.impact)])
    if not review.sessions:
        yield _p("No joint sessions this term yet.")
    if review.quotes:
        yield _p("In their words", H2)
        for q in review.quotes:
            yield KeepTogether([_p(f"“{q.words}”"), _p(f"{q.school}, on {q.what}", MUTED)])
    if review.released:
        yield _p("Released with notice", H2)
        yield _p("Plans change. These were let go early, with notice, so the other school could plan around them.")
        for when, what in review.released:
            yield _p(f"{when}: {what}")
