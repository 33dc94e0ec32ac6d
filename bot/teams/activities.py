"""KeptTeamsBot: Teams activities in, Kept's handlers called, Adaptive Cards out. Short methods that delegate."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from bot.links import Links, with_links
from bot.teams import references
from bot.teams.cards import Card, to_card, to_form_card
from bot.teams.inbound import (
    CardPress,
    caller_from,
    card_press,
    channel_of,
    command_text,
    inbound_key,
    is_personal,
    tenant_of,
)
from handlers.clock import Clock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.errors import FormErrors
from handlers.messages import Message
from storage.db import Database

log = logging.getLogger("kept.teams")

WELCOME = Message(
    title="Hello from Kept! I help partner schools keep the promises they make each other.",
    text="To start, say `join <your school's name>`: the first person from a school becomes its lead.\n\n"
    "Then try `offer <something your school can give>`, such as `offer a physics teacher for an A-level "
    "masterclass`, or `help` to see everything I can do.",
    footer="In a channel, mention me first: @Kept offer …",
)
# Set in a turn's state once Kept has answered: a fault after it must not say that nothing was changed.
ANSWERED = "kept_answered"
UNKNOWN_PRESS = Message(
    title="Sorry, I don't recognise that button.",
    text="It may be from an older card. Say `mine` to see your commitments with fresh buttons.",
    ok=False,
)


def card_activity(card: Card, summary: str = "") -> Activity:
    """A message carrying one Adaptive Card; `summary` is what Teams shows in notifications."""
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    activity.summary = summary[:200] or None
    return activity


class KeptTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    """The Teams face of Kept. Every command goes through `kept`, as from Slack or the console."""

    def __init__(self, kept: Kept, db: Database, clock: Clock, links: Links) -> None:
        self.kept = kept
        self.db = db
        self.clock = clock
        self.links = links

    async def on_turn(self, turn_context: TurnContext) -> None:
        try:
            await super().on_turn(turn_context)
        finally:
            await close_connector(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self._remember(turn_context.activity)
        if turn_context.activity.value is not None:
            await self._on_card_press(turn_context, card_press(turn_context.activity.value))
            return
        activity = turn_context.activity
        reply = await self.db.run(self._handle, caller_from(activity), command_text(activity), inbound_key(activity))
        turn_context.turn_state[ANSWERED] = reply.ok
        await turn_context.send_activity(card_activity(to_card(reply), reply.title))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Kept (or someone) was added to a chat or team: remember where it is, and say hello once."""
        activity = turn_context.activity
        bot_id = getattr(activity.recipient, "id", None)
        if any(member.id == bot_id for member in activity.members_added or []):
            await self._install(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._install(turn_context)

    async def _install(self, turn_context: TurnContext) -> None:
        if await self._remember(turn_context.activity):
            await turn_context.send_activity(card_activity(to_card(WELCOME), WELCOME.title))

    async def _on_card_press(self, turn_context: TurnContext, press: CardPress | None) -> None:
        if press is None:
            await turn_context.send_activity(card_activity(to_card(UNKNOWN_PRESS), UNKNOWN_PRESS.title))
            return
        reply, card = await self.db.run(self._run_press, turn_context.activity, press)
        turn_context.turn_state[ANSWERED] = reply.ok
        if reply.ok and turn_context.activity.reply_to_id:
            updated = card_activity(card, reply.title)
            updated.id = turn_context.activity.reply_to_id
            await turn_context.update_activity(updated)
        else:
            await turn_context.send_activity(card_activity(card, reply.title))

    def _run_press(self, activity: Activity, press: CardPress) -> tuple[Message, Card]:
        """Run a button's command or a form's submission; a form with mistakes comes back with its errors."""
        caller = caller_from(activity)
        kept = self.kept
        if press.kind == "command":
            reply = self._handle(caller, press.command, inbound_key(activity))
            return reply, to_card(reply)
        try:
            reply = kept.submit(caller, press.form_id, press.context, press.values)
        except FormErrors as errors:
            if press.form is None:
                refusal = Message(title=errors.reason, ok=False)
                return refusal, to_card(refusal)
            return Message(title=press.form.title), to_form_card(press.form, errors.errors, press.values)
        return reply, to_card(reply)

    def _handle(self, caller: Caller, text: str, inbound_id: str) -> Message:
        """Run a command through Kept; a file it offers comes as a link (a card can't carry the file)."""
        return with_links(self.kept.handle(caller, text, inbound_id=inbound_id), self.links)

    async def _remember(self, activity: Activity) -> bool:
        """Store where this conversation is, for proactive messages. True when it was not known before."""
        return await self.db.run(remember, self.db, self.clock, activity)


def remember(db: Database, clock: Clock, activity: Activity) -> bool:
    """Save the 1:1, or the channel and where its sender was seen; True if the conversation is new to Kept."""
    tenant = tenant_of(activity)
    caller = caller_from(activity)
    now = clock.now()
    reference = _reference(activity)
    if is_personal(activity):
        return references.save(db, tenant, references.USER, caller.user_id, reference, now)
    if caller.user_id:
        references.save(db, tenant, references.MEMBER, caller.user_id, reference, now)
    return references.save(db, tenant, references.CHANNEL, channel_of(activity), reference, now)


def _reference(activity: Activity) -> dict[str, Any]:
    """A reference to the conversation itself (a channel's top level, not the thread this came in on)."""
    reference: ConversationReference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    conversation = activity.conversation or ConversationAccount(id="")
    reference.conversation = ConversationAccount(
        id=channel_of(activity) or conversation.id,
        conversation_type=conversation.conversation_type,
        is_group=conversation.is_group,
        tenant_id=tenant_of(activity),
    )
    reference.user = ChannelAccount(
        id=getattr(activity.from_property, "id", None),
        name=getattr(activity.from_property, "name", None),
        aad_object_id=getattr(activity.from_property, "aad_object_id", None),
    )
    serialized: dict[str, Any] = reference.serialize()
    return serialized


async def close_connector(turn_context: TurnContext) -> None:
    """Close the turn's Bot Connector client: botbuilder leaves its HTTP session (and sockets) open."""
    client = turn_context.turn_state.get(turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY)
    if client is not None:
        await client.__aexit__(None, None, None)
