"""Kept's real aiohttp app with Slack mounted, signed requests into it, and a Slack Web API stand-in beside it.

The stand-in runs on an ephemeral port (SLACK_API_URL points at it) and records every call, so tests assert on
what Slack would have received. Slash commands and interactivity payloads are form-encoded, events are JSON,
and everything is signed with the v0 scheme exactly as Slack signs it.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from bot.slack.bridge import Bridge
from bot.slack.routes import BRIDGE
from bot.slack.scopes import METHOD_SCOPES
from bot.web import build_app
from bot.wiring import Parts, assemble
from handlers.clock import MovableClock
from storage.db import Database

SECRET = "st-adas-signing-secret"
TEAM = "T0ADA"
PEOPLE = {
    "U0SAM": ("Sam Patel", "Europe/London"),
    "U0ALAN": ("Alan Okafor", "Europe/London"),
    "U0MAY": ("May Chen", "Asia/Singapore"),
}


RECORDED = Path(__file__).parent.parent / "payloads" / "slack"


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of a payload as Slack sends it (tests/payloads/slack/<name>.json): a fact about the platform."""
    found: dict[str, Any] = json.loads((RECORDED / f"{name}.json").read_text())
    return found


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    accepted: bool = True  # False when the stand-in was told to refuse it


@dataclass
class SlackStandIn:
    """Slack's Web API and response_url endpoint, as far as Kept uses them. `faults[method]` makes one fail."""

    calls: list[Call] = field(default_factory=list)
    faults: dict[str, tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=dict)
    once: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)  # then fine
    url: str = ""

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    def accepted(self, method: str) -> list[dict[str, Any]]:
        """Calls Slack took (not those the stand-in refused)."""
        return [c.args for c in self.calls if c.method == method and c.accepted]

    def methods(self) -> set[str]:
        return {c.method for c in self.calls}

    async def answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _arguments(request)
        call = Call(method, args)
        self.calls.append(call)
        fault = self.once[method].pop(0) if self.once.get(method) else self.faults.get(method)
        if fault:
            status, body, headers = fault
            call.accepted = status == 200 and bool(body.get("ok"))
            return web.json_response(body, status=status, headers=headers)
        return web.json_response(_reply(method, args))


async def start_slack_api() -> tuple[SlackStandIn, TestServer]:
    """The Web API and response_url stand-in on an ephemeral loopback port (its `url` set)."""
    stand_in = SlackStandIn()
    app = web.Application()
    app.router.add_route("*", "/api/{method}", stand_in.answer)
    app.router.add_route("*", "/respond/{method}", stand_in.answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    stand_in.url = str(server.make_url("/"))
    return stand_in, server


async def _arguments(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        args.update(await request.json())
    else:
        args.update(dict(await request.post()))
    for key, value in list(args.items()):
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):  # text someone typed may start with a bracket too
                args[key] = json.loads(value)
    return args


def _reply(method: str, args: dict[str, Any]) -> dict[str, Any]:
    if method == "auth.test":
        return {"ok": True, "user_id": "U0KEPT", "bot_id": "B0KEPT", "team_id": TEAM, "team": "St Ada's"}
    if method == "users.info":
        name, tz = PEOPLE.get(str(args.get("user")), ("", "Europe/London"))
        return {"ok": True, "user": {"id": args.get("user"), "tz": tz, "profile": {"display_name": name}}}
    if method == "chat.postMessage":
        return {"ok": True, "channel": args.get("channel"), "ts": "1795430000.000100"}
    if method.startswith("views."):
        return {"ok": True, "view": {"id": "V0KEPT"}}
    return {"ok": True}


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


@dataclass
class Workspace:
    """St Ada's Slack workspace, talking to Kept through signed HTTP requests."""

    client: TestClient
    api: SlackStandIn
    parts: Parts
    triggers: int = 0

    @property
    def bridge(self) -> Bridge:
        return self.client.app[BRIDGE]  # type: ignore[index]

    def trigger(self) -> str:
        self.triggers += 1
        return f"trigger-{self.triggers}"

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Any:
        sent = {"Content-Type": content_type, **sign(body), **(headers or {})}
        return await self.client.post("/slack/events", data=body.encode(), headers=sent)

    async def command(
        self,
        user: str,
        text: str,
        *,
        trigger: str = "",
        headers: dict[str, str] | None = None,
        team: str = TEAM,
    ) -> Any:
        form = recorded("slash_command") | {
            "team_id": team,
            "user_id": user,
            "user_name": user.lower(),
            "text": text,
            "response_url": self.api.url + "respond/command",
            "trigger_id": trigger or self.trigger(),
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", headers)

    async def interact(self, payload: dict[str, Any]) -> Any:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(
        self, user: str, value: str, *, action_id: str = "kept:done:0", home: bool = False, overflow: bool = False
    ) -> Any:
        """A button pressed (or, with `overflow`, an option chosen from an overflow menu) as Slack sends it."""
        payload = recorded("block_actions_home" if home else "block_actions_message")
        payload["user"]["id"], payload["trigger_id"] = user, self.trigger()
        action = payload["actions"][0] | {"action_id": action_id}
        if overflow:
            del action["value"]
            action |= {
                "type": "overflow",
                "selected_option": {"text": {"type": "plain_text", "text": "…"}, "value": value},
            }
        else:
            action["value"] = value
        payload["actions"] = [action]
        if not home:
            payload["response_url"] = self.api.url + "respond/button"
        return await self.interact(payload)

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, dict[str, Any]]) -> Any:
        state = {"values": {block: {block: value} for block, value in values.items()}}
        payload = recorded("view_submission")
        payload["user"]["id"], payload["trigger_id"] = user, self.trigger()
        payload["view"] = {**view, "id": "V0FORM", "state": state, "hash": "h1"}
        return await self.interact(payload)

    async def event(
        self, event: dict[str, Any], event_id: str, headers: dict[str, str] | None = None, team: str = TEAM
    ) -> Any:
        body = json.dumps(recorded("event_callback") | {"team_id": team, "event": event, "event_id": event_id})
        return await self.post(body, "application/json", headers)

    async def say(self, user: str, text: str) -> dict[str, Any]:
        """A slash command whose ack must be a 200 reply; returns its JSON body."""
        response = await self.command(user, text)
        assert response.status == 200, await response.text()
        reply: dict[str, Any] = await response.json()
        return reply


def text_of(reply: dict[str, Any]) -> str:
    """Everything a person would read in a reply or view: every text in its blocks."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(reply.get("blocks", []))
    return "\n".join(found)


async def _workspace(api: SlackStandIn, db: Database, clock: MovableClock, aiohttp_client: Any) -> Workspace:
    settings = Settings(slack_signing_secret=SECRET, slack_bot_token="xoxb-st-adas", slack_api_url=api.url + "api/")
    parts = assemble(settings, clock, db)
    return Workspace(await aiohttp_client(build_app(parts)), api, parts)


async def _finished(workspace: Workspace) -> None:
    await workspace.bridge.settle()
    called = {method for method in workspace.api.methods() if "." in method}  # response_url posts have no dot
    assert called <= set(METHOD_SCOPES), f"called without a row in bot/slack/scopes.py: {called - set(METHOD_SCOPES)}"
