"""`kept serve --socket`: the same listeners over Slack's Socket Mode (SLACK_APP_TOKEN), for development behind
a firewall. Slack does not sign Socket Mode requests: the app-level token authenticates the connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.services import Services
from bot.slack import listeners
from bot.slack.bridge import Bridge
from bot.slack.routes import build_bolt, notifier_for


def attach(app: web.Application, services: Services) -> None:
    """Connect to Slack over Socket Mode while Kept's web app runs (health and Teams stay on HTTP)."""
    if not services.settings.slack_app_token.startswith("xapp-"):
        raise ValueError("Socket Mode needs SLACK_APP_TOKEN, an app-level token starting xapp-")
    services.notifiers.setdefault("slack", notifier_for(services))

    async def connected(_: web.Application) -> AsyncIterator[None]:
        bolt = build_bolt(services, socket_mode=True)
        bridge = Bridge(services)
        listeners.register(bolt, bridge)
        handler = AsyncSocketModeHandler(bolt, services.settings.slack_app_token)
        await handler.connect_async()
        yield
        await handler.close_async()
        await bridge.close()

    app.cleanup_ctx.append(connected)
