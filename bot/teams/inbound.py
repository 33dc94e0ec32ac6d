"""What Kept reads from a Teams activity: who is asking, what they typed, and which card button they pressed."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Any

from botbuilder.schema import Activity

from bot.teams.cards import MARKER
from handlers.context import Caller
from handlers.messages import Choice, Form, Input

PLATFORM = "teams"
_AT_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_LEADING_PARTNER = re.compile(r"^\s*/?partner\b[:,]?\s*", re.IGNORECASE)
_RESERVED = {MARKER, "command", "form", "context", "spec"}


@dataclass(frozen=True)
class CardPress:
    """A press of a Kept card's Action.Submit: a button's command, or a form's submission with its values."""

    kind: str  # "command" | "form"
    command: str = ""
    form_id: str = ""
    context: str = ""
    values: dict[str, str] = field(default_factory=dict)
    form: Form | None = None


def caller_from(activity: Activity) -> Caller:
    """The person behind an activity: their Entra (AAD) object id where Teams gives one, else their Teams id."""
    person = activity.from_property
    user_id = (getattr(person, "aad_object_id", None) or getattr(person, "id", None) or "") if person else ""
    return Caller(
        platform=PLATFORM,
        tenant_id=tenant_of(activity),
        user_id=str(user_id),
        display_name=str(getattr(person, "name", "") or ""),
        timezone=activity.local_timezone or None,
        channel_id=channel_of(activity),
    )


def inbound_key(activity: Activity) -> str:
    """What makes an activity the same delivery again (a Teams retry): its tenant, conversation and id together.

    Activity ids are only unique within a conversation, so the id alone would take one conversation's message
    for a retry of another's. Hashed, so long conversation ids fit the receipt's column whole.
    """
    if not activity.id:
        return ""
    conversation = getattr(activity.conversation, "id", "") or ""
    said = "\x1f".join((tenant_of(activity), str(conversation), str(activity.id)))
    return hashlib.sha256(said.encode("utf-8", "surrogatepass")).hexdigest()


def tenant_of(activity: Activity) -> str:
    """The tenant: Teams puts it in channelData.tenant.id, and newer activities in conversation.tenantId."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    conversation = activity.conversation
    extra = getattr(conversation, "additional_properties", None) or {}
    # botbuilder maps conversation.tenantID; Teams sends tenantId, which lands in additional_properties.
    found = (tenant or {}).get("id") or getattr(conversation, "tenant_id", None) or extra.get("tenantId") or ""
    return str(found)


def channel_of(activity: Activity) -> str:
    """A team channel's id, or a group chat's conversation id; empty in a personal (1:1) chat."""
    conversation = activity.conversation
    if conversation is None or is_personal(activity):
        return ""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = data.get("channel") if isinstance(data.get("channel"), dict) else {}
    return str((channel or {}).get("id") or conversation.id.split(";")[0])


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None)
    return kind == "personal" or (kind is None and not getattr(conversation, "is_group", False))


def command_text(activity: Activity) -> str:
    """The command typed: mentions of the bot removed, HTML entities undone, an optional `partner` dropped."""
    text = activity.text or ""
    bot_names = _bot_mention_texts(activity)
    text = _AT_TAG.sub(lambda m: "" if m.group(0) in bot_names or not bot_names else m.group(1), text)
    text = html.unescape(text).replace("\u00a0", " ")
    text = " ".join(text.split())
    return _LEADING_PARTNER.sub("", text, count=1).strip()


def _bot_mention_texts(activity: Activity) -> set[str]:
    """The `<at>…</at>` texts that mention this bot (other people's mentions stay in the text as names)."""
    bot_id = getattr(activity.recipient, "id", None)
    found = set()
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned") or {}
        if getattr(entity, "type", "") == "mention" and isinstance(mentioned, dict) and mentioned.get("id") == bot_id:
            found.add(str(props.get("text", "")))
    return found


def card_press(value: Any) -> CardPress | None:
    """Read an Action.Submit's value; None when it is not one of Kept's (an old card, or something forged)."""
    if not isinstance(value, dict):
        return None
    kind = value.get(MARKER)
    if kind == "command" and isinstance(value.get("command"), str) and value["command"].strip():
        return CardPress(kind="command", command=value["command"])
    if kind == "form" and isinstance(value.get("form"), str):
        values = {str(k): _text(v) for k, v in value.items() if k not in _RESERVED}
        return CardPress(
            kind="form",
            form_id=value["form"],
            context=_text(value.get("context")),
            values=values,
            form=form_from_spec(value.get("spec")),
        )
    return None


def form_from_spec(spec: Any) -> Form | None:
    """Rebuild the form a card was drawn from, to show it again with errors; None if the spec is unusable."""
    if not isinstance(spec, dict):
        return None
    try:
        inputs = tuple(
            Input(**{**item, "choices": tuple(Choice(**c) for c in item.get("choices", ()))})
            for item in spec.get("inputs", ())
        )
        form = Form(**{**spec, "inputs": inputs})
    except (TypeError, AttributeError):
        return None
    texts = [form.form_id, form.title, form.submit_label, form.context]
    texts += [t for i in form.inputs for t in (i.input_id, i.label, i.kind, i.initial, i.placeholder)]
    return form if all(isinstance(t, str) for t in texts) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
