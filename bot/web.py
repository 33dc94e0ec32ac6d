"""The aiohttp app behind `kept serve`: Slack, Teams, signed links, review pages, health and readiness on one server."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from sqlalchemy import text

from bot import links, metrics, pages
from bot.readiness import Schema
from bot.review import routes as review_routes
from bot.wiring import Parts
from scheduler import jobs
from storage.db import Database

log = logging.getLogger("kept.web")

DATABASE = web.AppKey("database", Database)
SCHEMA = web.AppKey("schema", Schema)


class _ClientFaults(logging.Filter):
    """aiohttp logs a request it can't parse (a header over 8 KB, a malformed request line) at ERROR with a
    traceback. That is the client's mistake, already answered with a 4xx: keep one INFO line of it instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= (error.code or 0) < 500:
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = f"{record.msg} ({type(error).__name__}: refused with {error.code})"
            record.exc_info = record.exc_text = None
        return True


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and the schema is up to date; a load balancer stops sending work to a
    replica that can't reach it."""
    db = request.app[DATABASE]
    schema = request.app.get(SCHEMA)

    def ping() -> None:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await db.run(ping)
    except Exception as exc:  # noqa: BLE001
        log.warning("readiness check failed: database unreachable (%s)", type(exc).__name__)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    if schema is not None and not schema.ready:
        return web.json_response({"status": "unavailable", "database": "migrating"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def build_app(parts: Parts, *, scheduler: bool = False, schema: Schema | None = None) -> web.Application:
    """The whole web app from the assembled parts: each platform's routes only if it was built. With
    `scheduler`, the delivery tick runs in the app's loop from start-up to shutdown. With a `schema` not yet
    up to date (the database was away at start), its migration is retried in the background."""
    app = web.Application(client_max_size=1024 * 1024)
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _ClientFaults) for f in server_log.filters):
        server_log.addFilter(_ClientFaults())
    app[DATABASE] = parts.db
    if schema is not None:
        app[SCHEMA] = schema
        if not schema.ready:
            app.cleanup_ctx.append(schema.retrying(every=5.0))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    links.mount(app, parts.links, parts.db, parts.clock)
    review_routes.mount(app, parts.links, parts.db, parts.clock)
    pages.mount(app, parts.pages)
    if parts.metrics is not None:
        metrics.mount(app, parts.metrics, parts.db, parts.clock, parts.metrics_token)
    slack = parts.slack
    if slack is not None and slack.socket_token:
        from bot.slack import socket

        socket.attach(app, slack.bolt, slack.bridge, slack.socket_token)
    elif slack is not None:
        from bot.slack import routes as slack_routes

        slack_routes.mount(app, slack.bolt, slack.bridge, slack.signing_secret)
    if slack is not None:
        app.cleanup_ctx.append(slack.identity.warming())  # the bot's ids learned as it starts, not before an ack
    if parts.teams is not None:
        from bot.teams import routes as teams_routes

        teams_routes.mount(app, parts.teams)
    if scheduler:
        app.cleanup_ctx.append(jobs.cleanup_context(parts.delivery.tick, parts.tick_seconds, parts.timezone))
    return app
