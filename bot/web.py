"""The aiohttp app behind `kept serve`: Slack, Teams, health and readiness on one server."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from bot import links
from bot.services import Services

log = logging.getLogger("kept.web")

SERVICES = web.AppKey("services", Services)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers; a load balancer stops sending work to a replica that can't reach it."""
    services = request.app[SERVICES]

    def ping() -> None:
        with services.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        import asyncio

        await asyncio.to_thread(ping)
    except Exception:  # noqa: BLE001
        log.warning("readiness check failed: database unreachable", exc_info=True)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def build_app(services: Services) -> web.Application:
    """The whole web app. Each platform mounts its own routes; none knows of the others."""
    app = web.Application(client_max_size=1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    links.mount(app, services)  # signed download links (a session's .ics) for Slack and Teams
    # Platform adapters mount themselves here (bot/slack/routes.py, bot/teams/routes.py).
    if services.settings.slack_configured:
        from bot.slack import routes as slack_routes

        slack_routes.mount(app, services)
    from bot.teams import routes as teams_routes

    teams_routes.mount(app, services)
    return app
