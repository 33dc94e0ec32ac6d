"""`kept chat`: talk to Kept in the terminal, as anyone, at any time you like.

`:as <name> @ <school>` switches who you are (joining that school if need be), `:advance 3d` moves the clock
and prints whatever falls due, `:now` shows the clock, `:quit` leaves. Everything else goes to Kept exactly
as `/partner` text would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from bot.console.text import to_text
from bot.links import Links, with_links
from handlers.clock import MovableClock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.errors import FormErrors
from handlers.lookups import name_key
from handlers.messages import Attachment, Form, Input, Message
from handlers.policy import span

PLATFORM = "console"
TENANT = "console"

Tick = Callable[[], list[str]]
TICK_EVERY = timedelta(hours=1)


LEFT_FORM = "! Let's leave that form for now; nothing was saved."
CANCEL = (":cancel", ":c", ":quit", ":q", ":exit")


class LeftForm(Exception):  # noqa: N818  (a way out, not an error)
    """The person typed a console command (`:cancel`, `:as …`) at a form's prompt."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def caller_for(name: str) -> Caller:
    return Caller(
        platform=PLATFORM,
        tenant_id=TENANT,
        user_id=name_key(name).replace(" ", "-") or "you",
        display_name=name,
        channel_id="console",
    )


@dataclass
class Chat:
    """The REPL's state, apart from input and output so tests can drive it line by line."""

    kept: Kept
    clock: MovableClock
    tick: Tick | None = None
    caller: Caller = field(default_factory=lambda: caller_for("You"))
    links: Links | None = None  # signs review links and calendar downloads, as Slack and Teams do
    downloads: Path = Path("data") / "files"  # where files Kept offers (a session's .ics) are written

    def say(self, line: str, ask: Callable[[str], str] = input) -> str:
        """One line in, the reply out (forms are filled in by `ask`)."""
        line = line.strip()
        if line.startswith(":"):
            return self._meta(line)
        return self._reply(self.kept.handle(self.caller, line), ask)

    def _reply(self, message: Message, ask: Callable[[str], str]) -> str:
        if self.links is not None:
            message = with_links(message, self.links)
        if message.form is None:
            return to_text(self._saved(message))
        try:
            return self._fill(message.form, ask)
        except (EOFError, KeyboardInterrupt):
            return "\n" + LEFT_FORM
        except LeftForm as left:  # `:cancel` (or any console command) leaves the form, and nothing is read into it
            return LEFT_FORM if left.line in CANCEL else LEFT_FORM + "\n" + self._meta(left.line)

    def _fill(self, form: Form, ask: Callable[[str], str]) -> str:
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        heading = f"{form.title} (`:cancel` leaves it)\n"
        for _ in range(3):
            asking = [i for i in form.inputs if not errors or i.input_id in errors]
            for item in asking:
                answer = ask(heading + prompt(item, errors.get(item.input_id, ""))).strip()
                if answer.startswith(":"):
                    raise LeftForm(answer)
                values[item.input_id] = _chosen(item, answer)
                heading = ""
            try:
                return to_text(self.kept.submit(self.caller, form.form_id, form.context, values))
            except FormErrors as exc:
                errors = exc.errors
        return LEFT_FORM

    def _saved(self, message: Message) -> Message:
        """The message with each attachment written to `downloads`, its path standing in for a link."""
        if not message.attachments:
            return message
        self.downloads.mkdir(parents=True, exist_ok=True)
        return replace(message, attachments=tuple(self._save(a) for a in message.attachments))

    def _save(self, attachment: Attachment) -> Attachment:
        """A file Kept offers is written out (its path shown); a link with nothing to write (a review) stays a link."""
        if not attachment.content:
            return attachment
        path = (self.downloads / Path(attachment.filename).name).resolve()
        path.write_text(attachment.content, encoding="utf-8")
        return replace(attachment, url=str(path))

    def _meta(self, line: str) -> str:
        word, _, rest = line[1:].partition(" ")
        if word == "as":
            return self._switch(rest)
        if word == "advance":
            return self._advance(rest.strip())
        if word == "now":
            return f"It's {self.clock.now():%a %d %b %Y %H:%M} UTC."
        if word == "who":
            return f"You are {self.caller.display_name}."
        return "Console commands: `:as <name> @ <school>`, `:advance 3d` (m, h, d, w), `:now`, `:who`, `:quit`."

    def _switch(self, rest: str) -> str:
        name, _, school = rest.partition("@")
        if not name.strip():
            return "Say `:as <name> @ <school>`, e.g. `:as Sam Patel @ St Ada's School`."
        self.caller = caller_for(name.strip())
        reply = f"You are now {self.caller.display_name}."
        if school.strip():
            joined = self.kept.handle(self.caller, f"join {school.strip()}")
            if joined.ok:
                reply += "\n" + to_text(joined)
        return reply

    def _advance(self, text: str) -> str:
        """Move the clock, ticking the scheduler hour by hour on the way, as a running worker would."""
        distance = span(text)
        if distance is None:
            return "Say how far, e.g. `:advance 3d`, `:advance 2h` or `:advance 1w`."
        target = self.clock.now() + distance
        arrived: list[str] = []
        while self.clock.now() < target:
            self.clock.advance(min(TICK_EVERY, target - self.clock.now()))
            arrived += self.tick() if self.tick is not None else []
        lines = [f"The clock is now {self.clock.now():%a %d %b %Y %H:%M} UTC."]
        if self.tick is not None:
            lines += arrived or ["Nothing fell due."]
        return "\n".join(lines)


def prompt(item: Input, error: str = "") -> str:
    """`School (1 Hopper Academy, 2 Lovelace Primary)`: choices by number, examples otherwise, errors by the field."""
    hint = ", ".join(f"{n} {c.label}" for n, c in enumerate(item.choices, start=1))
    hint = f" ({hint})" if hint else f" ({item.placeholder})" if item.placeholder else ""
    hint += " (optional)" if item.optional else ""
    return f"{item.label}{hint}{f' ! {error}' if error else ''}: "


def _chosen(item: Input, answer: str) -> str:
    """A choice's value from its number or its label; anything else goes to the handler to judge."""
    if answer.isdigit() and 1 <= int(answer) <= len(item.choices):
        return item.choices[int(answer) - 1].value
    by_label = {c.label.lower(): c.value for c in item.choices}
    return by_label.get(answer.lower(), answer)


def run(chat: Chat) -> None:
    """The interactive loop, until `:quit` or end of input."""
    print("Kept chat. Type `help` for what I can do, `:as <name> @ <school>` to be someone, `:quit` to leave.")
    while True:
        try:
            line = input(f"{chat.caller.display_name}> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if line.strip() in (":quit", ":q", ":exit"):
            return
        if line.strip():
            print(chat.say(line))
