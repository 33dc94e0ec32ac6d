"""Bot Framework activities as Teams sends them, for Hopper Academy: each starts from a recorded activity in
tests/payloads/teams/ (a fact about the platform), with who sent it, what it says and where to answer filled in."""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOT_ID = "28:0c3f7a51-5b52-4c8e-a3f1-8b6a3c2e9d10"
HOPPER_TENANT = "5b7e4a2c-1f3d-4c8e-9a6b-2d0f8e7c1a90"
TEAM_ID = "19:Qm3lT4aH0pper@thread.tacv2"
STAFFROOM = "19:8d1f0c2bStaffroom@thread.tacv2"

_ids = itertools.count(1)
RECORDED = Path(__file__).parent.parent / "payloads" / "teams"


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


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of the recorded activity `name` (tests/payloads/teams/<name>.json)."""
    return copy.deepcopy(_load(name))


_cache: dict[str, dict[str, Any]] = {}


def _load(name: str) -> dict[str, Any]:
    if name not in _cache:
        _cache[name] = json.loads((RECORDED / f"{name}.json").read_text())
    return _cache[name]


def _from(name: str, user: TeamsUser, service_url: str) -> dict[str, Any]:
    """A recorded activity, sent by `user` in their tenant, answered at `service_url`, with a fresh id."""
    activity = recorded(name)
    activity_id = f"17323{next(_ids):08d}"
    activity.update(id=activity_id, serviceUrl=service_url, **{"from": user.account()})
    activity["conversation"]["tenantId"] = user.tenant
    activity["channelData"]["tenant"] = {"id": user.tenant}
    if activity["conversation"].get("conversationType") == "personal":
        activity["conversation"]["id"] = user.personal_chat
    elif activity["type"] == "message":
        activity["conversation"]["id"] = f"{STAFFROOM};messageid={activity_id}"
    return activity


def message(user: TeamsUser, text: str, service_url: str, *, channel: bool = False) -> dict[str, Any]:
    """A typed message: in a personal chat, or in the Staffroom channel with `@Kept` in front."""
    activity = _from("channel_message" if channel else "personal_message", user, service_url)
    activity["text"] = f"<at>Kept</at> {text}" if channel else text
    return activity


def card_press(
    user: TeamsUser, value: Any, service_url: str, reply_to: str, *, channel: bool = False
) -> dict[str, Any]:
    """An Action.Submit press: a message with no text, the card's data (and inputs) as `value`."""
    activity = _from("card_press", user, service_url)
    if channel:
        staffroom = _from("channel_message", user, service_url)
        activity["conversation"], activity["entities"] = staffroom["conversation"], staffroom["entities"][1:]
        activity["channelData"] = {
            **staffroom["channelData"],
            **{k: activity["channelData"][k] for k in ("source", "legacy")},
        }
    activity["replyToId"] = reply_to
    activity["value"] = value
    return activity


def bot_added_to_team(user: TeamsUser, service_url: str) -> dict[str, Any]:
    """conversationUpdate when someone adds Kept to a team (its General channel is the conversation)."""
    return _from("bot_added_to_team", user, service_url)


def app_installed_personally(user: TeamsUser, service_url: str) -> dict[str, Any]:
    """installationUpdate when a person adds Kept as a personal app."""
    return _from("installation_update_add", user, service_url)
