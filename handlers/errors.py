"""Refusals written for the user, apart from bugs; and the one way any error becomes a reply."""

from __future__ import annotations

import logging
import secrets

from handlers.messages import Message
from storage.db import unreachable

log = logging.getLogger("kept")


class CommandError(Exception):
    """A refusal whose `reason` is safe and kind to show to the user as it is. Nothing has changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(CommandError, LookupError):
    """The thing named (a ref, a school, a partnership) is not there, or not visible to the caller."""


class NotAllowed(CommandError, PermissionError):
    """The caller may not do this (not their commitment, not a lead, not a member)."""


class BadDate(CommandError, ValueError):
    """A date or time Kept could not read, or one in the past."""


class FormErrors(CommandError):
    """A form submission with fields to correct: `errors` maps an input id to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def new_reference() -> str:
    """A short id quoted to the user and logged beside the traceback, so support can find one from the other."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


UNREACHABLE = Message(
    title="Sorry, I can't reach my records just now, so nothing was changed.",
    text="Please try again in a few minutes.",
    ok=False,
)
_AFTER = {
    False: "Nothing was changed. Please try again; if it keeps happening, quote the ref to your Kept admin.",
    True: "What you asked was saved, but I couldn't show you the reply: say `mine` or `board` to see where "
    "things stand.",
    None: "I couldn't tell whether it was saved: say `mine` or `board` to check before trying again.",
}


def reply_for(exc: BaseException, *, saved: bool | None = False) -> Message:
    """The reply for a failed command: a refusal's own reason, a kind refusal while the database is out of
    reach, or an apology that quotes a reference and says truthfully whether anything was `saved` (None when
    the failure came as the change was being committed, so Kept can't know)."""
    if isinstance(exc, CommandError):
        return Message(title=exc.reason, ok=False)
    if saved is False and unreachable(exc):
        log.warning("database unreachable: %s", type(exc).__name__)
        return UNREACHABLE
    ref = new_reference()
    log.error("unexpected error (ref %s)", ref, exc_info=exc)
    return Message(title=f"Sorry, something went wrong on our side (ref {ref}).", text=_AFTER[saved], ok=False)
