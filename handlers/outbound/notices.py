"""Private notices to members (a match, a lopsided balance, a handover): outbox rows, each sent once.

A notice carries its whole message in the row's payload, so the scheduler can render it with
`message_from_payload` without knowing what it is about. The dedupe key makes "tell them once" hold even
when the same check runs again, or on two replicas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from handlers.messages import Action, Field, Message
from storage import outbox
from storage.models import Notification

KIND = "notice"


def message_to_payload(message: Message) -> dict[str, Any]:
    return {
        "title": message.title,
        "text": message.text,
        "fields": [[f.label, f.value] for f in message.fields],
        "actions": [[a.action_id, a.label, a.command] for a in message.actions],
        "footer": message.footer,
    }


def message_from_payload(payload: dict[str, Any]) -> Message:
    """The Message a notice row stands for (the scheduler's renderer for kind `notice`)."""
    return Message(
        title=str(payload.get("title", "")),
        text=str(payload.get("text", "")),
        fields=tuple(Field(str(label), str(value)) for label, value in payload.get("fields", [])),
        actions=tuple(Action(str(i), str(label), str(cmd)) for i, label, cmd in payload.get("actions", [])),
        footer=str(payload.get("footer", "")),
    )


def tell(
    session: Session,
    member_id: int,
    key: str,
    message: Message,
    now: datetime,
    *,
    due_at: datetime | None = None,
    subject_id: int | None = None,
    partnership_id: int | None = None,
) -> bool:
    """Queue `message` privately for one member (now, or at `due_at`), once per `key`. True if queued now."""
    key = key[:200]
    if session.exec(select(Notification.id).where(Notification.dedupe_key == key)).first() is not None:
        return False
    outbox.enqueue(
        session,
        kind=KIND,
        key=key,
        due_at=due_at or now,
        now=now,
        member_id=member_id,
        partnership_id=partnership_id,
        subject_id=subject_id,
        payload=message_to_payload(message),
    )
    return True
