"""Hostile requests at /slack/events over HTTP, into Kept's real app: every one gets a clear 4xx (or, for a
replay, the first answer's no-op), nothing is stored, and no traceback reaches the log."""

from __future__ import annotations

import io
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.harness.hostile import slack_headers, stored, tracebacks
from tests.harness.slack import TEAM, Workspace

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def slash(text: str, user: str = "U0SAM") -> str:
    fields = {"command": "/partner", "text": text, "team_id": TEAM, "user_id": user, "trigger_id": "t1"}
    return urlencode({**fields, "channel_id": "C0STAFF", "response_url": "http://127.0.0.1:9/respond"})


def interactive(payload: Any) -> bytes:
    return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)}).encode()


USER = {"id": "U0SAM", "team_id": TEAM}
BODY = slash("offer Two physics teachers").encode()
NOW = int(time.time())


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v0=" + "é" * 64},
        {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v0=" + "z" * 64},
        {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v1=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v0=" + "0" * 64},
        {**slack_headers(BODY, stamp=NOW - 301 - 60)},
        {**slack_headers(BODY, stamp=NOW + 3600)},
        {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=" + "0" * 64},
        {**slack_headers(BODY, secret="another-workspace-secret")},
    ],
    ids=[
        "no headers",
        "timestamp not a number",
        "timestamp in other digits",
        "signature not ASCII",
        "signature not hex",
        "another signature version",
        "wrong signature",
        "stale",
        "from the future",
        "timestamp too long",
        "signed with another secret",
    ],
)
async def test_unsigned_or_badly_signed_requests_get_401(
    workspace: Workspace, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    before = stored(workspace.parts.db)
    response = await workspace.client.post("/slack/events", data=BODY, headers={"Content-Type": FORM, **headers})

    assert response.status == 401
    assert stored(workspace.parts.db) == before
    assert tracebacks(caplog) == []


MALFORMED: dict[str, tuple[bytes, str]] = {
    "payload is a list": (interactive("[]"), FORM),
    "payload is not JSON": (interactive("{not json"), FORM),
    "no actions": (interactive({"type": "block_actions", "user": USER, "actions": []}), FORM),
    "actions not objects": (interactive({"type": "block_actions", "user": USER, "actions": ["done C1"]}), FORM),
    "action id not text": (
        interactive({"type": "block_actions", "user": USER, "actions": [{"action_id": 7, "value": "done C1"}]}),
        FORM,
    ),
    "JSON body is a list": (b"[]", JSON),
    "JSON body is a number": (b"7", JSON),
    "JSON body not JSON": (b"{", JSON),
    "invalid UTF-8": (b"command=/partner&text=\xff\xfe&team_id=T0ADA&user_id=U0SAM", FORM),
    "percent-encoded invalid UTF-8": (b"command=%2Fpartner&text=%ff&team_id=T0ADA&user_id=U0SAM", FORM),
    "view values not objects": (
        interactive(
            {
                "type": "view_submission",
                "user": USER,
                "view": {"callback_id": "kept:offer", "state": {"values": {"what": "Two teachers"}}},
            }
        ),
        FORM,
    ),
    "view values a list": (
        interactive({"type": "view_submission", "user": USER, "view": {"state": {"values": ["not", "a", "map"]}}}),
        FORM,
    ),
    "view missing": (interactive({"type": "view_submission", "user": USER}), FORM),
    "user not an object": (interactive({"type": "block_actions", "user": "U0SAM", "actions": [{}]}), FORM),
    "unknown payload type": (interactive({"type": "dialog_submission", "user": USER}), FORM),
    "event not an object": (
        json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": "app_home_opened"}).encode(),
        JSON,
    ),
    "event without a type": (
        json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": {}}).encode(),
        JSON,
    ),
    "unknown body type": (json.dumps({"type": "launch"}).encode(), JSON),
    "neither command nor payload": (b"text=offer+a+minibus&user_id=U0SAM", FORM),
    "command without a user": (b"command=%2Fpartner&text=offer+a+minibus&team_id=T0ADA", FORM),
    "empty body": (b"", FORM),
    "text/plain": (BODY, "text/plain"),
    "form not URL-encoded": (b"payload", FORM),
    "deeply nested JSON": (interactive("[" * 100_000 + "]" * 100_000), FORM),
    "event id with a lone surrogate": (
        b'{"type": "event_callback", "team_id": "T0ADA", "event_id": "\\udf8e", '
        b'"event": {"type": "app_home_opened", "user": "U0SAM", "tab": "home"}}',
        JSON,
    ),
    "user id with a lone surrogate": (
        interactive('{"type": "block_actions", "user": {"id": "U\\ud800"}, "actions": [{"action_id": "kept:x"}]}'),
        FORM,
    ),
    "a NUL in the form": (b"command=/partner&text=offer\x00&team_id=T0ADA&user_id=U0SAM\x00&&=", FORM),
}


@pytest.mark.parametrize("raw, content_type", MALFORMED.values(), ids=MALFORMED.keys())
async def test_signed_bodies_that_are_not_slack_payloads_get_400_with_no_traceback(
    workspace: Workspace, caplog: pytest.LogCaptureFixture, raw: bytes, content_type: str
) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    before = stored(workspace.parts.db)

    response = await workspace.client.post(
        "/slack/events", data=raw, headers={"Content-Type": content_type, **slack_headers(raw)}
    )

    assert response.status == 400, await response.text()
    assert stored(workspace.parts.db) == before
    assert tracebacks(caplog) == []


async def test_a_body_over_a_megabyte_is_refused_with_413(workspace: Workspace) -> None:
    raw = slash("offer " + "x" * 1_100_000).encode()

    headers = {"Content-Type": FORM, **slack_headers(raw)}
    response = await workspace.client.post("/slack/events", data=io.BytesIO(raw), headers=headers)

    assert response.status == 413


@pytest.mark.parametrize("times", [2, 5])
async def test_a_captured_signed_command_replayed_within_the_window_stores_nothing_more(
    workspace: Workspace, caplog: pytest.LogCaptureFixture, times: int
) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    headers = {"Content-Type": FORM, **slack_headers(BODY)}
    first = await workspace.client.post("/slack/events", data=BODY, headers=headers)
    assert first.status == 200
    after_first = stored(workspace.parts.db)

    for _ in range(times):
        replay = await workspace.client.post("/slack/events", data=BODY, headers=headers)
        assert replay.status == 200
        assert "Already done" in await replay.text()

    assert stored(workspace.parts.db) == after_first
    assert after_first["Listing"] == 1
    assert tracebacks(caplog) == []


async def test_a_replayed_button_press_changes_nothing_the_second_time(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0SAM", "offer Two physics teachers")
    press = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": USER,
        "trigger_id": "t2",
        "actions": [{"action_id": "kept:offer:0", "value": "request a minibus for Friday", "block_id": "b"}],
        "container": {"type": "message"},
        "response_url": workspace.api.url + "respond/button",
    }
    raw = interactive(press)
    headers = {"Content-Type": FORM, **slack_headers(raw)}

    assert (await workspace.client.post("/slack/events", data=raw, headers=headers)).status == 200
    after_first = stored(workspace.parts.db)
    assert (await workspace.client.post("/slack/events", data=raw, headers=headers)).status == 200

    assert stored(workspace.parts.db) == after_first
    assert after_first["Listing"] == 2


async def test_a_command_full_of_brackets_a_teacher_typed_is_still_a_command(workspace: Workspace) -> None:
    """The refusal of bodies nested too deep counts brackets before parsing; a person's own brackets pass."""
    await workspace.say("U0SAM", "join St Ada's School")
    raw = slash("offer a minibus " + "[{" * 1500).encode()

    response = await workspace.client.post(
        "/slack/events", data=raw, headers={"Content-Type": FORM, **slack_headers(raw)}
    )

    assert response.status == 200 and "on the board" in await response.text()
    assert stored(workspace.parts.db)["Listing"] == 1
