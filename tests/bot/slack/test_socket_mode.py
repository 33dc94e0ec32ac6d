"""`kept serve --socket`: a slash command arriving over a Socket Mode WebSocket gets the same reply, as its ack."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.web import build_app
from bot.wiring import StartupError, assemble
from handlers.clock import MovableClock
from storage.db import Database
from tests.harness.slack import TEAM, SlackStandIn, text_of


def envelope(number: int, text: str) -> dict[str, Any]:
    payload = {
        "team_id": TEAM,
        "user_id": "U0SAM",
        "user_name": "sam",
        "command": "/partner",
        "text": text,
        "channel_id": "C0STAFF",
        "trigger_id": f"trigger-socket-{number}",
        "api_app_id": "A0KEPT",
        "response_url": "https://hooks.slack.invalid/x",
    }
    return {
        "envelope_id": f"env-{number}",
        "type": "slash_commands",
        "payload": payload,
        "accepts_response_payload": True,
    }


async def test_a_slash_command_over_socket_mode_is_answered_in_its_ack(
    slack_api: SlackStandIn, sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> None:
    acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def link(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        for number, text in enumerate(["join St Ada's School", "offer a minibus on Fridays"]):
            await ws.send_json(envelope(number, text))
            message = await ws.receive()
            while message.type == WSMsgType.PING:
                message = await ws.receive()
            await acks.put(json.loads(message.data))
        await ws.close()
        return ws

    link_app = web.Application()
    link_app.router.add_get("/link", link)
    link_server = TestServer(link_app)
    await link_server.start_server()
    slack_api.faults["apps.connections.open"] = (200, {"ok": True, "url": str(link_server.make_url("/link"))}, {})
    settings = Settings(
        slack_app_token="xapp-1-st-adas", slack_bot_token="xoxb-st-adas", slack_api_url=slack_api.url + "api/"
    )
    parts = assemble(settings, clock, sqlite_db, socket=True)
    await aiohttp_client(build_app(parts))  # starting the app opens the Socket Mode connection

    joined = await asyncio.wait_for(acks.get(), 10)
    offered = await asyncio.wait_for(acks.get(), 10)
    assert joined["envelope_id"] == "env-0" and "Welcome to Kept" in text_of(joined["payload"])
    assert "on the board (O1)" in text_of(offered["payload"])
    await link_server.close()


def test_socket_mode_without_an_app_level_token_is_refused(sqlite_db: Database, clock: MovableClock) -> None:
    with pytest.raises(StartupError, match="xapp-"):
        assemble(Settings(slack_app_token="xoxb-not-an-app-token"), clock, sqlite_db)


def test_socket_mode_without_a_bot_token_is_refused_as_it_starts(sqlite_db: Database, clock: MovableClock) -> None:
    with pytest.raises(StartupError, match="SLACK_BOT_TOKEN"):
        assemble(Settings(slack_app_token="xapp-1-st-adas"), clock, sqlite_db)
