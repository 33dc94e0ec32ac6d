"""What Kept says, on any platform: the neutral message model that every adapter renders.

Handlers return these; `bot/slack/blocks.py`, `bot/teams/cards.py` and `bot/console/text.py` turn them into
Block Kit, Adaptive Cards and plain text. Actions carry the command text they stand for, so a button press
goes down the same path as a typed command, and is checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

InputKind = Literal["text", "multiline", "date", "select"]
Style = Literal["primary", "danger"] | None

IN_VIEW = 3  # buttons shown at once (MESSAGE-STYLE.md); the rest wait in an overflow menu
CLAMP_LINES = 3  # lines of a list item shown before "Show all"

# Kept's markup in titles and text is Slack's: *bold* and `a command to type`. Other renderers translate it.
BOLD = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])")
CODE = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Address:
    """Where a proactive message goes: a person's chat account, or a channel, on one platform and tenant."""

    platform: str
    tenant_id: str
    user_id: str = ""
    channel_id: str = ""


@dataclass(frozen=True)
class Field:
    """A label and its value, shown side by side where the platform can."""

    label: str
    value: str


@dataclass(frozen=True)
class Action:
    """A button. Pressing it runs `command` as the presser, exactly as if they had typed it.

    `secondary` keeps it in the overflow menu even when there is room in view (see `in_view`).
    """

    action_id: str
    label: str
    command: str
    style: Style = None
    secondary: bool = False


def in_view(actions: Sequence[Action]) -> tuple[tuple[Action, ...], tuple[Action, ...]]:
    """The buttons shown, and those kept in an overflow menu: at most `IN_VIEW` shown, in the order the handler
    gave them (so the first is the one that matters most), never one marked secondary."""
    picked = [i for i, a in enumerate(actions) if not a.secondary][:IN_VIEW]
    return tuple(actions[i] for i in picked), tuple(a for i, a in enumerate(actions) if i not in picked)


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Input:
    """One field of a form. `select` inputs list their choices; dates are ISO `YYYY-MM-DD`."""

    input_id: str
    label: str
    kind: InputKind = "text"
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    initial: str = ""
    placeholder: str = ""
    max_length: int = 3000

    @property
    def when_missing(self) -> str:
        """What to say when this field is required and left empty."""
        if self.kind == "select":
            return "Please choose one."
        if self.kind == "date":
            return "Please give a date."
        return "Please fill this in."


@dataclass(frozen=True)
class Form:
    """A form to fill in (a Slack modal, an Adaptive Card with inputs, a prompt in the console).

    `form_id` names the handler that takes the submission; `context` carries what the form is about
    (for example the ref of the commitment being released), and is checked again on submission.
    """

    form_id: str
    title: str
    inputs: tuple[Input, ...]
    submit_label: str = "Save"
    context: str = ""


@dataclass(frozen=True)
class Section:
    """One item in a list (a commitment in `mine`, an offer on the board), with its own buttons.

    Long text shows its first `clamp` lines with a way to see it all (0: always in full).
    """

    text: str
    fields: tuple[Field, ...] = ()
    actions: tuple[Action, ...] = ()
    clamp: int = CLAMP_LINES


@dataclass(frozen=True)
class Message:
    """A reply or a proactive message: a title line, body text, fields, sections, actions or a form.

    `ok` is False for refusals and errors, so renderers can show them gently but distinctly.
    """

    title: str
    text: str = ""
    fields: tuple[Field, ...] = ()
    sections: tuple[Section, ...] = ()
    actions: tuple[Action, ...] = ()
    form: Form | None = None
    ok: bool = True
    footer: str = ""
    attachments: tuple[Attachment, ...] = field(default=())

    def plain(self) -> str:
        """A plain-text fallback: notifications, screen readers, and the console all use it."""
        lines = [self.title]
        if self.text:
            lines.append(self.text)
        lines += [f"{f.label}: {f.value}" for f in self.fields]
        for section in self.sections:
            lines.append(f"• {section.text}")
            lines += [f"    {f.label}: {f.value}" for f in section.fields]
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines)


@dataclass(frozen=True)
class Attachment:
    """A file offered with a message, such as a session's .ics invitation.

    `url` is where a chat platform can fetch it (filled in by the adapter, which knows its own web address);
    empty means the file is only in `content`. `title`, when given, is what its button says (a page to open,
    such as a partnership's review, rather than a file to download).
    """

    filename: str
    media_type: str
    content: str
    url: str = ""
    title: str = ""

    @property
    def label(self) -> str:
        """What a download button says."""
        if self.title:
            return self.title
        return "Add to calendar" if self.media_type == "text/calendar" else f"Download {self.filename}"
