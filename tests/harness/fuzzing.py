"""What the fuzzers share: a small network to aim at, and the tally of what must never happen.

Every input must end in a reply or a 4xx: never a 5xx, never a traceback in the log, never the internal-error
apology, and never a reply that carries a character Kept should have cleaned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.messages import Message

APOLOGY = "Sorry, something went wrong on our side"
STRANGER = Caller("slack", "T0ELSEWHERE", "U0STRANGER", "A Stranger")


def seed(kept: Kept) -> list[Caller]:
    """Sam and Grace at St Ada's, Priya at Hopper, a promise, an offer, a request, a session, a partnership."""
    sam = Caller("slack", "T0ADA", "U0SAM", "Sam Patel")
    grace = Caller("slack", "T0ADA", "U0GRACE", "Grace Okafor")
    priya = Caller("slack", "T0ADA", "U0PRIYA", "Priya Shah")
    steps = [
        (sam, "join St Ada's School"),
        (priya, "join Hopper Academy"),
        (grace, "join St Ada's School"),
        (sam, "partnership North Star with Hopper Academy"),
        (grace, "promise a minibus to Hopper Academy by Friday"),
        (sam, "offer [specialist staff] a physics teacher for A-level"),
        (priya, "request [specialist staff] a physics teacher"),
        (sam, "session Robotics day on Thursday 10am at St Ada's with Hopper Academy"),
    ]
    for caller, text in steps:
        reply = kept.handle(caller, text)
        assert reply.ok, (text, reply.title)
    return [sam, grace, priya, STRANGER]


def unsafe(message: Message) -> bool:
    """True when a reply is the internal-error apology, or carries a character the core should have removed."""
    said = message.plain()
    return APOLOGY in said or any(c in said for c in ("\x00", "\x1b")) or not _encodable(said)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Tally:
    """What a fuzz run tried and what went wrong (every figure but `inputs` must stay 0)."""

    inputs: int = 0
    server_errors: int = 0
    tracebacks: int = 0
    apologies: int = 0
    examples: list[str] = field(default_factory=list)

    def fault(self, kind: str, example: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.examples) < 20:
            self.examples.append(f"{kind}: {example[:300]!r}")

    @property
    def clean(self) -> bool:
        return self.server_errors == self.tracebacks == self.apologies == 0


class TracebackCounter(logging.Handler):
    """Counts log records at ERROR or with a traceback, from anything in the process."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.seen.append(f"{record.name}: {record.getMessage()[:200]}")
