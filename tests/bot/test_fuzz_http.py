"""Fuzzed platform payloads over HTTP into Kept's real app: signed Slack form and JSON bodies, and Teams
activities. Every one is answered below 500, and nothing reaches the log at ERROR or with a traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.harness.hostile import slack_headers, tracebacks
from tests.harness.slack import Workspace
from tests.harness.strategies import slack_body, teams_activity
from tests.harness.teams import TeamsChat

QUICK = settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@QUICK
@given(body=slack_body())
async def test_no_signed_slack_body_gets_a_5xx_or_leaves_a_traceback(
    workspace: Workspace, caplog: pytest.LogCaptureFixture, body: tuple[bytes, str]
) -> None:
    raw, content_type = body
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = await workspace.client.post(
            "/slack/events", data=raw, headers={"Content-Type": content_type, **slack_headers(raw)}
        )
        said = await response.text()
        await workspace.bridge.settle()

    assert response.status < 500, said
    assert "something went wrong on our side" not in said
    assert tracebacks(caplog) == []


@QUICK
@given(activity=teams_activity())
async def test_no_teams_activity_gets_a_5xx_or_leaves_a_traceback(
    teams: TeamsChat, caplog: pytest.LogCaptureFixture, activity: dict[str, Any]
) -> None:
    activity = {**activity, "serviceUrl": teams.connector.url}
    caplog.clear()
    before = len(teams.connector.calls)
    with caplog.at_level(logging.INFO):
        response = await teams.client.post("/api/messages", json=activity)
        said = await response.text()

    assert response.status < 500, said
    sent = " ".join(str(call.body) for call in teams.connector.calls[before:])
    assert "something went wrong on our side" not in sent
    assert tracebacks(caplog) == []
