"""Private notices to members (a match, a lopsided balance, a handover): outbox rows, each sent once.

A notice carries its whole message in the row's payload, so the scheduler renders it with `message_from_payload`,
and the facts its kind's condition checks at send time (outbound/kinds.py), so a notice that is no longer true
is never sent. The dedupe key makes "tell them once" hold even when the same check runs again, or on two replicas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from handlers.messages import Action, Field, Message
from storage import outbox
from storage.models import Notification


def message_to_payload(message: Message) -> dict[str, Any]:
    return {
        "title": message.title,
        "text": message.text,
        "fields": [[f.label, f.value] for f in message.fields],
        "actions": [asdict(a) for a in message.actions],
        "footer": message.footer,
    }


def message_from_payload(payload: dict[str, Any]) -> Message:
    """The Message a notice row stands for (the scheduler's renderer for kind `notice`)."""
    return Message(
        title=str(payload.get("title", "")),
        text=str(payload.get("text", "")),
        fields=tuple(Field(str(label), str(value)) for label, value in payload.get("fields", [])),
        actions=tuple(_action(a) for a in payload.get("actions", [])),
        footer=str(payload.get("footer", "")),
    )


def _action(stored: Any) -> Action:
    """An action as stored: a dict of its fields, or the [id, label, command] of rows written before."""
    if isinstance(stored, dict):
        return Action(**stored)
    action_id, label, command = stored
    return Action(str(action_id), str(label), str(command))


def tell(
    session: Session,
    member_id: int,
    key: str,
    message: Message,
    now: datetime,
    *,
    kind: str,
    facts: Mapping[str, object] | None = None,
    due_at: datetime | None = None,
    subject_id: int | None = None,
    partnership_id: int | None = None,
) -> bool:
    """Queue `message` privately for one member (now, or at `due_at`), once per `key`. True if queued now.

    `kind` names its rule in outbound/kinds.py; `facts` are what that rule re-checks when it is sent."""
    key = key[:200]
    if session.exec(select(Notification.id).where(Notification.dedupe_key == key)).first() is not None:
        return False
    outbox.enqueue(
        session,
        kind=kind,
        key=key,
        due_at=due_at or now,
        now=now,
        member_id=member_id,
        partnership_id=partnership_id,
        subject_id=subject_id,
        payload={**message_to_payload(message), "facts": dict(facts or {})},
    )
    return True
