"""With MicrosoftAppId set, a token signed by the Bot Framework's key is accepted, and near-misses are refused.

Kept fetches the signing keys from a stand-in of login.botframework.com (KEPT_TEAMS_OPENID_URL), so the real
validation runs with no network: the fetch is asynchronous, bounded by a timeout, and made at most once per
interval however many requests ask for it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.teams.tokens import Refused, SigningKeys, TokenChecker
from tests.harness import teams_payloads as payloads
from tests.harness.teams import MakeTeams, TeamsChat
from tests.harness.teams_keys import ANOTHER_KEY, APP_ID, KeyService, token
from tests.harness.teams_payloads import ALAN, GRACE


@pytest.fixture
async def secured(make_teams: MakeTeams, key_service: KeyService) -> TeamsChat:
    chat: TeamsChat = await make_teams(
        microsoft_app_id=APP_ID, microsoft_app_password="s3cret", teams_openid_url=key_service.openid_url
    )
    return chat


def colleague_added(secured: TeamsChat) -> dict[str, Any]:
    """A conversationUpdate that needs no reply (someone else joined the team), so no outbound token."""
    activity = payloads.bot_added_to_team(GRACE, secured.connector.url)
    activity["membersAdded"] = [{"id": ALAN.teams_id, "aadObjectId": ALAN.aad_id}]
    return activity


async def test_an_activity_signed_by_the_bot_framework_for_this_bot_is_accepted(secured: TeamsChat) -> None:
    status = await secured.post(colleague_added(secured), Authorization=token(secured.connector.url))

    assert status == 201


@pytest.mark.parametrize(
    "forged",
    [
        {"key": ANOTHER_KEY},
        {"kid": "a-key-nobody-published"},
        {"aud": "11111111-2222-4333-8444-555555555555"},
        {"serviceurl": "https://elsewhere.example/"},
        {"exp": int(time.time()) - 3600},
        {"iss": "https://sts.windows.net/attacker/"},
    ],
    ids=[
        "signed with another key",
        "unknown key id",
        "meant for another bot",
        "another serviceUrl",
        "expired",
        "another issuer",
    ],
)
async def test_near_miss_tokens_are_refused_with_401_not_500(secured: TeamsChat, forged: dict[str, Any]) -> None:
    status = await secured.post(colleague_added(secured), Authorization=token(secured.connector.url, **forged))

    assert status == 401
    assert secured.connector.calls == []


@pytest.mark.parametrize(
    "forged",
    [
        {"iss": "https://attacker.example"},
        {"aud": "someone-else"},
        {"exp": int(time.time()) - 3600},
        {"serviceurl": "http://127.0.0.1:9/"},
    ],
    ids=["issuer", "audience", "expired", "serviceUrl"],
)
async def test_tokens_wrong_before_any_key_is_needed_never_cause_a_fetch(
    secured: TeamsChat, key_service: KeyService, forged: dict[str, Any]
) -> None:
    for _ in range(3):
        status = await secured.post(
            colleague_added(secured), Authorization=token(secured.connector.url, kid="unknown", **forged)
        )
        assert status == 401

    assert key_service.fetches == 0


async def test_unknown_key_ids_refresh_the_keys_at_most_once_per_interval(
    secured: TeamsChat, key_service: KeyService
) -> None:
    assert await secured.post(colleague_added(secured), Authorization=token(secured.connector.url)) == 201
    forged = [token(secured.connector.url, kid=f"forged-{n}") for n in range(10)]

    statuses = await asyncio.gather(*(secured.post(colleague_added(secured), Authorization=f) for f in forged))

    assert set(statuses) == {401}
    assert key_service.fetches == 1, "the first request fetched the keys; no forged key id fetched them again"


async def test_an_unreachable_key_service_is_a_503_and_is_not_asked_again_within_the_interval(
    make_teams: MakeTeams,
) -> None:
    chat = await make_teams(
        microsoft_app_id=APP_ID, microsoft_app_password="s3cret", teams_openid_url="http://127.0.0.1:9/openid"
    )

    first = await chat.post(colleague_added(chat), Authorization=token(chat.connector.url))
    again = await chat.post(colleague_added(chat), Authorization=token(chat.connector.url))

    assert (first, again) == (503, 503)
    assert chat.parts.teams is not None and chat.parts.teams.tokens is not None
    assert chat.parts.teams.tokens.keys.fetches == 1


async def test_concurrent_requests_share_one_fetch_and_a_later_unknown_key_waits_for_the_interval(
    key_service: KeyService,
) -> None:
    now = [1000.0]
    keys = SigningKeys(key_service.openid_url, retry_after=300.0, clock=lambda: now[0])
    checker = TokenChecker(APP_ID, keys)
    url = "https://smba.trafficmanager.net/emea/"
    key_service.delay = 0.05

    await asyncio.gather(*(checker.claims(token(url), url, "msteams") for _ in range(5)))
    with pytest.raises(Refused):
        await checker.claims(token(url, kid="rotated"), url, "msteams")
    assert keys.fetches == 1
    now[0] += 301
    key_service.keys.append({**key_service.keys[0], "kid": "rotated"})

    assert (await checker.claims(token(url, kid="rotated"), url, "msteams"))["aud"] == APP_ID
    assert keys.fetches == 2


async def test_healthz_stays_under_50_ms_while_20_forged_tokens_wait_on_a_slow_key_service(
    secured: TeamsChat, key_service: KeyService
) -> None:
    key_service.delay = 1.0
    forged = [token(secured.connector.url, kid=f"forged-{n}") for n in range(20)]
    attack = [asyncio.create_task(secured.post(colleague_added(secured), Authorization=f)) for f in forged]
    await asyncio.sleep(0.1)  # every forged request is now waiting on the key service

    timings = []
    for _ in range(10):
        started = time.perf_counter()
        response = await secured.client.get("/healthz")
        assert response.status == 200
        timings.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)
    statuses = await asyncio.gather(*attack)

    assert max(timings) < 0.050, f"/healthz took {max(timings) * 1000:.1f} ms"
    assert set(statuses) == {401}
    assert key_service.fetches == 1
