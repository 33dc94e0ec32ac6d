"""Refusals written for the user, apart from bugs; and the one way any error becomes a reply."""

from __future__ import annotations

import logging
import secrets

from handlers.messages import Message

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


def reply_for(exc: BaseException) -> Message:
    """The reply for a failed command: a refusal's own reason, or an apology that quotes a reference."""
    if isinstance(exc, CommandError):
        return Message(title=exc.reason, ok=False)
    ref = new_reference()
    log.error("unexpected error (ref %s)", ref, exc_info=exc)
    return Message(
        title=f"Sorry, something went wrong on our side (ref {ref}).",
        text="Nothing was changed. Please try again; if it keeps happening, quote the ref to your Kept admin.",
        ok=False,
    )
