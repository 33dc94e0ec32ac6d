"""Slack's routes on Kept's aiohttp server: POST /slack/events, and the OAuth install routes with a client id.

Bolt runs inline (`process_before_response=True`): its ack is the HTTP response, sent once the command's write
has committed. The route checks the signing headers' shape first, because Bolt answers 500 to a non-numeric
timestamp; Bolt then checks the signature itself (401 when it is wrong).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.slack import listeners
from bot.slack.app import INSTALL_PATH, REDIRECT_PATH
from bot.slack.bridge import Bridge

log = logging.getLogger("kept.slack")

EVENTS_PATH = "/slack/events"
MAX_SKEW_SECONDS = 300  # Slack's own rule: refuse requests signed more than five minutes from now
BOLT = web.AppKey("slack_bolt", AsyncApp)
BRIDGE = web.AppKey("slack_bridge", Bridge)


def refusal(headers: Mapping[str, str], now: float) -> str:
    """Why a request's signing headers can't be right ('' when their shape is fine)."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return "missing or malformed X-Slack-Request-Timestamp"
    if abs(now - int(stamp)) > MAX_SKEW_SECONDS:
        return "stale X-Slack-Request-Timestamp"
    if not headers.get("X-Slack-Signature", "").startswith("v0="):
        return "missing X-Slack-Signature"
    return ""


def mount(app: web.Application, bolt: AsyncApp, bridge: Bridge) -> None:
    """Add Slack's routes to Kept's web app (the composition root built `bolt` and `bridge`)."""
    listeners.register(bolt, bridge)
    app[BOLT], app[BRIDGE] = bolt, bridge
    app.on_cleanup.append(lambda _: bridge.settle())
    app.router.add_post(EVENTS_PATH, events)
    if bolt.oauth_flow is not None:
        app.router.add_get(INSTALL_PATH, install)
        app.router.add_get(REDIRECT_PATH, oauth_redirect)


async def events(request: web.Request) -> web.Response:
    """Commands, interactivity and events, all signed by Slack."""
    reason = refusal(request.headers, time.time())
    if reason:
        return web.Response(status=401, text=reason)
    bolt = request.app[BOLT]
    response = await bolt.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(response)


async def install(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None  # the route exists only with a flow
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def oauth_redirect(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))
