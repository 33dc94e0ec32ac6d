"""The port every platform implements to deliver proactive messages for the scheduler."""

from __future__ import annotations

from typing import Protocol

from handlers.messages import Address, Message


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


def retry_after_seconds(value: object) -> float | None:
    """A Retry-After header in seconds (never negative), or None when it is missing or not a number."""
    try:
        return max(0.0, float(str(value))) if value not in (None, "") else None
    except ValueError:
        return None


class Notifier(Protocol):
    """Delivers one message to one address on one platform.

    Returns the platform's id for what was posted (Slack `ts`, Teams activity id), recorded at once.
    Raises DeliveryFailed for anything that did not arrive; never returns unless the platform accepted it.
    """

    platform: str

    async def deliver(self, address: Address, message: Message) -> str: ...
