"""Kept's real aiohttp app with Teams mounted, and a Bot Connector stand-in as every activity's serviceUrl."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.services import Services
from bot.web import build_app
from handlers.clock import MovableClock
from storage.db import Database
from tests.bot.teams import payloads
from tests.bot.teams.connector import Connector, start_connector
from tests.bot.teams.payloads import TeamsUser


@dataclass
class TeamsChat:
    """Teams, as Kept sees it: activities go in over HTTP, and what Kept sends lands on the connector."""

    client: TestClient
    connector: Connector
    services: Services

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


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    stand_in, server = await start_connector()
    yield stand_in
    await server.close()


MakeTeams = Callable[..., Any]


@pytest.fixture
def make_teams(aiohttp_client: Any, connector: Connector, sqlite_db: Database, clock: MovableClock) -> MakeTeams:
    """`await make_teams(MicrosoftAppId=...)`: the app with those settings (none: unauthenticated, local)."""

    async def make(**settings: Any) -> TeamsChat:
        services = Services.create(Settings(_env_file=None, **settings), clock, db=sqlite_db)  # type: ignore[call-arg]
        client = await aiohttp_client(build_app(services))
        return TeamsChat(client, connector, services)

    return make


@pytest.fixture
async def teams(make_teams: MakeTeams) -> TeamsChat:
    chat: TeamsChat = await make_teams()
    return chat
