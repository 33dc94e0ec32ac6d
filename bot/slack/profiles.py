"""Names and time zones from Slack profiles (`users.info`), asked once per person and kept in memory.

While Slack's Web API can't answer, a command is answered without the profile: the first lookup that fails with
Slack unreachable, timing out or answering 5xx or 429 pauses lookups for PAUSE_SECONDS, so the commands meanwhile
don't each wait for a failing call (half a second each with slack_sdk's retry on a refused connection)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("kept.slack")

MAX_PEOPLE = 10_000
LOOKUP_SECONDS = 1.0  # a profile is nice to have; it must never cost the 3-second ack
PAUSE_SECONDS = 30


@dataclass(frozen=True)
class Profile:
    name: str = ""
    timezone: str | None = None


class Profiles:
    """A per-process cache of profiles by (workspace, user). A failed lookup is tried again next time, or after a
    pause when Slack itself failed to answer."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self._known: dict[tuple[str, str], Profile] = {}
        self._quiet_until: datetime | None = None

    async def get(self, client: AsyncWebClient, team_id: str, user_id: str) -> Profile:
        key = (team_id, user_id)
        if key in self._known or not user_id:
            return self._known.get(key, Profile())
        if self._quiet_until is not None and self.now() < self._quiet_until:
            return Profile()
        try:
            response = await asyncio.wait_for(client.users_info(user=user_id), LOOKUP_SECONDS)
        except (SlackApiError, TimeoutError, OSError) as exc:
            log.info("users.info unavailable for a user: %s", type(exc).__name__)
            if not isinstance(exc, SlackApiError) or exc.response.status_code in (429, *range(500, 600)):
                self._quiet_until = self.now() + timedelta(seconds=PAUSE_SECONDS)
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
