"""Signed links: a session's .ics served at `GET /ics/S12.ics?sig=…`, so Slack and Teams can offer it, and a
partnership's review page at `GET /review/12-<sig>` (bot/review/routes.py).

The signature (HMAC-SHA256 of the ref) is the permission: whoever holds the link may fetch the file, and
anything else (a wrong, missing or stale signature, a session that no longer exists) is a bare 404. Replicas
agree on links because they share KEPT_LINK_SECRET, or, without it, the database URL the fallback key comes from.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, replace

from aiohttp import web

from handlers.clock import Clock
from handlers.joint_sessions import invitation
from handlers.messages import Attachment, Message
from handlers.partnerships import review
from handlers.refs import ref_of
from storage.db import Database

log = logging.getLogger("kept.links")

ICS_ROUTE = "/ics/{ref:S[0-9]{1,9}}.ics"
_FALLBACK_LABEL = b"kept-link-secret-fallback"


@dataclass(frozen=True)
class Links:
    """Makes and checks signed links under Kept's public address."""

    base_url: str
    secret: bytes

    def sign(self, ref: str) -> str:
        return hmac.new(self.secret, ref.encode(), hashlib.sha256).hexdigest()

    def verifies(self, ref: str, sig: str) -> bool:
        return hmac.compare_digest(self.sign(ref).encode(), sig.encode())

    def ics_url(self, joint_id: int) -> str:
        ref = f"{ref_of('S', joint_id)}"
        return f"{self.base_url}/ics/{ref}.ics?sig={self.sign(ref)}"

    def review_token(self, link_id: int, nonce: str) -> str:
        """`12-<sig>`: the review link's id, and a signature over it and its row's nonce (so a link from a
        restored or rebuilt database never opens another lead's review)."""
        return f"{link_id}-{self.sign(f'review:{link_id}:{nonce}')}"

    def review_url(self, link_id: int, nonce: str) -> str:
        return f"{self.base_url}/review/{self.review_token(link_id, nonce)}"


def fallback_secret(platform_secrets: str, database_url: str) -> bytes:
    """A stable key when KEPT_LINK_SECRET is unset, the same on every replica with the same settings: drawn from
    the platforms' own secrets where there are any (so it is secret too), else the database URL (local use)."""
    material = platform_secrets or database_url
    return hmac.new(_FALLBACK_LABEL, material.encode(), hashlib.sha256).digest()


def with_links(message: Message, links: Links) -> Message:
    """The message with a download link on every attachment Kept can serve (others are left as they are)."""
    if not message.attachments:
        return message
    return replace(message, attachments=tuple(_linked(a, links) for a in message.attachments))


def _linked(attachment: Attachment, links: Links) -> Attachment:
    if attachment.url:
        return attachment
    joint_id = invitation.session_of(attachment)
    if joint_id is not None:
        return replace(attachment, url=links.ics_url(joint_id))
    page = review.page_of(attachment)
    return attachment if page is None else replace(attachment, url=links.review_url(*page))


def mount(app: web.Application, links: Links, db: Database, clock: Clock) -> None:
    """Serve signed .ics links from the web app."""

    async def ics_file(request: web.Request) -> web.Response:
        ref = request.match_info["ref"]
        if not links.verifies(ref, request.query.get("sig", "")):
            raise web.HTTPNotFound()
        attachment = await db.run(_fresh_ics, db, clock, int(ref[1:]), links)
        if attachment is None:
            raise web.HTTPNotFound()
        return web.Response(
            text=attachment.content,
            content_type=attachment.media_type,
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{attachment.filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    app.router.add_get(ICS_ROUTE, ics_file)


def _fresh_ics(db: Database, clock: Clock, joint_id: int, links: Links) -> Attachment | None:
    with db.transaction() as session:
        return invitation.ics_for(session, joint_id, clock.now(), links.base_url)
