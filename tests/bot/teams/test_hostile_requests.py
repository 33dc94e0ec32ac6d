"""Hostile requests at /api/messages over HTTP, into Kept's real app: tokens, service URLs, encodings, sizes and
shapes. Each gets a clear 4xx (or, for an odd but harmless activity, a normal answer), nothing is stored that
shouldn't be, nothing is sent anywhere not on the allow-list, and no traceback reaches the log."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import jwt
import pytest
from sqlmodel import select

from storage.models import Listing
from tests.harness import teams_payloads as payloads
from tests.harness.hostile import stored, tracebacks
from tests.harness.teams import MakeTeams, TeamsChat
from tests.harness.teams_keys import APP_ID, KeyService, token
from tests.harness.teams_payloads import ALAN, GRACE


def _part(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def forged(header: dict[str, Any], claims: dict[str, Any] | None = None) -> str:
    body = claims or {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": 4102444800}
    return f"Bearer {_part(header)}.{_part(body)}.c2ln"


@pytest.fixture
async def secured(make_teams: MakeTeams, key_service: KeyService) -> TeamsChat:
    chat: TeamsChat = await make_teams(
        microsoft_app_id=APP_ID, microsoft_app_password="s3cret", teams_openid_url=key_service.openid_url
    )
    return chat


TOKENS = {
    "bearer alone": "Bearer",
    "lower-case scheme": "bearer a.b.c",
    "not ASCII": "Bearer éé.éé.éé",
    "two parts": "Bearer abc.def",
    "parts not base64": "Bearer !!!.???.***",
    "header a list": f"Bearer {_part([1])}.{_part({})}.c2ln",
    "alg none": forged({"alg": "none", "kid": "k"}),
    "alg HS256": forged({"alg": "HS256", "kid": "k"}),
    "no key id": forged({"alg": "RS256"}),
    "key id a number": forged({"alg": "RS256", "kid": 7}),
    "key id huge": forged({"alg": "RS256", "kid": "k" * 5000}),
    "claims not an object": f"Bearer {_part({'alg': 'RS256', 'kid': 'k'})}.{_part('x')}.c2ln",
    "token over 8 KB": forged({"alg": "RS256", "kid": "k"}, {"pad": "x" * 9000}),
    "HS256 signed with the app id": "Bearer "
    + jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID}, APP_ID * 2, algorithm="HS256"),
}


@pytest.mark.parametrize("authorization", TOKENS.values(), ids=TOKENS.keys())
async def test_tokens_that_are_not_the_bot_frameworks_get_401_and_never_fetch_keys(
    secured: TeamsChat, key_service: KeyService, caplog: pytest.LogCaptureFixture, authorization: str
) -> None:
    before = stored(secured.parts.db)

    status = await secured.post(
        payloads.message(GRACE, "join Hopper Academy", secured.connector.url), Authorization=authorization
    )

    assert status in (400, 401)  # 400: aiohttp's own limit on a header's size
    assert key_service.fetches == 0
    assert secured.connector.calls == [] and stored(secured.parts.db) == before
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    "service_url",
    [
        "http://127.0.0.1:1/",
        "https://smba.trafficmanager.net.attacker.example/",
        "https://attacker.example/?next=https://smba.trafficmanager.net/",
        "https://user@smba.trafficmanager.net/",
        "http://[::1]:9/",
    ],
)
async def test_a_service_url_off_the_allow_list_is_refused_and_never_called(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture, service_url: str
) -> None:
    before = stored(teams.parts.db)

    status = await teams.post(payloads.message(GRACE, "join Hopper Academy", service_url))

    assert status == 403
    assert stored(teams.parts.db) == before
    assert tracebacks(caplog) == []


async def test_a_genuine_token_for_a_service_url_off_the_allow_list_is_still_refused(
    make_teams: MakeTeams, key_service: KeyService
) -> None:
    chat = await make_teams(
        microsoft_app_id=APP_ID,
        microsoft_app_password="s3cret",
        teams_openid_url=key_service.openid_url,
        teams_service_urls="https://smba.trafficmanager.net/",
    )
    activity = payloads.message(GRACE, "join Hopper Academy", chat.connector.url)

    assert await chat.post(activity, Authorization=token(chat.connector.url)) == 403
    assert chat.connector.calls == []


BODIES: dict[str, tuple[bytes, str]] = {
    "invalid UTF-8": (b'{"type": "message", "text": "\xff"}', "application/json"),
    "UTF-16": ('{"type": "message"}'.encode("utf-16"), "application/json"),
    "a JSON string": (b'"message"', "application/json"),
    "null": (b"null", "application/json"),
    "deeply nested": (b'{"type": "message", "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
    "form-encoded": (b"type=message", "application/x-www-form-urlencoded"),
    "no content type": (b'{"type": "message"}', ""),
}


@pytest.mark.parametrize("raw, content_type", BODIES.values(), ids=BODIES.keys())
async def test_bodies_that_are_not_json_activities_get_a_4xx(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture, raw: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = await teams.client.post("/api/messages", data=io.BytesIO(raw), headers=headers)

    assert 400 <= response.status < 500, response.status
    assert teams.connector.calls == [] and tracebacks(caplog) == []


ODD_FIELDS: dict[str, dict[str, Any]] = {
    "text a number": {"text": 7},
    "text a list": {"text": ["offer", "a minibus"]},
    "from a string": {"from": "29:1GrAcE"},
    "from without an id": {"from": {"name": "Grace"}},
    "entities not objects": {"entities": [1, "two", None]},
    "channelData a list": {"channelData": ["tenant"]},
    "tenant a string": {"channelData": {"tenant": "T1"}},
    "conversation id a number": {"conversation": {"id": 7}},
    "recipient a number": {"recipient": 7},
    "local timezone nonsense": {"localTimezone": "Mars/Olympus_Mons"},
    "a lone surrogate": {"text": "offer a\ud800b physics teacher"},
    "a NUL byte": {"text": "offer a NUL\u0000 physics teacher"},
    "a lone surrogate in the tenant": {"channelData": {"tenant": {"id": "T\udfff"}}},
    "a lone surrogate in a name": {"from": {"id": "29:1GrAcE", "name": "Grace\ud800"}},
    "value a string": {"value": "done C1"},
    "value with a forged form": {"value": {"kept": "form", "form": "mou", "context": "99999999999999999999"}},
    "value with an odd spec": {"value": {"kept": "form", "form": "offer", "spec": {"inputs": [7]}, "what": ["x"]}},
    "type unknown": {"type": "launchRockets"},
    "id huge": {"id": "1" * 10_000},
    "id with URL characters": {"id": "1'(x)$!*~|"},
    "id of dots": {"id": ".."},
    "id with a slash": {"id": "../../v3/conversations"},
}


@pytest.mark.parametrize("changes", ODD_FIELDS.values(), ids=ODD_FIELDS.keys())
async def test_activities_with_odd_fields_are_refused_or_answered_never_a_500_or_an_apology(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture, changes: dict[str, Any]
) -> None:
    activity = {**payloads.message(GRACE, "help", teams.connector.url), **changes}

    response = await teams.client.post(
        "/api/messages",
        data=json.dumps(activity).encode(),
        headers={"Content-Type": "application/json"},
    )

    assert response.status in (201, 400, 501), response.status
    sent = " ".join(json.dumps(call.body) for call in teams.connector.calls)
    assert "something went wrong on our side" not in sent
    assert tracebacks(caplog) == []


async def test_a_lone_surrogate_over_teams_json_is_stored_cleaned(teams: TeamsChat) -> None:
    await teams.say(GRACE, "join Hopper Academy")
    raw = json.dumps(payloads.message(GRACE, "offer a\ud800b physics teacher", teams.connector.url)).encode()

    response = await teams.client.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})

    assert response.status == 201
    with teams.parts.db.transaction() as session:
        [listing] = session.exec(select(Listing)).all()
    assert listing.text == "ab physics teacher"


async def test_the_same_activity_id_in_another_conversation_is_not_taken_for_a_retry(teams: TeamsChat) -> None:
    await teams.say(GRACE, "join Hopper Academy")
    await teams.say(ALAN, "join Hopper Academy")
    graces = payloads.message(GRACE, "offer a physics teacher", teams.connector.url)
    alans = {**payloads.message(ALAN, "offer a chemistry teacher", teams.connector.url), "id": graces["id"]}

    assert await teams.post(graces) == 201
    assert await teams.post(alans) == 201
    assert await teams.post(graces) == 201  # Teams re-sending Grace's: a retry, done once

    with teams.parts.db.transaction() as session:
        assert sorted(listing.text for listing in session.exec(select(Listing)).all()) == [
            "a chemistry teacher",
            "a physics teacher",
        ]


async def test_an_oversized_body_is_refused(teams: TeamsChat) -> None:
    raw = json.dumps(payloads.message(GRACE, "offer " + "x" * 300_000, teams.connector.url)).encode()

    response = await teams.client.post(
        "/api/messages", data=io.BytesIO(raw), headers={"Content-Type": "application/json"}
    )

    assert response.status == 413
