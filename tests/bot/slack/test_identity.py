"""Who Kept is in a workspace, and who is asking: learnt without holding up an ack, and a Slack outage
doesn't stop a teacher's command from being logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.config import Settings
from bot.slack.identity import NOT_CONNECTED, RETRY_SECONDS
from bot.slack.profiles import PAUSE_SECONDS
from bot.web import build_app
from bot.wiring import assemble
from handlers.clock import MovableClock
from storage.db import Database
from storage.models import Listing
from tests.harness.slack import SECRET, SlackStandIn, Workspace, text_of

UNAVAILABLE = (503, {"ok": False, "error": "service_unavailable"}, {})


async def settled(workspace: Workspace) -> None:
    assert workspace.parts.slack is not None
    await workspace.parts.slack.identity.settle()


def listings(workspace: Workspace) -> list[Listing]:
    with workspace.parts.db.transaction() as session:
        return list(session.exec(select(Listing)).all())


async def test_the_bot_is_asked_who_it_is_once_as_the_server_starts(workspace: Workspace) -> None:
    await settled(workspace)
    assert len(workspace.api.of("auth.test")) == 1
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0SAM", "offer two physics practicals for Year 9")
    await settled(workspace)
    assert len(workspace.api.of("auth.test")) == 1


async def test_commands_are_logged_while_slack_cannot_say_who_kept_is(
    slack_api: SlackStandIn, sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> None:
    slack_api.faults["auth.test"] = UNAVAILABLE  # before the server starts: its first question fails
    settings = Settings(
        slack_signing_secret=SECRET, slack_bot_token="xoxb-st-adas", slack_api_url=slack_api.url + "api/"
    )
    parts = assemble(settings, clock, sqlite_db)
    workspace = Workspace(await aiohttp_client(build_app(parts)), slack_api, parts)
    await settled(workspace)

    assert "Welcome to Kept, Sam Patel!" in text_of(await workspace.say("U0SAM", "join St Ada's School"))
    reply = await workspace.say("U0SAM", "offer two physics practicals for Year 9")
    assert "on the board (O1)" in text_of(reply)
    assert [listing.text for listing in listings(workspace)] == ["two physics practicals for Year 9"]
    await settled(workspace)
    assert len(slack_api.of("auth.test")) == 1  # not asked again on every command while Slack is struggling

    del slack_api.faults["auth.test"]
    clock.advance(timedelta(seconds=RETRY_SECONDS))
    await workspace.say("U0SAM", "board")
    await settled(workspace)
    assert len(slack_api.accepted("auth.test")) == 1  # asked again once it was time, and Slack answered
    clock.advance(timedelta(seconds=RETRY_SECONDS))
    await workspace.say("U0SAM", "board")
    await settled(workspace)
    assert len(slack_api.of("auth.test")) == 2  # known now: never asked again


async def test_commands_are_logged_while_slacks_web_api_is_unreachable(
    sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> None:
    settings = Settings(
        slack_signing_secret=SECRET, slack_bot_token="xoxb-st-adas", slack_api_url="http://127.0.0.1:9/api/"
    )  # the discard port: every Web API call is refused at once
    parts = assemble(settings, clock, sqlite_db)
    workspace = Workspace(await aiohttp_client(build_app(parts)), SlackStandIn(), parts)
    await settled(workspace)
    assert "Welcome to Kept!" in text_of(await workspace.say("U0ADA", "join St Ada's School"))
    assert "(O1)" in text_of(await workspace.say("U0ADA", "offer a minibus on Fridays"))


async def test_a_token_slack_no_longer_accepts_is_refused_in_words_a_teacher_can_act_on(
    slack_api: SlackStandIn, sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> None:
    slack_api.faults["auth.test"] = (200, {"ok": False, "error": "invalid_auth"}, {})
    settings = Settings(
        slack_signing_secret=SECRET, slack_bot_token="xoxb-revoked", slack_api_url=slack_api.url + "api/"
    )
    parts = assemble(settings, clock, sqlite_db)
    workspace = Workspace(await aiohttp_client(build_app(parts)), slack_api, parts)
    await settled(workspace)

    response = await workspace.command("U0SAM", "offer two physics practicals for Year 9")
    assert response.status == 200
    said = [call["text"] for call in slack_api.of("command")]  # Bolt answers through the command's response_url
    assert said == [NOT_CONNECTED]
    assert listings(workspace) == []


async def test_while_slack_fails_profiles_are_not_asked_for_on_every_command(
    workspace: Workspace, clock: MovableClock
) -> None:
    workspace.api.faults["users.info"] = UNAVAILABLE
    assert "Welcome to Kept!" in text_of(await workspace.say("U0SAM", "join St Ada's School"))
    assert "Welcome to Kept!" in text_of(await workspace.say("U0ALAN", "join St Ada's School"))
    assert len(workspace.api.of("users.info")) == 1  # the second command didn't wait on a failing call

    del workspace.api.faults["users.info"]
    clock.advance(timedelta(seconds=PAUSE_SECONDS))
    assert "Welcome to Kept, May Chen!" in text_of(await workspace.say("U0MAY", "join St Ada's School"))


async def test_a_person_slack_has_no_profile_for_does_not_pause_the_others(workspace: Workspace) -> None:
    workspace.api.once["users.info"] = [(200, {"ok": False, "error": "user_not_found"}, {})]
    assert "Welcome to Kept!" in text_of(await workspace.say("U0ADA", "join St Ada's School"))
    assert "Welcome to Kept, Sam Patel!" in text_of(await workspace.say("U0SAM", "join St Ada's School"))
