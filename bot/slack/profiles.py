"""Names and time zones from Slack profiles (`users.info`), asked once per person and kept in memory."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("kept.slack")

MAX_PEOPLE = 10_000
LOOKUP_SECONDS = 1.0  # a profile is nice to have; it must never cost the 3-second ack


@dataclass(frozen=True)
class Profile:
    name: str = ""
    timezone: str | None = None


class Profiles:
    """A per-process cache of profiles by (workspace, user). A failed lookup is simply tried next time."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], Profile] = {}

    async def get(self, client: AsyncWebClient, team_id: str, user_id: str) -> Profile:
        key = (team_id, user_id)
        if key in self._known or not user_id:
            return self._known.get(key, Profile())
        try:
            response = await asyncio.wait_for(client.users_info(user=user_id), LOOKUP_SECONDS)
        except (SlackApiError, TimeoutError, OSError) as exc:
            log.info("users.info unavailable for a user: %s", type(exc).__name__)
            return Profile()
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        found = Profile(
            name=str(profile.get("display_name") or profile.get("real_name") or user.get("real_name") or ""),
            timezone=user.get("tz") or None,
        )
        if len(self._known) >= MAX_PEOPLE:
            self._known.pop(next(iter(self._known)))
        self._known[key] = found
        return found
