"""TeamsNotifier: the scheduler's proactive messages (nudges, reminders, digests) delivered as Adaptive Cards."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ConversationReference
from botframework.connector.aio import ConnectorClient
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.teams import references
from bot.teams.activities import card_activity, close_connector
from bot.teams.cards import to_card
from bot.teams.inbound import PLATFORM
from bot.teams.service_urls import ServiceUrls
from handlers.clock import Clock
from handlers.messages import Address, Message
from scheduler.notifier import DeliveryFailed, retry_after_seconds
from storage.db import Database

RETRYABLE = {408, 412, 429, 500, 502, 503, 504}  # Teams' rate-limit guidance names 429, 412, 502 and 504
GONE = {403, 404}  # the bot was removed, or the person or conversation no longer exists

Send = Callable[[ConnectorClient, ConversationReference], Awaitable[str]]


class TeamsNotifier:
    """Delivers one message to a Teams person (1:1) or channel, through the stored conversation references.

    A person with no 1:1 chat with Kept yet gets one created, through a channel of their tenant where Kept is
    installed. Returns the posted activity's id; raises DeliveryFailed (retryable, or permanent when the
    person or the bot's installation is gone).
    """

    platform = PLATFORM

    def __init__(
        self, adapter: CloudAdapter, db: Database, clock: Clock, app_id: str, service_urls: ServiceUrls
    ) -> None:
        self.adapter = adapter
        self.db = db
        self.clock = clock
        self.app_id = app_id
        self.service_urls = service_urls

    async def deliver(self, address: Address, message: Message) -> str:
        activity = card_activity(to_card(message), message.title)
        if address.channel_id:
            channel = await self._load(address.tenant_id, references.CHANNEL, address.channel_id)
            if channel is None:
                raise DeliveryFailed("Kept has not been added to that Teams channel.", permanent=True)
            return await self._through(channel, _post(activity))
        chat = await self._load(address.tenant_id, references.USER, address.user_id)
        if chat is not None:
            return await self._through(chat, _post(activity))
        return await self._open_chat(address, activity)

    async def _open_chat(self, address: Address, activity: Activity) -> str:
        """Create the 1:1 chat (Kept must be installed for the person or in one of their teams), then post."""
        seen = await self._load(address.tenant_id, references.MEMBER, address.user_id)
        base = seen or await self.db.run(references.any_channel, self.db, address.tenant_id)
        if base is None or not address.user_id:
            raise DeliveryFailed(
                "Kept can't reach this person on Teams yet: nobody in their organisation has added Kept.",
                permanent=True,
            )
        teams_id = (seen or {}).get("user", {}).get("id") or address.user_id

        async def open_and_post(client: ConnectorClient, reference: ConversationReference) -> str:
            params = ConversationParameters(
                is_group=False,
                bot=reference.bot,
                tenant_id=address.tenant_id,
                members=[ChannelAccount(id=teams_id, aad_object_id=address.user_id)],
                channel_data={"tenant": {"id": address.tenant_id}},
            )
            created = await client.conversations.create_conversation(params)
            chat = _chat_reference(reference, created.id, teams_id, address)
            await self.db.run(
                references.save,
                self.db,
                address.tenant_id,
                references.USER,
                address.user_id,
                chat.serialize(),
                self.clock.now(),
            )
            return await _post(activity)(client, chat)

        return await self._through(base, open_and_post)

    async def _through(self, stored: dict[str, Any], send: Send) -> str:
        """Run `send` with a connector for the stored conversation's service; map failures to DeliveryFailed."""
        reference = ConversationReference().deserialize(stored)
        if not self.service_urls.allows(reference.service_url):
            raise DeliveryFailed(
                "That Teams conversation's service URL is not in KEPT_TEAMS_SERVICE_URLS.", permanent=True
            )
        outcome: dict[str, Any] = {}

        async def callback(turn_context: TurnContext) -> None:
            try:
                client = turn_context.turn_state[turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY]
                outcome["id"] = await send(client, reference)
            except Exception as exc:  # noqa: BLE001  (re-raised below as DeliveryFailed; botbuilder would swallow it)
                outcome["error"] = exc
            finally:
                await close_connector(turn_context)

        try:
            await self.adapter.continue_conversation(reference, callback, bot_app_id=self.app_id)
        except Exception as exc:  # noqa: BLE001  (credentials or connector set-up failed before the callback)
            raise _failure(exc) from exc
        if "error" in outcome:
            raise _failure(outcome["error"]) from outcome["error"]
        return str(outcome.get("id") or "")

    async def _load(self, tenant_id: str, scope: str, key: str) -> dict[str, Any] | None:
        if not key:
            return None
        return await self.db.run(references.load, self.db, tenant_id, scope, key)


def _post(activity: Activity) -> Send:
    async def post(client: ConnectorClient, reference: ConversationReference) -> str:
        # A new post in the conversation (not a reply to the continuation event botbuilder would invent).
        outgoing = TurnContext.apply_conversation_reference(activity, reference)
        response = await client.conversations.send_to_conversation(reference.conversation.id, outgoing)
        return str(getattr(response, "id", "") or "")

    return post


def _chat_reference(
    base: ConversationReference, conversation_id: str, teams_id: str, address: Address
) -> ConversationReference:
    chat: ConversationReference = ConversationReference().deserialize(base.serialize())
    chat.conversation.id = conversation_id
    chat.conversation.conversation_type = "personal"
    chat.conversation.is_group = False
    chat.user = ChannelAccount(id=teams_id, aad_object_id=address.user_id)
    return chat


def _failure(error: BaseException) -> DeliveryFailed:
    if isinstance(error, DeliveryFailed):
        return error
    if isinstance(error, HttpOperationError) and error.response is not None:
        status = error.response.status_code
        retry_after = retry_after_seconds(error.response.headers.get("Retry-After"))
        if status in GONE:
            return DeliveryFailed(f"Teams said {status}: Kept was removed, or the person has left.", permanent=True)
        if status in RETRYABLE or status == 401:
            return DeliveryFailed(f"Teams is busy or unavailable ({status}).", retry_after=retry_after)
        return DeliveryFailed(f"Teams refused the message ({status}).", permanent=True)
    if isinstance(error, ClientRequestError | ValueError | OSError | asyncio.TimeoutError):
        return DeliveryFailed("Could not reach the Teams service.")
    return DeliveryFailed(f"Unexpected failure sending to Teams ({type(error).__name__}).")
