"""Adding Kept to a team or as a personal app: it remembers where it is and says hello, once."""

from __future__ import annotations

from sqlmodel import select

from storage.models import ConversationRef
from tests.bot.teams.test_messages import texts
from tests.harness import teams_payloads as payloads
from tests.harness.teams import TeamsChat
from tests.harness.teams_payloads import GRACE, HOPPER_TENANT, TEAM_ID


def stored(teams: TeamsChat) -> dict[tuple[str, str], ConversationRef]:
    with teams.parts.db.transaction() as session:
        return {(r.scope, r.key): r for r in session.exec(select(ConversationRef)).all()}


async def test_kept_added_to_a_team_remembers_the_channel_and_welcomes_it(teams: TeamsChat) -> None:
    status = await teams.post(payloads.bot_added_to_team(GRACE, teams.connector.url))

    assert status == 201
    welcome = teams.connector.posts[-1]
    assert welcome.conversation_id == TEAM_ID
    assert "join" in texts(welcome.card) and "offer" in texts(welcome.card)
    channel = stored(teams)[("channel", TEAM_ID)]
    assert channel.tenant_id == HOPPER_TENANT
    assert channel.reference["serviceUrl"] == teams.connector.url
    assert channel.reference["bot"]["id"] == payloads.BOT_ID
    assert ("member", GRACE.aad_id) in stored(teams), "the installer's Teams id is kept for a later 1:1"


async def test_a_personal_install_is_welcomed_once_though_teams_sends_two_events(teams: TeamsChat) -> None:
    installed = payloads.app_installed_personally(GRACE, teams.connector.url)
    added = {**installed, "type": "conversationUpdate", "membersAdded": [{"id": payloads.BOT_ID}]}
    del added["action"]

    assert await teams.post(installed) == 201
    assert await teams.post(added) == 201

    assert len(teams.connector.posts) == 1
    assert teams.connector.posts[0].conversation_id == GRACE.personal_chat
    chat = stored(teams)[("user", GRACE.aad_id)]
    assert chat.reference["conversation"]["id"] == GRACE.personal_chat
    assert chat.reference["user"]["id"] == GRACE.teams_id


async def test_someone_else_joining_a_team_gets_no_welcome_from_kept(teams: TeamsChat) -> None:
    activity = payloads.bot_added_to_team(GRACE, teams.connector.url)
    activity["membersAdded"] = [{"id": payloads.ALAN.teams_id, "aadObjectId": payloads.ALAN.aad_id}]

    assert await teams.post(activity) == 201

    assert teams.connector.posts == []
