"""`/privacy` and `/terms`: the pages the Slack and Teams manifests link to, served by Kept itself.

Operators replace either text with KEPT_PRIVACY_PAGE or KEPT_TERMS_PAGE: the text itself (plain text, or HTML
starting with `<`), or `file:/path/to/page.html` to read it from a file once, at start.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

PRIVACY = """Privacy at Kept

Kept keeps the promises partner schools make each other. To do that it stores, for each person who uses it: their \
name, their school, their role, their chat account ids (Slack or Microsoft Teams) and time zone, and what they offer, \
ask for and promise, in one shared log that the schools in a network can see.

Kept never stores pupils' names: joint sessions record how many pupils took part, not who.

Private reminders go only to the person they are for, and to their own school's partnership lead when something is \
overdue. Channel messages celebrate what was delivered; they never name anyone as late.

Anyone can say `forget me` to Kept to erase their name and accounts; what their school delivered stays on record, \
without them. Ask your school's partnership lead, or the people who run this Kept, for a copy of what it holds about \
you.

Kept sends nothing to anyone else, and runs no advertising or tracking."""

TERMS = """Terms of use

Kept is offered to schools working in partnership, by the people who run this server, as it is. Use it for the \
partnership's work: offers, requests, promises, joint sessions and their impact. Please be kind in what you write: \
everything you log is seen by colleagues at the partner schools.

Don't put pupils' names or other sensitive personal data into Kept. Your school's partnership lead can help with \
anything that needs changing, and anyone can say `forget me` to erase their details."""


class PageError(ValueError):
    """A page setting that names a file Kept can't read."""


@dataclass(frozen=True)
class Pages:
    """The two pages as HTML, read once at start."""

    privacy: str
    terms: str


def page_from(setting: str, default: str, title: str) -> str:
    """A page's HTML: the setting's text or file, else Kept's own text. Raises PageError for an unreadable file."""
    text = setting or default
    if setting.startswith("file:"):
        path = Path(setting.removeprefix("file:").removeprefix("//"))
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PageError(f"can't read {title.lower()} page file {str(path)!r}: {exc.strerror}") from exc
    if text.lstrip().startswith("<"):
        return text
    heading, _, body = text.strip().partition("\n")
    paragraphs = "".join(f"<p>{html.escape(p.strip())}</p>\n" for p in body.split("\n\n") if p.strip())
    return (
        f'<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>{html.escape(heading)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;"
        "line-height:1.5;color:#1d2b27}h1{color:#2f5d50}</style></head>\n"
        f"<body><h1>{html.escape(heading)}</h1>\n{paragraphs}</body></html>\n"
    )


def pages(privacy_setting: str = "", terms_setting: str = "") -> Pages:
    return Pages(page_from(privacy_setting, PRIVACY, "Privacy"), page_from(terms_setting, TERMS, "Terms"))


def mount(app: web.Application, served: Pages) -> None:
    """Serve /privacy and /terms."""

    def page(body: str) -> web.Response:
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    async def privacy(request: web.Request) -> web.Response:
        return page(served.privacy)

    async def terms(request: web.Request) -> web.Response:
        return page(served.terms)

    app.router.add_get("/privacy", privacy)
    app.router.add_get("/terms", terms)
