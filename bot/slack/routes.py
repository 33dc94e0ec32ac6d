"""Slack's routes on Kept's aiohttp server: POST /slack/events, and the OAuth install routes with a client id.

Bolt runs inline (`process_before_response=True`): its ack is the HTTP response, sent once the command's write
has committed. Before Bolt, the route checks the signing headers' shape (Bolt answers 500 to a non-numeric
timestamp, and logs a traceback for a non-ASCII signature), the signature itself, and that the signed body is a
well-formed Slack payload (bot/slack/payloads.py; Bolt answers 500 to anything else). The signature then goes
with the request as its id, so a signed request replayed within Slack's five minutes changes nothing again.
Together these cost about 30 microseconds a request (a second HMAC and a walk over the payload).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.slack import listeners, payloads
from bot.slack.app import INSTALL_PATH, REDIRECT_PATH
from bot.slack.bridge import REQUEST_ID, Bridge

log = logging.getLogger("kept.slack")

EVENTS_PATH = "/slack/events"
INLINE_BYTES = 64 * 1024  # a body larger than this is checked in a thread (Kept's own payloads are a few KB)
MAX_SKEW_SECONDS = 300  # Slack's own rule: refuse requests signed more than five minutes from now
BOLT = web.AppKey("slack_bolt", AsyncApp)
BRIDGE = web.AppKey("slack_bridge", Bridge)
SECRET = web.AppKey("slack_signing_secret", bytes)


_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def refusal(headers: Mapping[str, str], now: float) -> str:
    """Why a request's signing headers can't be right ('' when their shape is fine)."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return "missing or malformed X-Slack-Request-Timestamp"
    if abs(now - int(stamp)) > MAX_SKEW_SECONDS:
        return "stale X-Slack-Request-Timestamp"
    if not _SIGNATURE.fullmatch(headers.get("X-Slack-Signature", "")):
        return "missing or malformed X-Slack-Signature"
    return ""


def signed(secret: bytes, stamp: str, raw: bytes, signature: str) -> bool:
    """Slack's v0 signature over the raw bytes (slack_sdk's verifier decodes them first, and fails on bad UTF-8)."""
    expected = "v0=" + hmac.new(secret, b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def mount(app: web.Application, bolt: AsyncApp, bridge: Bridge, signing_secret: str) -> None:
    """Add Slack's routes to Kept's web app (the composition root built `bolt` and `bridge`)."""
    listeners.register(bolt, bridge)
    app[BOLT], app[BRIDGE] = bolt, bridge
    app[SECRET] = signing_secret.encode()
    app.on_cleanup.append(lambda _: bridge.settle())
    app.router.add_post(EVENTS_PATH, events)
    if bolt.oauth_flow is not None:
        app.router.add_get(INSTALL_PATH, install)
        app.router.add_get(REDIRECT_PATH, oauth_redirect)


async def events(request: web.Request) -> web.Response:
    """Commands, interactivity and events, all signed by Slack."""
    headers = request.headers
    reason = refusal(headers, time.time())
    if reason:
        return web.Response(status=401, text=reason)
    raw = await request.read()
    signature = headers["X-Slack-Signature"]
    if not signed(request.app[SECRET], headers["X-Slack-Request-Timestamp"], raw, signature):
        return web.Response(status=401, text="invalid signature")
    malformed = await _problem(raw, request.content_type)
    if malformed:
        log.info("signed Slack request refused: %s", malformed)
        return web.Response(status=400, text="not a Slack payload")
    bolt_request = await to_bolt_request(request)
    bolt_request.context[REQUEST_ID] = signature
    response = await request.app[BOLT].async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


async def _problem(raw: bytes, content_type: str) -> str:
    """Why `raw` is not a Slack payload. A large body (Kept's own are a few KB) is read in a thread, so that even a
    signed but pathological one leaves the event loop answering everyone else."""
    if len(raw) <= INLINE_BYTES:
        return payloads.problem(raw, content_type)
    return await asyncio.to_thread(payloads.problem, raw, content_type)


async def install(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None  # the route exists only with a flow
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def oauth_redirect(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))
