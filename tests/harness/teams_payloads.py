"""Bot Framework activities as Teams sends them (shapes copied from real Teams traffic), for Hopper Academy."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

BOT_ID = "28:0c3f7a51-5b52-4c8e-a3f1-8b6a3c2e9d10"
HOPPER_TENANT = "5b7e4a2c-1f3d-4c8e-9a6b-2d0f8e7c1a90"
TEAM_ID = "19:Qm3lT4aH0pper@thread.tacv2"
STAFFROOM = "19:8d1f0c2bStaffroom@thread.tacv2"

_ids = itertools.count(1)


@dataclass(frozen=True)
class TeamsUser:
    name: str
    teams_id: str
    aad_id: str
    tenant: str = HOPPER_TENANT

    @property
    def personal_chat(self) -> str:
        return f"a:1{self.teams_id[3:]}PersonalChat"

    def account(self) -> dict[str, Any]:
        return {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad_id}


GRACE = TeamsUser("Grace Hopper", "29:1GrAcEh0pPeRtEaMsId", "a1b2c3d4-0000-4000-8000-000000000001")
ALAN = TeamsUser("Alan Turing", "29:1AlAnTuRiNgTeAmSiD", "a1b2c3d4-0000-4000-8000-000000000002")


def _base(user: TeamsUser, service_url: str, *, channel: bool) -> dict[str, Any]:
    activity_id = f"17323{next(_ids):08d}"
    if channel:
        conversation = {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": user.tenant,
            "id": f"{STAFFROOM};messageid={activity_id}",
        }
        channel_data = {
            "teamsChannelId": STAFFROOM,
            "teamsTeamId": TEAM_ID,
            "channel": {"id": STAFFROOM},
            "team": {"id": TEAM_ID},
            "tenant": {"id": user.tenant},
        }
    else:
        conversation = {"conversationType": "personal", "tenantId": user.tenant, "id": user.personal_chat}
        channel_data = {"tenant": {"id": user.tenant}}
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-11-23T09:00:00.000Z",
        "localTimestamp": "2026-11-23T09:00:00.000+00:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": user.account(),
        "conversation": conversation,
        "recipient": {"id": BOT_ID, "name": "Kept"},
        "entities": [
            {"locale": "en-GB", "country": "GB", "platform": "Web", "timezone": "Europe/London", "type": "clientInfo"}
        ],
        "channelData": channel_data,
        "locale": "en-GB",
        "localTimezone": "Europe/London",
    }


def message(user: TeamsUser, text: str, service_url: str, *, channel: bool = False) -> dict[str, Any]:
    """A typed message: in a personal chat, or in the Staffroom channel with `@Kept` in front."""
    activity = _base(user, service_url, channel=channel)
    activity["textFormat"] = "plain"
    if channel:
        activity["text"] = f"<at>Kept</at> {text}"
        activity["entities"].insert(
            0, {"mentioned": {"id": BOT_ID, "name": "Kept"}, "text": "<at>Kept</at>", "type": "mention"}
        )
    else:
        activity["text"] = text
    return activity


def card_press(
    user: TeamsUser, value: Any, service_url: str, reply_to: str, *, channel: bool = False
) -> dict[str, Any]:
    """An Action.Submit press: a message with no text, the card's data (and inputs) as `value`."""
    activity = _base(user, service_url, channel=channel)
    activity["replyToId"] = reply_to
    activity["value"] = value
    activity["channelData"]["source"] = {"name": "message"}
    activity["channelData"]["legacy"] = {"replyToId": "1:1abcdefLegacy"}
    return activity


def bot_added_to_team(user: TeamsUser, service_url: str) -> dict[str, Any]:
    """conversationUpdate when someone adds Kept to a team (its General channel is the conversation)."""
    activity = _base(user, service_url, channel=True)
    activity.update(type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
    activity["conversation"]["id"] = TEAM_ID
    activity["channelData"] = {
        "team": {"id": TEAM_ID, "name": "Hopper Academy Staff", "aadGroupId": "d1e2f3a4-0000-4000-8000-00000000te4m"},
        "eventType": "teamMemberAdded",
        "tenant": {"id": user.tenant},
    }
    return activity


def app_installed_personally(user: TeamsUser, service_url: str) -> dict[str, Any]:
    """installationUpdate when a person adds Kept as a personal app."""
    activity = _base(user, service_url, channel=False)
    activity.update(type="installationUpdate", action="add")
    activity["channelData"]["source"] = {"name": "message"}
    return activity
