"""The terminal renderer: buttons as the commands they stand for, the rest after `more:`, no stray markup."""

from __future__ import annotations

from bot.console.text import to_text
from handlers.grammar import help_message
from handlers.messages import Message
from handlers.outbound.reminders import nudge_actions


def test_a_nudge_shows_three_commands_and_the_rest_on_a_more_line() -> None:
    text = to_text(Message(title="Greek books for Year 10 are due on Friday (C40)", actions=nudge_actions("C40")))
    assert text.splitlines()[1:] == [
        "  [Done: done C40]  [Snooze a week: snooze C40 1 week]  [Need help: help-needed C40]",
        "  more: [Snooze a day: snooze C40 1 day]  [Pick a date: snooze C40]  [Release: release C40]",
    ]


def test_headings_lose_their_asterisks_and_commands_keep_their_backticks() -> None:
    text = to_text(help_message())
    assert "*" not in text and "Getting started\n`join <school name>`: join your school" in text
