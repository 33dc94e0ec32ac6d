"""What every Slack listener shares: Kept itself, the profile cache, and who keeps the Home tab open."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError

from bot.services import Services
from bot.slack import inbound
from bot.slack.profiles import Profiles
from handlers.context import Caller
from handlers.messages import Message
from storage.models import InboundReceipt

log = logging.getLogger("kept.slack")

# What can go wrong calling Slack from a listener, after the change has already been committed.
SLACK_TROUBLE = (SlackApiError, TimeoutError, OSError)


@dataclass
class Bridge:
    services: Services
    profiles: Profiles = field(default_factory=Profiles)
    home_viewers: set[tuple[str, str]] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def caller(self, client: AsyncWebClient, body: inbound.Body) -> Caller:
        """The person behind a payload, named from their profile (looked up once per process)."""
        profile = await self.profiles.get(client, inbound.team_of(body), inbound.user_of(body))
        return inbound.caller_from_body(body, profile.name, profile.timezone)

    async def handle(self, caller: Caller, text: str, inbound_id: str = "") -> Message:
        """Run a command through Kept, its transaction committed before this returns."""
        return await asyncio.to_thread(self.services.kept.handle, caller, text, inbound_id=inbound_id)

    async def submit(self, caller: Caller, form_id: str, context: str, values: dict[str, str]) -> Message:
        """Take a form through Kept; raises FormErrors for fields to correct."""
        return await asyncio.to_thread(self.services.kept.submit, caller, form_id, context, values)

    async def first_delivery(self, event_id: str) -> bool:
        """Record an Events API `event_id`; False when Slack is re-sending one already handled."""
        return await asyncio.to_thread(self._record, event_id)

    def _record(self, event_id: str) -> bool:
        try:
            with self.services.db.transaction() as session:
                session.add(
                    InboundReceipt(source="slack-event", inbound_id=event_id[:200], at=self.services.clock.now())
                )
        except IntegrityError:
            return False
        return True

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the ack. Only for what a crash may lose (a Home tab refresh), never for a change."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for work started with `later` (tests, and a graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
