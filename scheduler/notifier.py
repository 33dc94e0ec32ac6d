"""The port every platform implements to deliver proactive messages for the scheduler."""

from __future__ import annotations

from typing import Protocol

from handlers.messages import Address, Message

# Where a message goes: a person (`user_id`) or a channel (`channel_id`), on one platform and tenant. The
# handlers decide the addresses (handlers/due.py); notifiers receive them as they are.
Recipient = Address


class DeliveryFailed(Exception):
    """Delivery did not happen.

    `retry_after` (seconds) is the platform's own Retry-After where it gave one. `permanent` means trying
    again cannot help: the account is deactivated, the bot was removed (Slack `account_inactive`, Teams 403).
    """

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


class Notifier(Protocol):
    """Delivers one message to one recipient on one platform.

    Returns the platform's id for what was posted (Slack `ts`, Teams activity id), recorded at once.
    Raises DeliveryFailed for anything that did not arrive; never returns unless the platform accepted it.
    """

    platform: str

    async def deliver(self, recipient: Recipient, message: Message) -> str: ...
