"""What every Slack listener shares: Kept itself, the database's way in, the profile cache, and who keeps the Home
tab open."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.links import Links, with_links
from bot.slack import inbound
from bot.slack.profiles import Profiles
from handlers.clock import Clock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.messages import Message
from storage import receipts
from storage.db import Database

log = logging.getLogger("kept.slack")
T = TypeVar("T")

# The Bolt context key under which a signed request carries its signature: its id, so a replay changes nothing.
REQUEST_ID = "kept_request_id"
# Set once Kept has answered: a fault after it (rendering, Slack) must not say that nothing was changed.
ANSWERED = "kept_answered"

# What can go wrong calling Slack from a listener, after the change has already been committed.
SLACK_TROUBLE = (SlackApiError, TimeoutError, OSError)


@dataclass
class Bridge:
    kept: Kept
    db: Database
    clock: Clock
    links: Links
    home_viewers: set[tuple[str, str]] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.profiles = Profiles(self.clock.now)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run Kept's synchronous work off the event loop, as every path does (`Database.run`)."""
        return await self.db.run(work, *args)

    async def caller(self, client: AsyncWebClient, body: inbound.Body) -> Caller:
        """The person behind a payload, named from their profile (looked up once per process)."""
        profile = await self.profiles.get(client, inbound.team_of(body), inbound.user_of(body))
        return inbound.caller_from_body(body, profile.name, profile.timezone)

    async def handle(self, caller: Caller, text: str, request_id: str = "") -> Message:
        """Run a command through Kept, its transaction committed before this returns; files come as links.
        `request_id` (a signed request's signature) makes a replay of the same request a no-op."""
        reply = await self.db.run(self.kept.handle, caller, text, inbound_id=request_id)
        return with_links(reply, self.links)

    async def submit(
        self, caller: Caller, form_id: str, context: str, values: dict[str, str], request_id: str = ""
    ) -> Message:
        """Take a form through Kept; raises FormErrors for fields to correct."""
        return await self.db.run(self.kept.submit, caller, form_id, context, values, inbound_id=request_id)

    async def first_delivery(self, event_id: str) -> bool:
        """Record an Events API `event_id`; False when Slack is re-sending one already handled."""
        return await self.run(self._record, event_id)

    def _record(self, event_id: str) -> bool:
        with self.db.transaction() as session:
            return receipts.first_time(session, "slack-event", event_id, self.clock.now())

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the ack. Only for what a crash may lose (a Home tab refresh), never for a change."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for work started with `later` (tests, and a graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
