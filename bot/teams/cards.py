"""The Adaptive Card renderer: Kept's neutral messages and forms as Adaptive Card 1.5 JSON, pure.

Written for Teams in a chat column about 480 px wide (bot/MESSAGE-STYLE.md): every line of Kept's text is a
TextBlock of its own, because Teams joins single newlines into one paragraph; titles use the card's default
colour, never `Warning` (1.5:1 on white); at most three buttons are in view and the rest sit in the card's
overflow menu (`mode: "secondary"`); a long list item shows its first lines with "Show all".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from itertools import count
from typing import Any

from handlers.messages import BOLD, CODE, Action, Attachment, Field, Form, Input, Message, Section, in_view

Card = dict[str, Any]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_TEXT = 3000  # keep each block readable; Teams caps a whole card at about 28 KB
MAX_LINES = 60  # TextBlocks drawn from one message's text
MAX_SECTIONS = 25
MAX_ACTIONS = 6  # Teams' host config (`actions.maxActions`) draws no more than six in one set
MAX_CHOICES = 100  # as Slack's own limit for a select, so both platforms offer the same list
MAX_SPEC = 8 * 1024  # the form's own description, carried in its submit button (see inbound.form_from_spec)
MARKER = "kept"  # every Action.Submit's data carries it, so Kept knows the press is its own
FACT_LABEL = 12  # longer labels wrap in a FactSet's narrow title column at 480 px: they become lines instead
CHARS_PER_LINE = 50  # about what one line holds at 480 px, to judge when a list item needs clamping

_STYLES = {"primary": "positive", "danger": "destructive"}


def to_card(message: Message) -> Card:
    """The card for a reply or a proactive message; a message with a form renders as that form."""
    if message.form is not None:
        return to_form_card(message.form, intro=message)
    ids = count(1)
    body: list[Card] = [_title(message)]
    body += _lines(message.text)
    body += _fields(message.fields)
    for section in message.sections[:MAX_SECTIONS]:
        body.append(_section(section, ids))
    hidden = len(message.sections) - MAX_SECTIONS
    footer = message.footer
    if hidden > 0:
        footer = f"…and {hidden} more. " + footer
    footer += "".join(f" ({a.filename} can't be downloaded here.)" for a in message.attachments if not a.url)
    if footer.strip():
        body.append(_block(footer.strip(), isSubtle=True, size="Small"))
    links = [_open_url(a) for a in message.attachments if a.url]
    return _card(body, links + _buttons(message.actions, ids, room=MAX_ACTIONS - len(links)))


def to_form_card(
    form: Form,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    intro: Message | None = None,
) -> Card:
    """A form as a card: one input per field, each followed by its error (if any), and a submit button.

    `values` are what the person typed last time, kept when the form comes back with errors.
    """
    errors = errors or {}
    values = values or {}
    body: list[Card] = [_block(form.title, weight="Bolder", size="Medium")]
    if intro is not None and intro.title and intro.title != form.title:
        body.append(_block(intro.title))
    if errors:
        body.append(_block("Nearly there: please check the highlighted fields.", color="Attention"))
    for field in form.inputs:
        body.append(_input(field, values.get(field.input_id, field.initial), errors.get(field.input_id)))
        if field.input_id in errors:
            body.append(_block(errors[field.input_id], color="Attention", size="Small", spacing="None"))
    data: Card = {MARKER: "form", "form": form.form_id, "context": form.context}
    spec = _spec(form)
    if len(json.dumps(spec)) <= MAX_SPEC:  # else mistakes are told in words, without the form again
        data["spec"] = spec
    submit = {"type": "Action.Submit", "title": form.submit_label, "style": "positive", "data": data}
    return _card(body, [submit])


def _spec(form: Form) -> dict[str, Any]:
    """The form itself, JSON-native, so a submission with mistakes can be shown again (msrest mangles tuples)."""
    spec: dict[str, Any] = json.loads(json.dumps(asdict(form)))
    return spec


def _card(body: list[Card], actions: list[Card]) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return card


def _title(message: Message) -> Card:
    """The title in the card's own text colour: bold for news, plain for a refusal (gentle, but distinct)."""
    return _block(message.title, weight="Bolder" if message.ok else "Default", size="Medium")


def _block(text: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": teams_markdown(_clip(text)), "wrap": True, **style}


def _lines(text: str) -> list[Card]:
    """Each line its own TextBlock (Teams would run single newlines together), paragraphs spaced apart."""
    blocks: list[Card] = []
    for paragraph in text.split("\n\n"):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        for n, line in enumerate(lines):
            blocks.append(_block(line) if n == 0 else _block(line, spacing="None"))
    return blocks[:MAX_LINES]


def _fields(fields: tuple[Field, ...]) -> list[Card]:
    """Short labels as a FactSet; longer ones (which would wrap in its narrow column) as `**Label:** value`."""
    if not fields:
        return []
    if all(len(f.label) <= FACT_LABEL for f in fields):
        facts = [{"title": _clip(f.label, 100), "value": teams_markdown(_clip(f.value, 1000))} for f in fields]
        return [{"type": "FactSet", "facts": facts}]
    return [_block(f"*{f.label}:* {f.value}", spacing="Small" if n else "Default") for n, f in enumerate(fields)]


def _section(section: Section, ids: count[int]) -> Card:
    items: list[Card] = _clamped(section.text, section.clamp, ids)
    items += _fields(section.fields)
    if section.actions:
        items.append({"type": "ActionSet", "actions": _buttons(section.actions, ids)})
    return {"type": "Container", "separator": True, "items": items}


def _clamped(text: str, lines: int, ids: count[int]) -> list[Card]:
    """A long item shows its first lines and "Show all"; a tap swaps in the whole text (and "Show less")."""
    if not lines or (len(text) <= lines * CHARS_PER_LINE and text.count("\n") < lines):
        return _lines(text)
    short, full = f"short-{next(ids)}", f"full-{next(ids)}"
    toggle: Card = {"type": "Action.ToggleVisibility", "title": "Show all", "targetElements": [short, full]}
    return [
        {
            "type": "Container",
            "id": short,
            "selectAction": toggle,
            "items": [_block(text, maxLines=lines), _hint("Show all")],
        },
        {
            "type": "Container",
            "id": full,
            "isVisible": False,
            "selectAction": toggle,
            "items": [*_lines(text), _hint("Show less")],
        },
    ]


def _hint(text: str) -> Card:
    return _block(text, color="Accent", size="Small", spacing="None")


def _buttons(actions: Sequence[Action], ids: count[int], room: int = MAX_ACTIONS) -> list[Card]:
    """At most three in view; the rest go to the overflow menu. Ids are unique within the card."""
    shown, more = in_view(actions)
    rendered = [_submit(a, next(ids)) for a in shown]
    rendered += [{**_submit(a, next(ids)), "mode": "secondary"} for a in more]
    return rendered[: max(room, 0)]


def _submit(action: Action, n: int) -> Card:
    rendered: Card = {
        "type": "Action.Submit",
        "title": action.label,
        "id": f"{action.action_id[:56]}-{n}",
        "data": {MARKER: "command", "command": action.command},
    }
    if action.style in _STYLES:
        rendered["style"] = _STYLES[action.style]
    return rendered


def _open_url(attachment: Attachment) -> Card:
    return {"type": "Action.OpenUrl", "title": attachment.label, "url": attachment.url}


def _input(field: Input, value: str, error: str | None) -> Card:
    common: Card = {"id": field.input_id, "label": field.label, "isRequired": not field.optional}
    if not field.optional or error:  # Teams shows it when a required field is left empty
        common["errorMessage"] = _clip(error or field.when_missing, 300)
    if field.kind == "select":
        choices = [{"title": _clip(c.label, 100), "value": c.value} for c in field.choices[:MAX_CHOICES]]
        placeholder = field.placeholder or "Choose one"  # a compact list with no value would open blank
        rendered: Card = {"type": "Input.ChoiceSet", "choices": choices, "style": "compact", **common}
        rendered["placeholder"] = placeholder
    elif field.kind == "date":
        rendered = {"type": "Input.Date", **common}
    else:
        rendered = {
            "type": "Input.Text",
            "isMultiline": field.kind == "multiline",
            "maxLength": field.max_length,
            **common,
        }
        if field.placeholder:
            rendered["placeholder"] = field.placeholder
    if value:
        rendered["value"] = value
    return rendered


def teams_markdown(text: str) -> str:
    """Kept writes Slack-style `*bold*` and `code`; Adaptive Cards know `**bold**` and no inline code, so a
    command to type is shown in bold."""
    text = BOLD.sub(r"**\1**", text)
    return CODE.sub(r"**\1**", text)


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
