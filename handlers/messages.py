"""What Kept says, on any platform: the neutral message model that every adapter renders.

Handlers return these; `bot/slack/blocks.py`, `bot/teams/cards.py` and `bot/console/text.py` turn them into
Block Kit, Adaptive Cards and plain text. Actions carry the command text they stand for, so a button press
goes down the same path as a typed command, and is checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

InputKind = Literal["text", "multiline", "date", "select"]
Style = Literal["primary", "danger"] | None


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
    """A button. Pressing it runs `command` as the presser, exactly as if they had typed it."""

    action_id: str
    label: str
    command: str
    style: Style = None


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
    """One item in a list (a commitment in `mine`, an offer on the board), with its own buttons."""

    text: str
    fields: tuple[Field, ...] = ()
    actions: tuple[Action, ...] = ()


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
