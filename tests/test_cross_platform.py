"""One shared log across Slack and Teams, end to end: St Ada's School on Slack, Hopper Academy on Teams.

Slack is driven with signed requests and answered by a Web API stand-in; Teams is driven with Bot Framework
activities and answered by a Bot Connector stand-in; proactive messages go through the scheduler's real
delivery loop. Both platforms are served by one Kept app on one database.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.config import Settings
from bot.web import build_app
from bot.wiring import assemble
from handlers.clock import MovableClock
from scheduler.delivery import DeliveryLoop
from storage.db import Database
from storage.models import Commitment, LogEntry, Notification
from tests.bot.teams.test_messages import find_action, texts
from tests.harness.slack import SECRET, SlackStandIn, Workspace, start_slack_api, text_of
from tests.harness.teams import TeamsChat
from tests.harness.teams_connector import Connector, start_connector
from tests.harness.teams_payloads import GRACE, STAFFROOM

SAM = "U0SAM"  # Sam Patel, lead at St Ada's School, on Slack


@dataclass
class Kept2:
    slack: Workspace
    teams: TeamsChat
    delivery: DeliveryLoop
    clock: MovableClock

    def rows(self, kind_prefix: str = "") -> list[Notification]:
        with self.teams.parts.db.transaction() as session:
            rows = session.exec(select(Notification).order_by(col(Notification.due_at))).all()
        return [r for r in rows if r.dedupe_key.startswith(kind_prefix)]

    def commitment(self) -> Commitment:
        with self.teams.parts.db.transaction() as session:
            return session.exec(select(Commitment)).one()


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackStandIn]:
    stand_in, server = await start_slack_api()
    yield stand_in
    await server.close()


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    stand_in, server = await start_connector()
    yield stand_in
    await server.close()


@pytest.fixture
async def kept2(
    slack_api: SlackStandIn, connector: Connector, sqlite_db: Database, clock: MovableClock, aiohttp_client: Any
) -> AsyncIterator[Kept2]:
    settings = Settings(
        _env_file=None,
        slack_signing_secret=SECRET,
        slack_bot_token="xoxb-st-adas",  # type: ignore[call-arg]
        slack_api_url=slack_api.url + "api/",
        allow_insecure_teams=True,
        teams_service_urls=connector.url,
    )
    parts = assemble(settings, clock, sqlite_db)
    client = await aiohttp_client(build_app(parts))
    assert set(parts.notifiers) == {"slack", "teams"}
    delivery = DeliveryLoop(sqlite_db, parts.notifiers, clock=clock, rng=random.Random(4))
    both = Kept2(Workspace(client, slack_api, parts), TeamsChat(client, connector, parts), delivery, clock)
    yield both
    await both.slack.bridge.settle()


async def linked(kept2: Kept2) -> None:
    """Sam invites from Slack; Grace links her Teams organisation and joins Hopper Academy."""
    await kept2.slack.say(SAM, "join St Ada's School")
    invite = text_of(await kept2.slack.say(SAM, "invite"))
    code = re.search(r"invite code for your partner schools: ([A-Z2-9]{8})", invite)
    assert code, invite
    assert "Linked!" in texts(await kept2.teams.say(GRACE, f"link {code.group(1)}"))
    assert "part of Hopper Academy" in texts(await kept2.teams.say(GRACE, "join Hopper Academy"))


async def test_a_commitment_agreed_in_slack_reaches_its_teams_owner_who_marks_it_done_there(
    kept2: Kept2,
) -> None:
    await linked(kept2)
    await kept2.teams.say(GRACE, "offer a physics technician to run Year 9 practicals")
    await kept2.slack.say(SAM, "request help running Year 9 physics practicals")
    matches = text_of(await kept2.slack.say(SAM, "match"))
    match = re.search(r"\bM(\d+)\b", matches)
    assert match, matches
    await kept2.delivery.tick()  # both leads hear of the new match first
    accepted = text_of(await kept2.slack.say(SAM, f"accept M{match.group(1)}"))
    assert "Hopper Academy will deliver to St Ada's School" in accepted

    # Grace is told on Teams that it's now her commitment. The Bot Connector fails once: retried, not sent.
    kept2.teams.connector.fail_next(500)
    first = await kept2.delivery.tick()
    told = kept2.rows("accepted:")[0]
    assert told.id in first.retrying and told.status != "sent"

    kept2.clock.advance(timedelta(hours=1))
    second = await kept2.delivery.tick()
    assert told.id in second.sent
    card_post = kept2.teams.connector.posts[-1]
    assert card_post.conversation_id == GRACE.personal_chat
    assert "now your promise to St Ada's School (C1)" in texts(card_post.card)
    delivered = kept2.rows("accepted:")[0]
    assert (delivered.status, delivered.delivery_ref) == ("sent", card_post.answered_id)

    # Grace presses Done on the nudge card in Teams: the card is updated in place, and the log says so.
    done = find_action(card_post.card, "Done")
    assert await kept2.teams.press(GRACE, done["data"], reply_to=card_post.answered_id) == 201
    assert kept2.teams.connector.updates[-1].activity_id == card_post.answered_id
    assert kept2.commitment().status == "done"

    # St Ada's lead is asked on Slack whether it arrived, and confirms with one press.
    await kept2.delivery.tick()
    asks = [m for m in kept2.slack.api.of("chat.postMessage") if "Confirm it arrived" in str(m.get("blocks"))]
    assert len(asks) == 1 and asks[0]["channel"] == SAM
    assert (await kept2.slack.press(SAM, "confirm C1")).status == 200
    assert kept2.commitment().confirmed_at is not None

    with kept2.teams.parts.db.transaction() as session:
        log = session.exec(select(LogEntry).order_by(col(LogEntry.id))).all()
    trail = [(e.action, e.platform) for e in log if e.action in ("accept", "done", "confirm")]
    assert trail == [("accept", "slack"), ("done", "teams"), ("confirm", "slack")], trail
    assert len({e.network_id for e in log if e.network_id is not None}) == 1


async def test_a_promise_made_in_slack_to_a_teams_school_is_confirmed_and_thanked_in_teams(kept2: Kept2) -> None:
    await linked(kept2)
    promised = text_of(await kept2.slack.say(SAM, "promise a physics masterclass to Hopper Academy by Friday"))
    assert "C1" in promised
    assert (await kept2.slack.press(SAM, "done C1")).status == 200

    # Hopper Academy's lead is asked in Teams whether it arrived, and confirms on that card.
    await kept2.delivery.tick()
    ask = kept2.teams.connector.posts[-1]
    assert ask.conversation_id == GRACE.personal_chat
    assert "delivered by St Ada's School (C1)" in texts(ask.card)
    confirm = find_action(ask.card, "Confirm it arrived")
    assert await kept2.teams.press(GRACE, confirm["data"], reply_to=ask.answered_id) == 201
    assert kept2.teams.connector.updates[-1].activity_id == ask.answered_id
    assert "confirmed it arrived (C1)" in texts(kept2.teams.connector.updates[-1].card)

    thanked = await kept2.teams.say(GRACE, "thanks C1 Year 9 loved it", channel=True)

    assert "Thank you" in texts(thanked)
    commitment = kept2.commitment()
    assert commitment.confirmed_at is not None and "loved it" in commitment.thanks
    with kept2.teams.parts.db.transaction() as session:
        trail = [(e.action, e.platform) for e in session.exec(select(LogEntry).order_by(col(LogEntry.id))).all()]
    assert [t for t in trail if t[0] in ("promise", "done", "confirm")] == [
        ("promise", "slack"),
        ("done", "slack"),
        ("confirm", "teams"),
    ], trail


async def test_a_teams_promise_to_a_slack_school_is_nudged_in_teams_and_marked_done_from_the_nudge(
    kept2: Kept2,
) -> None:
    await linked(kept2)
    await kept2.teams.say(GRACE, "promise a physics masterclass to St Ada's School by Friday")
    nudge = kept2.rows("nudge:")[0]

    # Wednesday's nudge: the Bot Connector fails once, so it stays unsent until the retry gets through.
    kept2.clock.set(nudge.due_at)
    kept2.teams.connector.fail_next(503)
    assert nudge.id in (await kept2.delivery.tick()).retrying
    assert kept2.rows("nudge:")[0].status == "pending" and kept2.rows("nudge:")[0].sent_at is None
    kept2.clock.advance(timedelta(hours=1))
    assert nudge.id in (await kept2.delivery.tick()).sent

    card_post = kept2.teams.connector.posts[-1]
    assert card_post.conversation_id == GRACE.personal_chat
    assert kept2.rows("nudge:")[0].delivery_ref == card_post.answered_id
    buttons = [a["title"] for a in card_post.card.get("actions", [])]
    assert {"Done", "Release", "Need help"} <= set(buttons) and any(b.startswith("Snooze") for b in buttons)

    done = find_action(card_post.card, "Done")
    assert await kept2.teams.press(GRACE, done["data"], reply_to=card_post.answered_id) == 201

    assert kept2.teams.connector.updates[-1].activity_id == card_post.answered_id
    assert kept2.commitment().status == "done"
    assert {r.status for r in kept2.rows("nudge:")} == {"sent", "cancelled"}, "later nudges are called off"


async def test_a_partnership_digest_reaches_its_teams_channel_on_monday_morning(kept2: Kept2) -> None:
    await linked(kept2)
    await kept2.slack.say(SAM, "partnership Physics Link with Hopper Academy")
    chosen = await kept2.teams.say(GRACE, "channel Physics Link", channel=True)
    assert "This channel will get Physics Link's weekly digest" in texts(chosen)

    await kept2.slack.say(SAM, "promise a physics masterclass to Hopper Academy by Friday")
    await kept2.slack.press(SAM, "done C1")
    await kept2.delivery.tick()  # plans next Monday's digest
    kept2.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # Monday 08:00 in London
    report = await kept2.delivery.tick()

    digest = kept2.teams.connector.posts[-1]
    assert report.sent and digest.path == f"/v3/conversations/{STAFFROOM}/activities"
    assert "Physics Link" in texts(digest.card) and "physics masterclass" in texts(digest.card)
