"""to_text: the plain-text renderer for the terminal."""

from __future__ import annotations

from handlers.messages import Action, Message


def to_text(message: Message) -> str:
    """A message as a few readable lines; buttons become the commands they stand for."""
    lines = [("" if message.ok else "! ") + message.title]
    if message.text:
        lines.append(message.text)
    lines += [f"  {f.label}: {f.value}" for f in message.fields]
    for section in message.sections:
        lines.append(f"  • {section.text}")
        lines += [f"      {f.label}: {f.value}" for f in section.fields]
        if section.actions:
            lines.append("      " + _buttons(section.actions))
    if message.actions:
        lines.append("  " + _buttons(message.actions))
    lines += [f"  {a.label}: {a.url}" if a.url else f"  (attachment: {a.filename})" for a in message.attachments]
    if message.footer:
        lines.append(message.footer)
    return "\n".join(lines)


def _buttons(actions: tuple[Action, ...]) -> str:
    return "  ".join(f"[{a.label}: {a.command}]" for a in actions)
