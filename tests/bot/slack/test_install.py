"""Many workspaces: Bolt's OAuth install with installations and states in Kept's own database, tokens unlogged."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlmodel import select

from bot.config import Settings
from bot.slack.installation_store import KeptInstallationStore, KeptOAuthStateStore
from bot.web import build_app
from bot.wiring import assemble
from handlers.clock import MovableClock
from storage.db import Database
from storage.models import SlackInstallation
from tests.harness.slack import SECRET, SlackStandIn, Workspace, text_of

# slack_sdk's oauth.v2.access still uses aiohttp.BasicAuth, deprecated in aiohttp 3.14 (harmless until aiohttp 4).
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

LOVELACE_TOKEN = "xoxb-lovelace-0000-secret"
OAUTH_ANSWER = {
    "ok": True,
    "app_id": "A0KEPT",
    "authed_user": {"id": "U0ADA"},
    "scope": "chat:write,commands,users:read",
    "token_type": "bot",
    "access_token": LOVELACE_TOKEN,
    "bot_user_id": "U0KEPT",
    "team": {"id": "T0LOVELACE", "name": "Lovelace College"},
    "enterprise": None,
    "is_enterprise_install": False,
}


def installation(team: str = "T0LOVELACE", token: str = LOVELACE_TOKEN) -> Installation:
    return Installation(
        app_id="A0KEPT",
        team_id=team,
        team_name="Lovelace College",
        bot_token=token,
        bot_id="B0KEPT",
        bot_user_id="U0KEPT",
        bot_scopes=["chat:write", "commands"],
        user_id="U0ADA",
    )


async def test_an_installation_is_saved_found_and_deleted(db: Database, clock: MovableClock) -> None:
    store = KeptInstallationStore(db, clock)
    await store.async_save(installation(token="xoxb-old"))
    await store.async_save(installation())
    bot = await store.async_find_bot(enterprise_id=None, team_id="T0LOVELACE")
    assert bot is not None and bot.bot_token == LOVELACE_TOKEN and bot.bot_scopes == ["chat:write", "commands"]
    found = await store.async_find_installation(enterprise_id=None, team_id="T0LOVELACE")
    assert found is not None and found.user_id == "U0ADA"
    assert await store.async_find_bot(enterprise_id=None, team_id="T0ADA") is None
    await store.async_delete_all(enterprise_id=None, team_id="T0LOVELACE")
    assert await store.async_find_bot(enterprise_id=None, team_id="T0LOVELACE") is None


async def test_an_oauth_state_works_once_and_not_after_it_expires(db: Database, clock: MovableClock) -> None:
    states = KeptOAuthStateStore(db, clock, expiration_seconds=600)
    state = await states.async_issue()
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False
    late = await states.async_issue()
    clock.advance(timedelta(minutes=11))
    assert await states.async_consume(late) is False


@pytest.fixture
async def many(
    slack_api: SlackStandIn, sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> AsyncIterator[Workspace]:
    settings = Settings(
        slack_signing_secret=SECRET,
        slack_client_id="1111.2222",
        slack_client_secret="oauth-secret-x",
        slack_api_url=slack_api.url + "api/",
    )
    client = await aiohttp_client(build_app(assemble(settings, clock, sqlite_db)))
    yield Workspace(client, slack_api, assemble(settings, clock, sqlite_db))


async def test_a_workspace_installs_kept_and_can_use_it_at_once(
    many: Workspace, slack_api: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack_api.faults["oauth.v2.access"] = (200, OAUTH_ANSWER, {})
    page = await many.client.get("/slack/install")
    assert page.status == 200
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"', await page.text())
    assert link and "scope=chat:write,commands,users:read&" in link.group(1).replace("&amp;", "&")
    state = re.search(r"state=([\w-]+)", link.group(1))
    assert state
    # The state cookie is Secure (HTTPS only); the test server speaks plain HTTP, so the browser's part is played here.
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in page.cookies.items())
    done = await many.client.get(
        f"/slack/oauth_redirect?code=code-from-slack&state={state.group(1)}", headers={"Cookie": cookie}
    )
    assert done.status == 200
    with many.parts.db.transaction() as session:
        row = session.exec(select(SlackInstallation)).one()
    assert row.team_id == "T0LOVELACE" and row.data["bot_token"] == LOVELACE_TOKEN

    checks = len(slack_api.of("auth.test"))
    for _ in range(3):  # slash commands from the newly installed workspace
        response = await many.command("U0ADA", "help", team="T0LOVELACE")
        assert response.status == 200 and "Kept can do" in text_of(await response.json())
    assert len(slack_api.of("auth.test")) == checks  # the installation holds the bot's ids: no call before an ack
    assert LOVELACE_TOKEN not in caplog.text and "oauth-secret-x" not in caplog.text


async def test_a_redirect_with_a_state_kept_never_issued_installs_nothing(many: Workspace) -> None:
    response = await many.client.get("/slack/oauth_redirect?code=code-from-slack&state=forged-state")
    assert response.status in (400, 401, 403)
    with many.parts.db.transaction() as session:
        assert session.exec(select(SlackInstallation)).all() == []


async def test_uninstalling_removes_the_workspaces_token(
    many: Workspace, sqlite_db: Database, clock: MovableClock
) -> None:
    await KeptInstallationStore(sqlite_db, clock).async_save(installation())
    response = await many.event({"type": "app_uninstalled"}, "Ev0GONE", team="T0LOVELACE")
    assert response.status == 200
    with many.parts.db.transaction() as session:
        assert session.exec(select(SlackInstallation)).all() == []


async def test_a_workspace_that_never_installed_kept_is_not_served(many: Workspace) -> None:
    response = await many.command("U0SAM", "offer maths tutoring", team="T0NOBODY")
    assert response.status in (200, 401)
    assert "Logged" not in await response.text()
