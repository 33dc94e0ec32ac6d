"""The review as HTML (Jinja2 templates beside this file, autoescaped), and the kind pages a closed link gets."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.review.charts import Chart, to_svg
from bot.review.content import Review

_TEMPLATES = Environment(
    loader=PackageLoader("bot.review", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Why a link shows nothing, in words that blame no one and give nothing away: (status, heading, text).
CLOSED = {
    "unknown": (403, "This link doesn't open a review", "It may have been copied only in part, or changed."),
    "expired": (410, "This review link has expired", "Review links open for a limited time, to keep them private."),
    "revoked": (410, "This review link has been switched off", "The lead who shared it has stopped it."),
    "ended": (410, "This review link is no longer active", "The lead who shared it no longer shares this review."),
}


@dataclass(frozen=True)
class Drawn:
    chart: Chart
    svg: str


def review_page(review: Review, *, pdf_url: str, css_url: str) -> str:
    """The whole page: headline figures first, the charts as inline SVG, then the detail."""
    charts = [Drawn(c, to_svg(c) if c.drawing is not None else "") for c in review.charts]
    template = _TEMPLATES.get_template("review.html")
    return template.render(r=review, charts=charts, pdf_url=pdf_url, css=css_url)


def closed_page(reason: str, *, css_url: str) -> tuple[int, str]:
    """The status and kind page for a link that opens nothing (403 for one that isn't genuine, 410 for one gone)."""
    status, heading, text = CLOSED.get(reason, CLOSED["unknown"])
    return status, _TEMPLATES.get_template("closed.html").render(heading=heading, text=text, css=css_url)
