"""to_text: the plain-text renderer for the terminal."""

from __future__ import annotations

from handlers.messages import BOLD, Action, Message, in_view


def to_text(message: Message) -> str:
    """A message as a few readable lines; buttons become the commands they stand for.

    A terminal shows no bold, so `*emphasis*` loses its asterisks; `commands` keep their backticks, which mark
    what to type.
    """
    return BOLD.sub(r"\1", "\n".join(_lines(message)))


def _lines(message: Message) -> list[str]:
    lines = [("" if message.ok else "! ") + message.title]
    if message.text:
        lines.append(message.text)
    lines += [f"  {f.label}: {f.value}" for f in message.fields]
    for section in message.sections:
        lines.append(f"  • {section.text}")
        lines += [f"      {f.label}: {f.value}" for f in section.fields]
        lines += _buttons(section.actions, "      ")
    lines += _buttons(message.actions, "  ")
    lines += [f"  {a.label}: {a.url}" if a.url else f"  (attachment: {a.filename})" for a in message.attachments]
    if message.footer:
        lines.append(message.footer)
    return lines


def _buttons(actions: tuple[Action, ...], indent: str) -> list[str]:
    """The buttons in view on one line; those a chat app keeps in an overflow menu on a second, after `more:`."""
    shown, more = in_view(actions)
    lines = [indent + "  ".join(f"[{a.label}: {a.command}]" for a in shown)] if shown else []
    if more:
        lines.append(indent + "more: " + "  ".join(f"[{a.label}: {a.command}]" for a in more))
    return lines
