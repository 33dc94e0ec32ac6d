"""`kept serve --socket`: the same listeners over Slack's Socket Mode (SLACK_APP_TOKEN), for development behind
a firewall. Slack does not sign Socket Mode requests: the app-level token authenticates the connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.slack import listeners
from bot.slack.bridge import Bridge


def attach(app: web.Application, bolt: AsyncApp, bridge: Bridge, app_token: str) -> None:
    """Connect to Slack over Socket Mode while Kept's web app runs (health and Teams stay on HTTP)."""

    async def connected(_: web.Application) -> AsyncIterator[None]:
        listeners.register(bolt, bridge)
        handler = AsyncSocketModeHandler(bolt, app_token)
        await handler.connect_async()
        yield
        await handler.close_async()
        await bridge.settle()

    app.cleanup_ctx.append(connected)
