"""Actionable nudges: the scheduler's reminder reaches Slack with its buttons, and pressing one does the work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from handlers.clock import MovableClock
from storage.models import Commitment
from tests.harness.slack import Workspace, text_of


def buttons(posted: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["text"]["text"]: e
        for b in posted["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    }


def overflow(posted: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The overflow menu's action_id, and its options' commands by label."""
    (menu,) = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"] if e["type"] == "overflow"]
    return menu["action_id"], {o["text"]["text"]: o["value"] for o in menu["options"]}


async def test_a_nudge_arrives_in_the_dm_and_its_snooze_button_moves_the_promise(
    workspace: Workspace, clock: MovableClock
) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0ALAN", "join Turing Primary")
    await workspace.say("U0SAM", "promise two physics practicals to Turing Primary by Friday")
    with workspace.parts.db.transaction() as session:
        due = session.exec(select(Commitment)).one().due_at
    clock.advance(timedelta(days=4))  # Friday morning, the day it is due
    await workspace.parts.delivery.tick()

    (nudge,) = [call for call in workspace.api.of("chat.postMessage") if call["channel"] == "U0SAM"]
    assert "C1" in text_of(nudge)
    assert list(buttons(nudge)) == ["Done", "Snooze a week", "Need help"]
    menu, more = overflow(nudge)
    assert list(more) == ["Snooze a day", "Pick a date", "Release"]

    await workspace.press("U0SAM", more["Snooze a day"], action_id=menu, overflow=True)
    with workspace.parts.db.transaction() as session:
        assert session.exec(select(Commitment)).one().due_at > due
    assert workspace.api.of("button")[-1]["replace_original"] is True


async def test_pick_a_date_on_a_nudge_opens_the_snooze_form(workspace: Workspace, clock: MovableClock) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0ALAN", "join Turing Primary")
    await workspace.say("U0SAM", "promise two physics practicals to Turing Primary by Friday")
    clock.advance(timedelta(days=4))
    await workspace.parts.delivery.tick()
    (nudge,) = [call for call in workspace.api.of("chat.postMessage") if call["channel"] == "U0SAM"]
    menu, more = overflow(nudge)
    await workspace.press("U0SAM", more["Pick a date"], action_id=menu, overflow=True)
    view = workspace.api.of("views.open")[-1]["view"]
    assert view["callback_id"] == "kept:snooze" and view["private_metadata"] == "C1"
