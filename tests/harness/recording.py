"""RecordingNotifier: a stand-in platform that keeps what it was given, and fails on request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from handlers.messages import Address, Message
from scheduler.notifier import DeliveryFailed


@dataclass
class RecordingNotifier:
    """Records deliveries. `fail_next(...)` makes the next calls fail as a platform would: a transient error,
    a 429 with Retry-After, a permanent refusal (account gone), a hang past the timeout, or a bug."""

    platform: str = "slack"
    delivered: list[tuple[Address, Message]] = field(default_factory=list)
    failures: list[BaseException | str] = field(default_factory=list)

    async def deliver(self, address: Address, message: Message) -> str:
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "hang":
                await asyncio.sleep(3600)
            assert isinstance(failure, BaseException)
            raise failure
        self.delivered.append((address, message))
        return f"{self.platform}-{len(self.delivered)}"

    def fail_next(
        self, times: int = 1, *, reason: str = "server error", retry_after: float | None = None, permanent: bool = False
    ) -> None:
        self.failures += [DeliveryFailed(reason, retry_after=retry_after, permanent=permanent)] * times

    def hang_next(self) -> None:
        self.failures.append("hang")

    def raise_next(self, error: BaseException) -> None:
        self.failures.append(error)

    def titles(self) -> list[str]:
        return [message.title for _, message in self.delivered]

    def to(self, user_id: str) -> list[str]:
        return [m.title for r, m in self.delivered if r.user_id == user_id or r.channel_id == user_id]
