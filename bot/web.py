"""The aiohttp app behind `kept serve`: Slack, Teams, signed links, health and readiness on one server."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from bot import links
from bot.wiring import Parts
from scheduler import jobs
from storage.db import Database

log = logging.getLogger("kept.web")

DATABASE = web.AppKey("database", Database)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers; a load balancer stops sending work to a replica that can't reach it."""
    db = request.app[DATABASE]

    def ping() -> None:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await db.run(ping)
    except Exception:  # noqa: BLE001
        log.warning("readiness check failed: database unreachable", exc_info=True)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def build_app(parts: Parts, *, scheduler: bool = False) -> web.Application:
    """The whole web app from the assembled parts: each platform's routes only if it was built. With
    `scheduler`, the delivery tick runs in the app's loop from start-up to shutdown."""
    app = web.Application(client_max_size=1024 * 1024)
    app[DATABASE] = parts.db
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    links.mount(app, parts.links, parts.db, parts.clock)
    slack = parts.slack
    if slack is not None and slack.socket_token:
        from bot.slack import socket

        socket.attach(app, slack.bolt, slack.bridge, slack.socket_token)
    elif slack is not None:
        from bot.slack import routes as slack_routes

        slack_routes.mount(app, slack.bolt, slack.bridge, slack.signing_secret)
    if parts.teams is not None:
        from bot.teams import routes as teams_routes

        teams_routes.mount(app, parts.teams)
    if scheduler:
        app.cleanup_ctx.append(jobs.cleanup_context(parts.delivery.tick, parts.tick_seconds, parts.timezone))
    return app
