"""With MicrosoftAppId set, a token signed by the Bot Framework's key is accepted, and near-misses are refused.

Microsoft's signing keys are put in botbuilder's own key cache (as if fetched from login.botframework.com), so
the real validation code runs with no network.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import jwt
import pytest
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.harness import teams_payloads as payloads
from tests.harness.teams import MakeTeams, TeamsChat
from tests.harness.teams_payloads import ALAN, GRACE

APP_ID = "0c3f7a51-5b52-4c8e-a3f1-8b6a3c2e9d10"
KEY_ID = "kept-test-key"
BOT_FRAMEWORK_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ANOTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def signing_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Bot Framework's published key, already in botbuilder's cache."""
    public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(BOT_FRAMEWORK_KEY.public_key()))
    metadata = _OpenIdMetadata(AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
    metadata.keys = [{**public, "kid": KEY_ID, "endorsements": ["msteams"]}]
    metadata.last_updated = datetime.now()
    monkeypatch.setitem(JwtTokenExtractor.metadataCache, metadata.url, metadata)


@pytest.fixture
async def secured(make_teams: MakeTeams, signing_keys: None) -> TeamsChat:
    chat: TeamsChat = await make_teams(microsoft_app_id=APP_ID, microsoft_app_password="s3cret")
    return chat


def token(service_url: str, *, key: Any = BOT_FRAMEWORK_KEY, kid: str = KEY_ID, **claims: Any) -> str:
    now = int(time.time())  # botbuilder checks expiry against the real clock
    body = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
        **claims,
    }
    return "Bearer " + jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


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
    ],
    ids=["signed with another key", "unknown key id", "meant for another bot", "another serviceUrl", "expired"],
)
async def test_near_miss_tokens_are_refused_with_401_not_500(secured: TeamsChat, forged: dict[str, Any]) -> None:
    status = await secured.post(colleague_added(secured), Authorization=token(secured.connector.url, **forged))

    assert status == 401
