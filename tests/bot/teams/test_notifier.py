"""What only Teams' notifier does: new posts in a 1:1 chat, creating one, and the Bot Connector's status codes. The rest
of the Notifier contract is tested for every platform in tests/contract/."""

from __future__ import annotations

import pytest

from bot.teams.notifier import TeamsNotifier
from handlers.messages import Action, Address, Message
from scheduler.notifier import DeliveryFailed
from tests.harness import teams_payloads as payloads
from tests.harness.teams import TeamsChat
from tests.harness.teams_payloads import ALAN, GRACE, HOPPER_TENANT

NUDGE = Message(
    title="A gentle nudge: C1 is due on Friday",
    text="A physics masterclass for Turing College.",
    actions=(Action("done", "Done", "done C1", "primary"), Action("snooze", "Snooze a week", "snooze C1 1 week")),
)


def notifier(teams: TeamsChat) -> TeamsNotifier:
    found = teams.parts.notifiers["teams"]
    assert isinstance(found, TeamsNotifier)
    return found


def person(user: payloads.TeamsUser) -> Address:
    return Address(platform="teams", tenant_id=user.tenant, user_id=user.aad_id)


async def test_a_nudge_goes_to_the_persons_own_chat_as_a_new_post(teams: TeamsChat) -> None:
    await teams.say(GRACE, "help")

    sent_id = await notifier(teams).deliver(person(GRACE), NUDGE)

    post = teams.connector.posts[-1]
    assert sent_id == post.answered_id
    assert post.path == f"/v3/conversations/{GRACE.personal_chat}/activities", "a new post, not a reply"
    assert post.body["summary"] == NUDGE.title
    assert [a["title"] for a in post.card["actions"]] == ["Done", "Snooze a week"]
    assert post.authorization is None, "no app id: outbound calls carry no token"


async def test_a_person_seen_only_in_a_channel_gets_a_new_one_to_one_chat(teams: TeamsChat) -> None:
    await teams.say(ALAN, "help", channel=True)

    await notifier(teams).deliver(person(ALAN), NUDGE)

    created = teams.connector.created[-1].body
    assert created["members"][0]["id"] == ALAN.teams_id
    assert created["channelData"]["tenant"]["id"] == HOPPER_TENANT
    assert created["isGroup"] is False
    new_chat = teams.connector.created[-1].answered_id
    assert teams.connector.posts[-1].conversation_id == new_chat

    await notifier(teams).deliver(person(ALAN), NUDGE)

    assert len(teams.connector.created) == 1, "the new chat is remembered"
    assert teams.connector.posts[-1].conversation_id == new_chat


async def test_a_person_never_seen_is_reached_through_a_channel_of_their_tenant(teams: TeamsChat) -> None:
    await teams.post(payloads.bot_added_to_team(GRACE, teams.connector.url))

    await notifier(teams).deliver(person(ALAN), NUDGE)

    assert teams.connector.created[-1].body["members"][0]["id"] == ALAN.aad_id


async def test_nobody_in_the_tenant_has_added_kept_is_a_permanent_failure(teams: TeamsChat) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await notifier(teams).deliver(person(GRACE), NUDGE)

    assert failed.value.permanent
    assert teams.connector.calls == []


@pytest.mark.parametrize(
    ("status", "retry_after", "permanent"),
    [
        (429, "7", False),
        (412, None, False),
        (502, None, False),
        (504, None, False),
        (500, None, False),
        (403, None, True),
        (404, None, True),
    ],
)
async def test_connector_failures_are_retryable_or_permanent(
    teams: TeamsChat, status: int, retry_after: str | None, permanent: bool
) -> None:
    await teams.say(GRACE, "help")
    teams.connector.fail_next(status, retry_after=retry_after)

    with pytest.raises(DeliveryFailed) as failed:
        await notifier(teams).deliver(person(GRACE), NUDGE)

    assert failed.value.permanent is permanent
    assert failed.value.retry_after == (float(retry_after) if retry_after else None)
