"""Who Kept is in each Slack workspace, for Bolt: the bot token to answer with, and the bot's own ids.

Bolt's own authorizers learn the bot's ids from `auth.test` on a workspace's first request, before the ack, and
answer every request with "Please reinstall this app" while Slack's Web API can't be reached, though a slash
command needs nothing from it to be logged and acknowledged. Here the ids come from the installation where Kept
stored them (OAuth), and otherwise from `auth.test` asked off the request path: once as the server starts, and
again at most every RETRY_SECONDS while Slack can't answer. Until then a request goes ahead without the ids
(they only matter for telling Kept's own events apart, and Kept listens to none of those). A token Slack says is
no longer valid is refused, with words a teacher can act on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import ClientError, web
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.installation_store import KeptInstallationStore

log = logging.getLogger("kept.slack")

RETRY_SECONDS = 30
NOT_CONNECTED = (
    "Kept isn't connected to this Slack workspace at the moment, so nothing was changed. Whoever looks after "
    "Slack at your school can reinstall Kept to put it right."
)
REVOKED = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive", "token_expired"})


@dataclass(frozen=True)
class BotIds:
    bot_id: str | None
    bot_user_id: str | None


class BotIdentity(AsyncAuthorize):
    """Bolt's `authorize`: a workspace's token and the bot's ids, without a call to Slack before any ack."""

    def __init__(
        self,
        client: AsyncWebClient,
        now: Callable[[], datetime],
        token: str = "",
        store: KeptInstallationStore | None = None,
    ) -> None:
        self.client = client
        self.now = now
        self.token = token  # one workspace's SLACK_BOT_TOKEN; with a store, each installation's instead
        self.store = store
        self._known: dict[str, BotIds] = {}
        self._refused: set[str] = set()
        self._asked_at: dict[str, datetime] = {}
        self._asking: dict[str, asyncio.Task[None]] = {}

    async def __call__(
        self, *, context: Any, enterprise_id: str | None, team_id: str | None, user_id: str | None, **_: Any
    ) -> AuthorizeResult | None:
        token, ids = self.token, None
        if self.store is not None:
            bot = await self.store.async_find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=context.is_enterprise_install
            )
            if bot is None:
                return None
            token = bot.bot_token
            ids = BotIds(bot.bot_id, bot.bot_user_id) if bot.bot_user_id else None
        if not token or token in self._refused:
            return None
        if ids is None:
            ids = self._known.get(token) or self._ask_later(token)
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=token,
            bot_id=ids.bot_id,
            bot_user_id=ids.bot_user_id,
            user_id=user_id,
        )

    async def learn(self, token: str) -> None:
        """Ask Slack who the token belongs to; remember the answer, or that Slack refused the token."""
        self._asked_at[token] = self.now()
        try:
            answer = await self.client.auth_test(token=token)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if exc.response.status_code == 200 and error in REVOKED:
                self._refused.add(token)
                log.error("Slack refused the bot token (%s): commands are refused until it is replaced", error)
            else:
                log.warning("Slack's auth.test failed (%s); commands go on, and Kept asks again later", error)
            return
        except (TimeoutError, OSError, ClientError) as exc:
            log.warning("Slack's Web API can't be reached (%s); commands go on, and Kept asks again later", exc)
            return
        self._known[token] = BotIds(answer.get("bot_id"), answer.get("user_id"))
        self._refused.discard(token)

    def _ask_later(self, token: str) -> BotIds:
        """No ids yet: ask in the background if it is time, and go on without them for now."""
        asked = self._asked_at.get(token)
        due = asked is None or self.now() - asked >= timedelta(seconds=RETRY_SECONDS)
        if due and token not in self._asking:
            task = asyncio.get_running_loop().create_task(self.learn(token))
            self._asking[token] = task
            task.add_done_callback(lambda _: self._asking.pop(token, None))
        return BotIds(None, None)

    def warming(self) -> Callable[[web.Application], AsyncIterator[None]]:
        """For the web app's cleanup context: learn the single workspace's ids as the server starts (not before
        it listens: Slack may be unreachable then), and stop asking at shutdown."""

        async def warm(_: web.Application) -> AsyncIterator[None]:
            if self.token:
                self._ask_later(self.token)
            yield
            for task in self._asking.values():
                task.cancel()
            await self.settle()

        return warm

    async def settle(self) -> None:
        """Wait for any question to Slack still in flight (at shutdown, and in tests)."""
        waiting: list[Awaitable[None]] = list(self._asking.values())
        await asyncio.gather(*waiting, return_exceptions=True)
