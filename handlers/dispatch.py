"""One path for every command: parse, one short transaction, one verb, one Message back.

Adapters call `Kept.handle` for typed commands and button presses, and `Kept.submit` for forms. A command
commits all of its change, its log entry and any outbox rows together, or nothing at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from handlers import grammar
from handlers.clock import Clock
from handlers.context import Caller, Context
from handlers.errors import CommandError, FormErrors, reply_for
from handlers.messages import Message
from handlers.policy import DEFAULT_POLICY, ReminderPolicy
from storage import receipts
from storage.db import Database

log = logging.getLogger("kept")


class Kept:
    """The core as the adapters see it: a database, a clock and the grammar."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        default_timezone: str = "Europe/London",
        reminder_policy: ReminderPolicy = DEFAULT_POLICY,
    ) -> None:
        self.db = db
        self.clock = clock
        self.default_timezone = default_timezone
        self.reminder_policy = reminder_policy

    def handle(self, caller: Caller, text: str, *, inbound_id: str = "") -> Message:
        """Run one command as `caller`. Never raises: refusals and faults come back as messages.

        `inbound_id` (a Slack event_id, a Teams activity id) makes a retried delivery a no-op.
        """
        if len(text) > grammar.MAX_TEXT:
            return Message(
                title=f"That's a little long for me: please keep it under {grammar.MAX_TEXT:,} characters.",
                ok=False,
            )
        command = grammar.parse(text)
        if command.verb is None:
            return grammar.help_message(unknown=command.said)
        verb = command.verb
        return self._run(caller, lambda ctx: verb.run(ctx, command.args), inbound_id)

    def submit(
        self, caller: Caller, form_id: str, context: str, values: dict[str, str], *, inbound_id: str = ""
    ) -> Message:
        """Take a form submission. Raises FormErrors for fields to correct; anything else becomes a reply.
        `inbound_id` (a signed request's signature) makes a replayed submission a no-op."""
        submit = grammar.FORMS.get(form_id)
        if submit is None:
            return Message(title="Sorry, I don't recognise that form. Please start again.", ok=False)
        clean = {str(k)[:100]: str(v)[: grammar.MAX_TEXT] for k, v in values.items()}
        return self._run(caller, lambda ctx: submit(ctx, context[:200], clean), inbound_id, reraise=FormErrors)

    def _run(
        self,
        caller: Caller,
        work: Callable[[Context], Message],
        inbound_id: str,
        reraise: type[Exception] | None = None,
    ) -> Message:
        now = self.clock.now()
        try:
            with self.db.transaction() as session:
                if inbound_id and not receipts.first_time(session, caller.platform, inbound_id, now):
                    return Message(title="Already done: I'd received that one before.")
                return work(Context(session, caller, now, self.default_timezone, self.reminder_policy))
        except CommandError as exc:
            if reraise is not None and isinstance(exc, reraise):
                raise
            return reply_for(exc)
        except Exception as exc:  # noqa: BLE001  (the one place bugs become an apology with a ref)
            return reply_for(exc)
