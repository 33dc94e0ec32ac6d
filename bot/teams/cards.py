"""The Adaptive Card renderer: Kept's neutral messages and forms as Adaptive Card 1.5 JSON, pure."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Any

from handlers.messages import Action, Attachment, Field, Form, Input, Message, Section

Card = dict[str, Any]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_TEXT = 3000  # keep each block readable; Teams caps a whole card at about 28 KB
MAX_SECTIONS = 25
MAX_CHOICES = 100  # as Slack's own limit for a select, so both platforms offer the same list
MAX_SPEC = 8 * 1024  # the form's own description, carried in its submit button (see inbound.form_from_spec)
MARKER = "kept"  # every Action.Submit's data carries it, so Kept knows the press is its own

_STYLES = {"primary": "positive", "danger": "destructive"}


def to_card(message: Message) -> Card:
    """The card for a reply or a proactive message; a message with a form renders as that form."""
    if message.form is not None:
        return to_form_card(message.form, intro=message)
    body: list[Card] = [_title(message)]
    body += _text_blocks(message.text)
    body += _fact_set(message.fields)
    for section in message.sections[:MAX_SECTIONS]:
        body.append(_section(section))
    hidden = len(message.sections) - MAX_SECTIONS
    footer = message.footer
    if hidden > 0:
        footer = f"…and {hidden} more. " + footer
    footer += "".join(f" ({a.filename} can't be downloaded here.)" for a in message.attachments if not a.url)
    if footer.strip():
        body.append(_block(footer.strip(), isSubtle=True, size="Small"))
    return _card(body, [_open_url(a) for a in message.attachments if a.url] + [_submit(a) for a in message.actions])


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
    extra = {} if message.ok else {"color": "Warning"}
    return _block(message.title, weight="Bolder", size="Medium", **extra)


def _block(text: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": teams_markdown(_clip(text)), "wrap": True, **style}


def _text_blocks(text: str) -> list[Card]:
    return [_block(part) for part in text.split("\n\n") if part.strip()][:20]


def _fact_set(fields: tuple[Field, ...]) -> list[Card]:
    if not fields:
        return []
    facts = [{"title": _clip(f.label, 100), "value": teams_markdown(_clip(f.value, 1000))} for f in fields]
    return [{"type": "FactSet", "facts": facts}]


def _section(section: Section) -> Card:
    items: list[Card] = [_block(section.text)]
    items += _fact_set(section.fields)
    if section.actions:
        items.append({"type": "ActionSet", "actions": [_submit(a) for a in section.actions]})
    return {"type": "Container", "separator": True, "items": items}


def _submit(action: Action) -> Card:
    rendered: Card = {
        "type": "Action.Submit",
        "title": action.label,
        "id": action.action_id[:64],
        "data": {MARKER: "command", "command": action.command},
    }
    if action.style in _STYLES:
        rendered["style"] = _STYLES[action.style]
    return rendered


def _open_url(attachment: Attachment) -> Card:
    return {"type": "Action.OpenUrl", "title": attachment.label, "url": attachment.url}


def _input(field: Input, value: str, error: str | None) -> Card:
    common: Card = {"id": field.input_id, "label": field.label, "isRequired": not field.optional}
    if error:
        common["errorMessage"] = _clip(error, 300)
    if field.kind == "select":
        choices = [{"title": _clip(c.label, 100), "value": c.value} for c in field.choices[:MAX_CHOICES]]
        rendered: Card = {"type": "Input.ChoiceSet", "choices": choices, "style": "compact", **common}
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


_BOLD = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![*\w])")
_CODE = re.compile(r"`([^`\n]+)`")


def teams_markdown(text: str) -> str:
    """Kept writes Slack-style `*bold*` and `code`; Adaptive Cards know `**bold**` and no inline code."""
    text = _BOLD.sub(r"**\1**", text)
    return _CODE.sub(r"**\1**", text)


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
