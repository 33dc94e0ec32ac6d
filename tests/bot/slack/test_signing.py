"""Only requests Slack really signed, in the last five minutes, reach Kept; the rest get 401 and change nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from storage.models import Listing
from tests.harness.slack import TEAM, Workspace, sign

OFFER = urlencode(
    {
        "team_id": TEAM,
        "user_id": "U0SAM",
        "user_name": "sam",
        "command": "/partner",
        "text": "offer maths tutoring for year 9",
        "channel_id": "C0STAFF",
        "trigger_id": "t1",
        "response_url": "https://hooks.slack.invalid/x",
    }
)
FORM = "application/x-www-form-urlencoded"


def listings(workspace: Workspace) -> int:
    with workspace.parts.db.transaction() as session:
        return len(session.exec(select(Listing)).all())


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no signing headers at all"),
        pytest.param(
            {"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": str(int(time.time()))},
            id="wrong signature",
        ),
        pytest.param(sign(OFFER, secret="someone-elses-secret"), id="signed with another app's secret"),
        pytest.param(sign(OFFER, timestamp=int(time.time()) - 6 * 60), id="signed six minutes ago"),
        pytest.param({**sign(OFFER), "X-Slack-Request-Timestamp": "soon"}, id="non-numeric timestamp"),
        pytest.param(
            {"X-Slack-Request-Timestamp": sign(OFFER)["X-Slack-Request-Timestamp"]}, id="timestamp but no signature"
        ),
    ],
)
async def test_a_request_slack_did_not_sign_is_refused_and_changes_nothing(
    workspace: Workspace, headers: dict[str, str]
) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    response = await workspace.client.post("/slack/events", data=OFFER, headers={"Content-Type": FORM, **headers})
    assert response.status == 401
    assert listings(workspace) == 0


async def test_a_body_changed_after_signing_is_refused(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    headers = {"Content-Type": FORM, **sign(OFFER)}
    tampered = OFFER.replace("maths", "music")
    response = await workspace.client.post("/slack/events", data=tampered, headers=headers)
    assert response.status == 401
    assert listings(workspace) == 0


async def test_a_correctly_signed_offer_is_logged(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    response = await workspace.client.post("/slack/events", data=OFFER, headers={"Content-Type": FORM, **sign(OFFER)})
    assert response.status == 200
    assert listings(workspace) == 1


async def test_health_still_answers_with_slack_mounted(workspace: Workspace) -> None:
    response = await workspace.client.get("/healthz")
    assert response.status == 200


async def test_slacks_url_check_for_the_events_address_is_answered(workspace: Workspace) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"})
    response = await workspace.post(body, "application/json")
    assert response.status == 200
    assert (await response.json())["challenge"] == challenge
