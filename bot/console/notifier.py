"""ConsoleNotifier: the terminal's way of receiving what the scheduler sends (`kept chat`, tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from bot.console.text import to_text
from handlers.messages import Address, Message


@dataclass
class ConsoleNotifier:
    """Keeps every delivered message, in order, as text; `take()` hands over what arrived since last time."""

    platform: str = "console"
    received: list[tuple[Address, Message]] = field(default_factory=list)
    _ids: count[int] = field(default_factory=lambda: count(1))
    _taken: int = 0

    async def deliver(self, address: Address, message: Message) -> str:
        self.received.append((address, message))
        return f"console-{next(self._ids)}"

    def take(self) -> list[str]:
        """What arrived since the last call, each as `→ <who>` and the message's text."""
        fresh = self.received[self._taken :]
        self._taken = len(self.received)
        return [f"→ {address.user_id or address.channel_id}\n{to_text(message)}" for address, message in fresh]
