"""/api/messages refuses what isn't a genuine Teams activity with a 4xx and a short body, never a 500."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from bot.config import Settings
from bot.teams.adapter import BotFrameworkConfig, make_adapter
from bot.wiring import StartupError, assemble
from handlers.clock import MovableClock
from storage.db import Database
from tests.harness import teams_payloads as payloads
from tests.harness.teams import MakeTeams, TeamsChat
from tests.harness.teams_payloads import GRACE

APP_ID = "0c3f7a51-5b52-4c8e-a3f1-8b6a3c2e9d10"


def unsigned_jwt(issuer: str) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header = part({"alg": "RS256", "typ": "JWT", "kid": "not-a-real-key"})
    claims = part({"iss": issuer, "aud": APP_ID, "exp": 4102444800, "serviceurl": "http://127.0.0.1/"})
    return f"{header}.{claims}.c2lnbmF0dXJl"


@pytest.fixture
async def secured(make_teams: MakeTeams) -> TeamsChat:
    chat: TeamsChat = await make_teams(microsoft_app_id=APP_ID, microsoft_app_password="s3cret")
    return chat


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer garbage",
        "Bearer a.b.c",
        "Basic Z3JhY2U6aG9wcGVy",
        f"Bearer {unsigned_jwt('https://attacker.example')}",
    ],
    ids=["no header", "garbage bearer", "jwt-shaped junk", "basic auth", "token from an unknown issuer"],
)
async def test_with_an_app_id_unauthenticated_requests_are_refused(
    secured: TeamsChat, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    status = await secured.post(payloads.message(GRACE, "join Hopper Academy", secured.connector.url), **headers)

    assert status == 401
    assert secured.connector.calls == [], "nothing may be sent on behalf of an unauthenticated request"


async def test_malformed_json_is_a_400(teams: TeamsChat) -> None:
    response = await teams.client.post(
        "/api/messages", data=b'{"type": "message",', headers={"Content-Type": "application/json"}
    )

    assert response.status == 400
    assert await response.json() == {"error": "malformed JSON"}


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"text": "join Hopper Academy"},
        {"type": "message", "serviceUrl": "ftp://x", "conversation": {"id": "a"}},
        {"type": "message", "serviceUrl": "http://127.0.0.1/", "conversation": "a"},
        {"type": 7},
    ],
    ids=["a list", "no type", "odd serviceUrl", "conversation not an object", "type not text"],
)
async def test_json_that_is_not_an_activity_is_a_400(teams: TeamsChat, body: object) -> None:
    response = await teams.client.post("/api/messages", json=body)

    assert response.status == 400
    assert teams.connector.calls == []


async def test_the_wrong_content_type_is_refused(teams: TeamsChat) -> None:
    activity = payloads.message(GRACE, "help", teams.connector.url)
    response = await teams.client.post(
        "/api/messages", data=json.dumps(activity), headers={"Content-Type": "text/plain"}
    )

    assert response.status == 415


async def test_an_oversized_body_is_refused_before_it_is_read(teams: TeamsChat) -> None:
    activity = payloads.message(GRACE, "offer " + "x" * 300_000, teams.connector.url)

    assert await teams.post(activity) == 413
    assert teams.connector.calls == []


def _teams_served(sqlite_db: Database, clock: MovableClock, **settings: object) -> bool:
    parts = assemble(Settings(_env_file=None, **settings), clock, sqlite_db)  # type: ignore[call-arg]
    return parts.teams is not None


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_without_an_app_id_teams_is_not_served_even_on_loopback(
    sqlite_db: Database, clock: MovableClock, host: str
) -> None:
    assert not _teams_served(sqlite_db, clock, host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_kept_allow_insecure_teams_serves_it_unauthenticated_and_says_so_loudly(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    sqlite_db: Database,
    clock: MovableClock,
    host: str,
) -> None:
    monkeypatch.setenv("KEPT_ALLOW_INSECURE_TEAMS", "1")

    with caplog.at_level(logging.WARNING, logger="kept.teams"):
        assert _teams_served(sqlite_db, clock, host=host)

    assert "UNAUTHENTICATED" in caplog.text


def test_with_an_app_id_teams_is_served_anywhere(sqlite_db: Database, clock: MovableClock) -> None:
    assert _teams_served(sqlite_db, clock, host="0.0.0.0", microsoft_app_id=APP_ID, microsoft_app_password="s3cret")


def test_single_tenant_settings_must_name_the_tenant(sqlite_db: Database, clock: MovableClock) -> None:
    with pytest.raises(StartupError, match="MicrosoftAppTenantId"):
        _teams_served(
            sqlite_db,
            clock,
            microsoft_app_id=APP_ID,
            microsoft_app_password="s3cret",
            microsoft_app_type="SingleTenant",
        )


def test_single_tenant_settings_build_an_adapter(sqlite_db: Database, clock: MovableClock) -> None:
    assert _teams_served(
        sqlite_db,
        clock,
        microsoft_app_id=APP_ID,
        microsoft_app_password="s3cret",
        microsoft_app_type="SingleTenant",
        microsoft_app_tenant_id=payloads.HOPPER_TENANT,
    )


async def test_an_invoke_kept_does_not_handle_gets_not_implemented_not_a_crash(teams: TeamsChat) -> None:
    activity = payloads.message(GRACE, "", teams.connector.url)
    activity.update(type="invoke", name="task/fetch", value={"data": {"kept": "command", "command": "mine"}})
    del activity["text"]

    response = await teams.client.post("/api/messages", json=activity)

    assert response.status == 501


def test_the_quicker_msrest_retry_set_up_retries_the_same_status_codes() -> None:
    from msrest.universal_http.requests import ClientRetryPolicy

    make_adapter(BotFrameworkConfig("", "", "MultiTenant", ""))

    safe = [i for i in range(500) if i != 408] + [501, 505]
    assert ClientRetryPolicy().policy.status_forcelist == [i for i in range(999) if i not in safe]
