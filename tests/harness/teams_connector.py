"""A stand-in for the Bot Connector service (Teams' serviceUrl) on an ephemeral loopback port.

It records what Kept posts, updates and creates, so tests assert on what Teams would receive, and it can be
told to fail the next calls (a 500, a 429 with Retry-After, a 403 when the bot was removed).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str
    activity_id: str
    body: dict[str, Any]
    authorization: str | None
    answered_id: str = ""  # the id the stand-in gave back (a posted activity's id, a new conversation's id)

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card this activity carries (the first attachment's content)."""
        attachment = self.body["attachments"][0]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        content: dict[str, Any] = attachment["content"]
        return content


@dataclass
class Connector:
    calls: list[Call] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.failures += [(status, headers)] * times

    @property
    def posts(self) -> list[Call]:
        """Messages Kept sent (replies and proactive posts), in order."""
        return [c for c in self.calls if c.method == "POST" and "/activities" in c.path]

    @property
    def accepted_posts(self) -> list[Call]:
        """Posts the service took (the refused ones have no id)."""
        return [c for c in self.posts if c.answered_id]

    @property
    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    @property
    def created(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v3/conversations"]

    def last_card(self) -> dict[str, Any]:
        return self.posts[-1].card

    async def _record(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = Call(
            request.method,
            request.path,
            request.match_info.get("conversation", ""),
            request.match_info.get("activity", ""),
            body,
            request.headers.get("Authorization"),
        )
        self.calls.append(call)
        if self.failures:
            status, headers = self.failures.pop(0)
            error = {"error": {"code": "ServiceError", "message": "stand-in failure"}}
            return web.json_response(error, status=status, headers=headers)
        if call.path == "/v3/conversations":
            call.answered_id = f"a:1on1-{next(self._ids)}"
        elif request.method == "PUT":
            call.answered_id = call.activity_id
        else:
            call.answered_id = f"1732{next(self._ids):09d}"
        return web.json_response({"id": call.answered_id}, status=200 if request.method == "PUT" else 201)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._record)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._record)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._record)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._record)
        return app


async def start_connector() -> tuple[Connector, TestServer]:
    connector = Connector()
    server = TestServer(connector.app(), host="127.0.0.1")
    await server.start_server()
    connector.url = str(server.make_url("/"))
    return connector, server
