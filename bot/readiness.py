"""Serving while the database is away: `kept serve` starts without it, and brings the schema up to date itself
once it answers.

Every `kept` process migrates at start. For `kept serve` a database that can't be reached then is not fatal:
the server starts, `/readyz` answers 503 (so a load balancer sends it no work), commands get a kind refusal,
and this keeps trying the migration in the background until it succeeds. No restart is needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from storage import migrate
from storage.db import Database, unreachable

log = logging.getLogger("kept")


@dataclass
class Schema:
    """Whether this process has brought the schema up to date yet."""

    db: Database
    ready: bool = False

    def try_upgrade(self) -> bool:
        """Migrate now; False (logged in one line) when the database can't be reached. Other errors raise."""
        try:
            migrate.upgrade(self.db)
        except Exception as exc:
            if not unreachable(exc):
                raise
            log.warning("database unreachable (%s): serving anyway; /readyz says 503 until it answers", _said(exc))
            return False
        self.ready = True
        return True

    def retrying(self, every: float) -> Callable[[Any], AsyncIterator[None]]:
        """An aiohttp cleanup context that retries the migration every `every` seconds until it succeeds."""

        async def context(app: Any) -> AsyncIterator[None]:
            task = asyncio.get_running_loop().create_task(self._retry(every))
            yield
            task.cancel()

        return context

    async def _retry(self, every: float) -> None:
        while not self.ready:
            await asyncio.sleep(every)
            if await self.db.run(self.try_upgrade):
                log.info("database reachable again: schema up to date")


def _said(exc: BaseException) -> str:
    """The first line of what the driver said (never a password: drivers don't repeat them)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(exc).__name__])[0][:200]
