"""Fetching the term-date links leads gave: outside any transaction, one at a time, with a timeout and a size cap.

The handlers decide which links are due and what their content means (handlers/school_year/loading.py); this module
only does the slow, external part in between, so a command never waits on a local authority's web server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import urllib.request
from collections.abc import Callable
from datetime import datetime
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from handlers.school_year import loading
from handlers.school_year.sources import MAX_BYTES
from storage.db import Database

log = logging.getLogger("kept.calendars")

Fetch = Callable[[str], bytes]
TIMEOUT = 20.0


def fetch_url(url: str, *, allow_private: bool = False) -> bytes:
    """The body at `url` (http or https only), at most MAX_BYTES. Raises ValueError with a reason a lead can read.

    A link to this server's own network (loopback, private, link-local addresses) is refused unless
    `allow_private`, so a lead's link can't make Kept read its neighbours.
    """
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError("Only http:// and https:// links can be fetched.")
    if not allow_private:
        _refuse_private(urlsplit(url).hostname or "")
    request = urllib.request.Request(
        url, headers={"User-Agent": "Kept term dates", "Accept": "text/calendar, text/csv, */*"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (scheme checked above)
            body: bytes = response.read(MAX_BYTES + 1)
    except HTTPError as exc:
        raise ValueError(f"The link answered {exc.code} {exc.reason}.") from exc
    except (URLError, TimeoutError, OSError) as exc:
        raise ValueError("I couldn't reach that link.") from exc
    if len(body) > MAX_BYTES:
        raise ValueError("That file is larger than I can read (1 MB).")
    return body


def _refuse_private(host: str) -> None:
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError) as exc:
        raise ValueError("I couldn't find that web address.") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise ValueError("That link points inside this server's own network, so I won't fetch it.")


async def refresh(db: Database, fetch: Fetch, now: datetime) -> int:
    """Fetch every term-date link that is due and load what each gives. Returns how many were fetched."""
    due = await db.run(_claim, db, now)
    for calendar_id, url in due:
        content: bytes | None = None
        problem = ""
        try:
            content = await asyncio.to_thread(fetch, url)
        except ValueError as exc:
            problem = str(exc)
            log.info("term dates link for calendar %s failed: %s", calendar_id, problem)
        await db.run(_apply, db, calendar_id, content, problem, now)
    return len(due)


def _claim(db: Database, now: datetime) -> list[tuple[int, str]]:
    with db.transaction() as session:
        return loading.claim_due_links(session, now)


def _apply(db: Database, calendar_id: int, content: bytes | None, problem: str, now: datetime) -> None:
    with db.transaction() as session:
        loading.apply_fetched(session, calendar_id, content, problem, now)
