"""The App Home tab: the caller's own `mine`, `board`, `sessions` and `health` replies, via `views.publish`."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import to_home
from bot.slack.bridge import SLACK_TROUBLE, Bridge
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.grammar import QUICK_ACTIONS
from handlers.messages import Message

log = logging.getLogger("kept.slack")

PARTS = ("mine", "board", "sessions", "health")


def _read(kept: Kept, caller: Caller) -> list[Message]:
    """The Home tab's parts, each exactly what the caller would see typing the command."""
    first = kept.handle(caller, PARTS[0])
    if not first.ok:  # not a member yet: the reply already says how to join
        return [first]
    others = (kept.handle(caller, part) for part in PARTS[1:])
    return [first, *(part for part in others if part.ok)]  # e.g. no health until the school has a partnership


async def publish(bridge: Bridge, client: AsyncWebClient, caller: Caller) -> None:
    """Build and publish the caller's Home tab. A Slack failure is logged: the next visit publishes again."""
    parts = await bridge.run(_read, bridge.kept, caller)
    view = to_home(parts, QUICK_ACTIONS if parts[0].ok else ())
    try:
        await client.views_publish(user_id=caller.user_id, view=view)
    except SLACK_TROUBLE as exc:
        log.info("views.publish failed: %s", type(exc).__name__)


def refresh(bridge: Bridge, client: AsyncWebClient, caller: Caller) -> None:
    """After a change, refresh the Home tab of someone who has opened it, once the ack has gone."""
    if (caller.tenant_id, caller.user_id) in bridge.home_viewers:
        bridge.later(publish(bridge, client, caller))
