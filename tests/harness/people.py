"""People who talk to Kept in tests: each says things and gets Messages back, as one chat account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.messages import Message


@dataclass
class Person:
    kept: Kept
    caller: Caller

    def say(self, text: str) -> Message:
        return self.kept.handle(self.caller, text)

    def submit(self, form_id: str, values: dict[str, str], context: str = "") -> Message:
        return self.kept.submit(self.caller, form_id, context, values)


Join = Callable[..., Person]


def joiner(kept: Kept) -> Join:
    def join(name: str, school: str | None = None, *, platform: str = "slack", tenant: str = "T0KEPT") -> Person:
        person = Person(
            kept,
            Caller(
                platform=platform,
                tenant_id=tenant,
                user_id=f"U-{name.replace(' ', '')}",
                display_name=name,
                channel_id="C-GENERAL",
            ),
        )
        if school:
            reply = person.say(f"join {school}")
            assert reply.ok, reply.title
        return person

    return join
