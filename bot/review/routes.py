"""The review's web routes: `GET /review/<id>-<sig>` (the page), `…/governors.pdf` (the PDF) and the stylesheet.

The signature is checked against the link's row (its id and nonce, under the link secret); a link that is not
genuine gets a kind 403 page, one that has expired, been revoked or lost its lead a kind 410, and neither says
which partnership it was for. Pages are `noindex`, never cached, send no referrer, and load nothing but
Kept's own stylesheet. The access log shows a review address without its signature (`redact`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

from aiohttp import web

from bot.links import Links
from handlers.clock import Clock
from handlers.partnerships.review import ReviewView, open_review
from storage.db import Database
from storage.models import ReviewLink

if TYPE_CHECKING:
    from bot.review.content import Review

log = logging.getLogger("kept.review")

CSS_ROUTE = "/review/review.css"
_TOKEN = re.compile(r"(\d{1,9})-([0-9a-f]{0,64})")
_SIGNED = re.compile(r"(/review/\d{1,9}-|[?&]sig=)[0-9A-Za-z]+")
HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
}
_CSS = resources.files("bot.review").joinpath("static/review.css").read_text(encoding="utf-8")


def redact(text: str) -> str:
    """Text as the log may show it: the signature of a review (or any signed) link replaced by `…`."""
    return _SIGNED.sub(r"\1…", text)


class Redacted(logging.Filter):
    """Keeps signed links out of the access log: whoever reads the log can't open what it records."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


REDACTED = Redacted()  # one instance, so mounting twice adds it once


def mount(app: web.Application, links: Links, db: Database, clock: Clock) -> None:
    """Serve review pages and their PDFs for signed links."""
    logging.getLogger("aiohttp.access").addFilter(REDACTED)

    async def opened(request: web.Request) -> ReviewView | web.Response:
        found = _TOKEN.fullmatch(request.match_info["token"])
        if found is None:
            return _closed("unknown", "malformed")
        link_id, sig = int(found.group(1)), found.group(2)

        def genuine(link: ReviewLink) -> bool:
            return links.verifies(f"review:{link.id}:{link.nonce}", sig)

        view = await db.run(_open, db, clock, link_id, genuine)
        if isinstance(view, str):
            return _closed(view, view)
        return view

    async def page(request: web.Request) -> web.Response:
        view = await opened(request)
        if isinstance(view, web.Response):
            return view
        pdf_url = f"{request.path}/governors.pdf"
        from bot.review.content import review_of  # the renderers (Jinja, ReportLab) load on the first page asked for
        from bot.review.page import review_page

        html = await asyncio.to_thread(lambda: review_page(review_of(view), pdf_url=pdf_url, css_url=CSS_ROUTE))
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=HEADERS)

    async def pdf(request: web.Request) -> web.Response:
        view = await opened(request)
        if isinstance(view, web.Response):
            return view
        from bot.review.content import review_of
        from bot.review.pdf import governors_pdf

        review = review_of(view)
        headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{pdf_name(review)}"'}
        body = await asyncio.to_thread(governors_pdf, review)
        return web.Response(body=body, content_type="application/pdf", headers=headers)

    async def css(request: web.Request) -> web.Response:
        return web.Response(text=_CSS, content_type="text/css", headers={"Cache-Control": "public, max-age=3600"})

    async def unknown(request: web.Request) -> web.Response:
        return _closed("unknown", "malformed")

    app.router.add_get(CSS_ROUTE, css)
    app.router.add_get("/review/{token}", page)
    app.router.add_get("/review/{token}/governors.pdf", pdf)
    app.router.add_get("/review/{rest:.*}", unknown)


def _open(db: Database, clock: Clock, link_id: int, genuine: Callable[[ReviewLink], bool]) -> ReviewView | str:
    with db.transaction() as session:
        return open_review(session, link_id, clock.now(), genuine)


def _closed(reason: str, logged: str) -> web.Response:
    """The kind page for a link that opens nothing; the log names the reason only, never the link."""
    log.info("review link refused: %s", logged)
    from bot.review.page import closed_page

    status, html = closed_page(reason, css_url=CSS_ROUTE)
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8", headers=HEADERS)


def pdf_name(review: Review) -> str:
    """`physics-link-autumn-term-2026-review.pdf`: a plain file name, whatever the partnership is called."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{review.partnership} {review.term}".lower()).strip("-")[:80]
    return f"{slug or 'partnership'}-review.pdf"
