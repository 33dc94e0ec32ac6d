"""The least a bot for Slack and Teams holds in memory: an aiohttp app that builds a Bolt AsyncApp and a botbuilder
CloudAdapter (ConfigurationBotFrameworkAuthentication), with no database. The footprint bench's baseline.

    .venv/bin/python bench/minimal_two_platforms.py --port 8102
"""

from __future__ import annotations

import argparse


def serve(port: int) -> None:
    """Bolt and botbuilder, both built, behind one aiohttp app with /healthz: the least a two-platform bot holds."""
    from aiohttp import web
    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp

    class Config:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    bolt = AsyncApp(signing_secret="bench-signing-secret", token="xoxb-bench")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))

    async def slack(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def teams(request: web.Request) -> web.Response:
        response = await adapter.process(request, bot=None)
        return response or web.Response(status=201)

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/slack/events", slack)
    app.router.add_post("/api/messages", teams)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8102)
    serve(parser.parse_args().port)


if __name__ == "__main__":
    main()
