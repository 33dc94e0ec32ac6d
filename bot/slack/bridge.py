"""What every Slack listener shares: Kept itself, the profile cache, and who keeps the Home tab open."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.links import Links, with_links
from bot.services import Services
from bot.slack import inbound
from bot.slack.profiles import Profiles
from handlers.context import Caller
from handlers.messages import Message
from storage import receipts

log = logging.getLogger("kept.slack")
T = TypeVar("T")

# What can go wrong calling Slack from a listener, after the change has already been committed.
SLACK_TROUBLE = (SlackApiError, TimeoutError, OSError)


@dataclass
class Bridge:
    services: Services
    profiles: Profiles = field(default_factory=Profiles)
    home_viewers: set[tuple[str, str]] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _sqlite_writer: ThreadPoolExecutor | None = None
    links: Links = field(init=False)

    def __post_init__(self) -> None:
        self.links = Links.from_settings(self.services.settings)
        # SQLite takes one writer at a time, and a writer that finds the lock taken sleeps in steps of up to
        # 100 ms (its busy handler). One thread for Kept's work keeps SQLite's writers in a queue instead.
        if not self.services.db.is_postgres:
            self._sqlite_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kept-sqlite")

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run Kept's synchronous work off the event loop (in order, on SQLite)."""
        return await asyncio.get_running_loop().run_in_executor(self._sqlite_writer, functools.partial(work, *args))

    async def caller(self, client: AsyncWebClient, body: inbound.Body) -> Caller:
        """The person behind a payload, named from their profile (looked up once per process)."""
        profile = await self.profiles.get(client, inbound.team_of(body), inbound.user_of(body))
        return inbound.caller_from_body(body, profile.name, profile.timezone)

    async def handle(self, caller: Caller, text: str) -> Message:
        """Run a command through Kept, its transaction committed before this returns; files come as links."""
        return with_links(await self.run(self.services.kept.handle, caller, text), self.links)

    async def submit(self, caller: Caller, form_id: str, context: str, values: dict[str, str]) -> Message:
        """Take a form through Kept; raises FormErrors for fields to correct."""
        return await self.run(self.services.kept.submit, caller, form_id, context, values)

    async def first_delivery(self, event_id: str) -> bool:
        """Record an Events API `event_id`; False when Slack is re-sending one already handled."""
        return await self.run(self._record, event_id)

    def _record(self, event_id: str) -> bool:
        with self.services.db.transaction() as session:
            return receipts.first_time(session, "slack-event", event_id, self.services.clock.now())

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the ack. Only for what a crash may lose (a Home tab refresh), never for a change."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for work started with `later` (tests, and a graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """On shutdown: finish what was started, then let the SQLite thread go."""
        await self.settle()
        if self._sqlite_writer is not None:
            self._sqlite_writer.shutdown(wait=False)
