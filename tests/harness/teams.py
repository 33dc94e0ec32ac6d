"""Kept's real aiohttp app with Teams mounted, and a Bot Connector stand-in as every activity's serviceUrl."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient

from bot.wiring import Parts
from tests.harness import teams_payloads as payloads
from tests.harness.teams_connector import Connector
from tests.harness.teams_payloads import TeamsUser


@dataclass
class TeamsChat:
    """Teams, as Kept sees it: activities go in over HTTP, and what Kept sends lands on the connector."""

    client: TestClient
    connector: Connector
    parts: Parts

    async def post(self, activity: dict[str, Any], **headers: str) -> int:
        response = await self.client.post("/api/messages", json=activity, headers=headers)
        await response.read()
        return response.status

    async def say(self, user: TeamsUser, text: str, *, channel: bool = False) -> dict[str, Any]:
        """Send a message and return the card Kept replied with."""
        before = len(self.connector.posts)
        status = await self.post(payloads.message(user, text, self.connector.url, channel=channel))
        assert status == 201
        assert len(self.connector.posts) == before + 1, "Kept should reply exactly once"
        return self.connector.last_card()

    async def press(self, user: TeamsUser, value: Any, reply_to: str, *, channel: bool = False) -> int:
        return await self.post(payloads.card_press(user, value, self.connector.url, reply_to, channel=channel))


MakeTeams = Callable[..., Any]
