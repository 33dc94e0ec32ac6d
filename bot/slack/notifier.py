"""SlackNotifier: the scheduler's proactive messages (nudges, digests, notices) posted with `chat.postMessage`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import fallback, to_blocks
from bot.slack.logs import web_logger
from handlers.messages import Address, Message
from scheduler.notifier import DeliveryFailed, retry_after_seconds

TokenFor = Callable[[str], Awaitable[str | None]]

# Slack's error codes after which trying again cannot help: the person or the channel is gone, or Kept is.
PERMANENT = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "team_access_not_granted",
        "user_disabled",
        "cannot_dm_bot",
        "restricted_action",
        "msg_blocks_too_long",
        "invalid_blocks",
    }
)
SEND_SECONDS = 10


class SlackNotifier:
    """Posts to a person's DM with Kept (a user id as the channel opens it) or to a channel.

    Retries are the outbox's business, not this class's: one attempt per call, so a retried send is
    always a deliberate, recorded one.
    """

    platform = "slack"

    def __init__(self, token_for: TokenFor, base_url: str) -> None:
        self._token_for = token_for
        self._base_url = base_url

    async def deliver(self, address: Address, message: Message) -> str:
        """Post `message`; return its `ts`. Raises DeliveryFailed (with Slack's Retry-After on a 429)."""
        token = await self._token_for(address.tenant_id)
        if not token:
            raise DeliveryFailed("Kept is not installed in that Slack workspace", permanent=True)
        channel = address.channel_id or address.user_id
        if not channel:
            raise DeliveryFailed("no Slack user or channel to deliver to", permanent=True)
        client = AsyncWebClient(
            token=token, base_url=self._base_url, timeout=SEND_SECONDS, retry_handlers=[], logger=web_logger()
        )
        try:
            response = await client.chat_postMessage(
                channel=channel, text=fallback(message), blocks=to_blocks(message), unfurl_links=False
            )
        except SlackApiError as exc:
            raise failure(exc) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryFailed(f"Slack did not answer ({type(exc).__name__})") from None
        return str(response.get("ts") or "")


def failure(exc: SlackApiError) -> DeliveryFailed:
    """Slack's answer as a DeliveryFailed: 429 carries Retry-After; gone people and channels are permanent."""
    response = exc.response
    code = str(response.get("error") or "") if response is not None else ""
    if response is not None and response.status_code == 429:
        return DeliveryFailed("rate limited by Slack", retry_after=_retry_after(response.headers))
    return DeliveryFailed(f"Slack said {code or 'no'}", permanent=code in PERMANENT)


def _retry_after(headers: dict[str, object]) -> float:
    """Slack's Retry-After (header names in any case); 30 seconds if it gave none."""
    found = next((value for name, value in headers.items() if name.lower() == "retry-after"), None)
    seconds = retry_after_seconds(found)
    return 30.0 if seconds is None else seconds
