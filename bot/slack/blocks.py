"""The Block Kit renderer: Kept's neutral messages and forms as Slack blocks, modals and the Home tab. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from handlers.messages import Action, Attachment, Field, Form, Input, Message, Section, in_view

Block = dict[str, Any]

MESSAGE_BLOCKS = 50  # Slack's limit for a message
VIEW_BLOCKS = 100  # ... and for a modal or the Home tab
SECTION_CHARS = 3000
TOTAL_CHARS = 12_000  # Slack refuses blocks past ~13k characters in all (`msg_blocks_too_long`)
FALLBACK_CHARS = 3000
ACTION_PREFIX = "kept:"
LINK_PREFIX = "kept-link-"  # a link button: Slack opens its url and still sends the press, which Kept just acks
FORM_PREFIX = "kept:"
OVERFLOW_OPTIONS = 5  # Slack's limit for an overflow menu
OPTION_VALUE = 150  # ... and for an option's value


def escape(text: str) -> str:
    """User text made inert: `<!channel>`, `<@U123>` and `<http://x|y>` can no longer ping or disguise a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(text or " ", limit), "emoji": True}


def _mrkdwn(text: str, limit: int = SECTION_CHARS) -> dict[str, Any]:
    # verbatim: Slack must not turn bare names or URLs into mentions or links of its own.
    return {"type": "mrkdwn", "text": _clip(escape(text) or " ", limit), "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _fields(fields: Sequence[Field]) -> list[Block]:
    cells = [_mrkdwn(f"*{f.label}*\n{f.value}", 2000) for f in fields]
    return [{"type": "section", "fields": cells[i : i + 10]} for i in range(0, len(cells), 10)]


def _button(action: Action, index: int) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{action.action_id}:{index}"[:255],
        "text": _plain(action.label, 75),
        "value": action.command[:2000],
    }
    if action.style:
        button["style"] = action.style
    return button


def _overflow(actions: Sequence[Action], index: int) -> dict[str, Any]:
    """The rest of a message's buttons, behind a "…" menu; choosing one runs its command like a button."""
    options = [
        {"text": _plain(a.label, 75), "value": a.command}
        for a in actions
        if len(a.command) <= OPTION_VALUE  # Kept's own commands are short; a longer one can't be an option
    ]
    return {"type": "overflow", "action_id": f"{ACTION_PREFIX}more:{index}", "options": options[:OVERFLOW_OPTIONS]}


def _actions(actions: Sequence[Action]) -> list[Block]:
    """At most three buttons in view (MESSAGE-STYLE.md), the rest in an overflow menu beside them."""
    if not actions:
        return []
    shown, more = in_view(actions)
    elements = [_button(a, i) for i, a in enumerate(shown)]
    if any(len(a.command) <= OPTION_VALUE for a in more):
        elements.append(_overflow(more, len(shown)))
    return [{"type": "actions", "elements": elements}]


def _downloads(attachments: Sequence[Attachment]) -> list[Block]:
    """A link button for each file with a url; a plain word for any that can't be fetched from Slack."""
    buttons = [
        {"type": "button", "action_id": f"{LINK_PREFIX}{i}", "text": _plain(a.label, 75), "url": a.url[:3000]}
        for i, a in enumerate(a for a in attachments if a.url)
    ][:25]
    blocks: list[Block] = [{"type": "actions", "elements": buttons}] if buttons else []
    for unlinked in (a for a in attachments if not a.url):
        note = f"{unlinked.filename} can't be downloaded here."
        blocks.append({"type": "context", "elements": [_mrkdwn(note, 2000)]})
    return blocks


def _item(section: Section) -> list[Block]:
    head: Block = {"type": "section", "text": _mrkdwn(section.text)}
    if section.fields:
        head["fields"] = [_mrkdwn(f"*{f.label}*\n{f.value}", 2000) for f in section.fields[:10]]
    return [head, *_actions(section.actions)]


def _size(blocks: Iterable[Block]) -> int:
    return len(str(list(blocks)))


def _title(message: Message) -> str:
    return f"*{message.title}*" if message.ok else message.title


def to_blocks(message: Message, *, max_blocks: int = MESSAGE_BLOCKS, max_chars: int = TOTAL_CHARS) -> list[Block]:
    """A message as blocks, within Slack's limits: list items that don't fit are counted in a closing note."""
    head = [_section(_title(message))]
    if message.text:
        head += [_section(part) for part in _split(message.text, SECTION_CHARS)]
    head += _fields(message.fields)
    tail = _downloads(message.attachments) + _actions(message.actions)
    if message.footer:
        tail.append({"type": "context", "elements": [_mrkdwn(message.footer, 2000)]})
    items: list[Block] = []
    for shown, section in enumerate(message.sections):
        blocks = _item(section)
        over = len(head) + len(items) + len(blocks) + len(tail) + 1 > max_blocks
        if over or _size(head + items + blocks + tail) > max_chars - 200:
            note = f"…and {len(message.sections) - shown} more not shown here."
            items.append({"type": "context", "elements": [_mrkdwn(note)]})
            break
        items += blocks
    return (head + items + tail)[:max_blocks]


def _split(text: str, limit: int) -> list[str]:
    """Long text in pieces no longer than `limit`, broken at paragraph or line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text] if text else pieces


def fallback(message: Message) -> str:
    """The plain-text `text` sent beside blocks, for notifications and screen readers; inert like the blocks."""
    return _clip(escape(message.plain()), FALLBACK_CHARS)


def to_reply(message: Message) -> dict[str, Any]:
    """The body of an ephemeral reply to a slash command or a button (`ack(...)`, `respond(...)`)."""
    return {"text": fallback(message), "blocks": to_blocks(message), "response_type": "ephemeral"}


# ---- modals


def _element(field: Input) -> dict[str, Any]:
    if field.kind == "date":
        element: dict[str, Any] = {"type": "datepicker", "action_id": field.input_id}
        if _is_iso_date(field.initial):
            element["initial_date"] = field.initial
        return element
    if field.kind == "select" and field.choices:  # Slack refuses a select with no options: type it instead
        options = [{"text": _plain(c.label, 75), "value": c.value[:150]} for c in field.choices[:100]]
        element = {"type": "static_select", "action_id": field.input_id, "options": options}
        chosen = [o for o, c in zip(options, field.choices, strict=False) if c.value == field.initial]
        if chosen:
            element["initial_option"] = chosen[0]
        return element
    element = {
        "type": "plain_text_input",
        "action_id": field.input_id,
        "multiline": field.kind == "multiline",
        "max_length": min(field.max_length, 3000),
    }
    if field.initial:
        element["initial_value"] = field.initial[: element["max_length"]]
    return element


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def _input(field: Input) -> Block:
    element = _element(field)
    if field.placeholder:
        element["placeholder"] = _plain(field.placeholder, 150)
    return {
        "type": "input",
        "block_id": field.input_id[:255],
        "label": _plain(field.label, 2000),
        "optional": field.optional,
        "element": element,
    }


def to_modal(form: Form) -> dict[str, Any]:
    """A form as a modal. `callback_id` names the form; `private_metadata` carries its context, checked again
    on submission by the handler, like everything else that comes back from Slack."""
    return {
        "type": "modal",
        "callback_id": f"{FORM_PREFIX}{form.form_id}"[:255],
        "private_metadata": form.context[:3000],
        "title": _plain(form.title, 24),
        "submit": _plain(form.submit_label, 24),
        "close": _plain("Cancel", 24),
        "blocks": [_input(field) for field in form.inputs[:VIEW_BLOCKS]],
    }


def to_result_modal(message: Message) -> dict[str, Any]:
    """What a modal turns into once its form is taken: the reply, without buttons (they belong in messages)."""
    quiet = Message(
        title=message.title,
        text=message.text,
        fields=message.fields,
        ok=message.ok,
        sections=tuple(Section(s.text, s.fields) for s in message.sections),
        footer=message.footer,
    )
    return {
        "type": "modal",
        "title": _plain("Kept", 24),
        "close": _plain("Close", 24),
        "blocks": to_blocks(quiet, max_blocks=VIEW_BLOCKS),
    }


# ---- the Home tab


def to_home(parts: Sequence[Message], shortcuts: Sequence[Action] = ()) -> dict[str, Any]:
    """The Home tab: shortcut buttons, then each part (my promises, the board, sessions) with dividers."""
    blocks: list[Block] = list(_actions(shortcuts))
    share = (VIEW_BLOCKS - len(blocks)) // max(len(parts), 1)
    budget = TOTAL_CHARS // max(len(parts), 1)
    for part in parts:
        rendered = to_blocks(part, max_blocks=share - 1, max_chars=budget)
        blocks += [{"type": "divider"}, *rendered] if blocks else rendered
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS]}
