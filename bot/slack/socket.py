"""`kept serve --socket`: the same listeners over Slack's Socket Mode (SLACK_APP_TOKEN), for development behind
a firewall. Slack does not sign Socket Mode requests: the app-level token authenticates the connection."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.services import Services
from bot.slack import listeners
from bot.slack.bridge import Bridge
from bot.slack.routes import build_bolt, notifier_for


async def connect(services: Services) -> AsyncSocketModeHandler:
    """Open the Socket Mode connection in the running loop; the caller keeps it and closes it on shutdown
    (`await handler.close_async()`), so the scheduler can share the loop."""
    bolt = build_bolt(services, socket_mode=True)
    listeners.register(bolt, Bridge(services))
    services.notifiers.setdefault("slack", notifier_for(services))
    handler = AsyncSocketModeHandler(bolt, services.settings.slack_app_token)
    await handler.connect_async()
    return handler
