"""One path for every command: parse, one short transaction, one verb, one Message back.

Adapters call `Kept.handle` for typed commands and button presses, and `Kept.submit` for forms. A command
commits all of its change, its log entry and any outbox rows together, or nothing at all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from handlers import grammar
from handlers.clock import Clock
from handlers.context import Caller, Context
from handlers.errors import CommandError, FormErrors, reply_for
from handlers.messages import Message
from handlers.normalise import clean, clean_caller
from handlers.policy import DEFAULT_POLICY, ReminderPolicy
from storage.db import Database, dropped

log = logging.getLogger("kept")

ALREADY_DONE = Message(title="Already done: I'd received that one before.")
RACED = Message(
    title="Someone else was changing the same thing at the same moment, so nothing was changed.",
    text="Please try again.",
    ok=False,
)
# What Kept's own forms carry as their context: a ref (C12) or a row's id, or nothing.
_FORM_CONTEXT = re.compile(r"[A-Za-z]?[0-9]{0,9}")


class Kept:
    """The core as the adapters see it: a database, a clock and the grammar."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        default_timezone: str = "Europe/London",
        reminder_policy: ReminderPolicy = DEFAULT_POLICY,
        *,
        review_days: int = 14,
        public_url: str = "",
    ) -> None:
        self.db = db
        self.clock = clock
        self.default_timezone = default_timezone
        self.reminder_policy = reminder_policy
        self.review_days = review_days
        self.public_url = public_url

    def handle(self, caller: Caller, text: str, *, inbound_id: str = "") -> Message:
        """Run one command as `caller`. Never raises: refusals and faults come back as messages.

        `inbound_id` (a Slack event_id or request signature, a Teams activity key) makes a retried or replayed
        delivery a no-op. Text and caller are cleaned here, the one way in (handlers/normalise.py).
        """
        text = clean(text)
        if len(text) > grammar.MAX_TEXT:
            return Message(
                title=f"That's a little long for me: please keep it under {grammar.MAX_TEXT:,} characters.",
                ok=False,
            )
        command = grammar.parse(text)
        if command.verb is None:
            return grammar.help_message(unknown=command.said, args=command.args)
        verb = command.verb
        return self._run(clean_caller(caller), lambda ctx: verb.run(ctx, command.args), inbound_id)

    def submit(
        self, caller: Caller, form_id: str, context: str, values: dict[str, str], *, inbound_id: str = ""
    ) -> Message:
        """Take a form submission. Raises FormErrors for fields to correct; anything else becomes a reply.
        `inbound_id` (a signed request's signature) makes a replayed submission a no-op."""
        submit = grammar.FORMS.get(form_id)
        if submit is None:
            return Message(title="Sorry, I don't recognise that form. Please start again.", ok=False)
        if not _FORM_CONTEXT.fullmatch(context):
            return Message(title="Sorry, that form is out of date. Please start again.", ok=False)
        clean_values = {clean(str(k))[:100]: clean(str(v))[: grammar.MAX_TEXT] for k, v in values.items()}
        return self._run(
            clean_caller(caller), lambda ctx: submit(ctx, context, clean_values), inbound_id, reraise=FormErrors
        )

    def _run(
        self,
        caller: Caller,
        work: Callable[[Context], Message],
        inbound_id: str,
        reraise: type[Exception] | None = None,
    ) -> Message:
        """Run `work` in one transaction. A unique constraint that another request won meanwhile (ten people
        joining a new school at once) is tried once more, when the winner's rows are there to be found; so is a
        command whose pooled connection the database had dropped (a restart), before anything was committed."""
        now = self.clock.now()
        for attempt in (1, 2):
            committing: list[bool] = []
            try:
                return self._once(caller, work, inbound_id, now, committing)
            except CommandError as exc:
                if reraise is not None and isinstance(exc, reraise):
                    raise
                return reply_for(exc)
            except IntegrityError as exc:
                if committing or attempt == 2:
                    return RACED if not committing else reply_for(exc, saved=None)
                log.info("a command raced another to the same row; trying it once more")
            except Exception as exc:  # noqa: BLE001  (the one place bugs become an apology with a ref)
                if committing or attempt == 2 or not dropped(exc):
                    return reply_for(exc, saved=None if committing else False)
                log.info("the database dropped a pooled connection; trying the command once more")
        raise AssertionError("unreachable")

    def _once(
        self, caller: Caller, work: Callable[[Context], Message], inbound_id: str, now: datetime, committing: list[bool]
    ) -> Message:
        with self.db.transaction() as session:
            context = Context(
                session,
                caller,
                now,
                self.default_timezone,
                self.reminder_policy,
                review_days=self.review_days,
                public_url=self.public_url,
            )
            if inbound_id and not context.first_time(inbound_id):
                return ALREADY_DONE
            reply = work(context)
            session.flush()  # any constraint fails here, before the commit, so it is surely not saved
            committing.append(True)  # from here a lost connection leaves the outcome unknown
        return reply
