"""Buttons run their command as the presser, through the same checks as typed text, and update their message."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar
from sqlmodel import select

from storage.models import Commitment
from tests.harness.slack import Workspace, text_of


def status(workspace: Workspace, ref: int = 1) -> str:
    with workspace.parts.db.transaction() as session:
        return session.exec(select(Commitment).where(Commitment.id == ref)).one().status


async def promised(workspace: Workspace) -> dict[str, Any]:
    """Sam (St Ada's) promises Turing Primary two practicals; returns the reply with its buttons."""
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0ALAN", "join Turing Primary")
    return await workspace.say("U0SAM", "promise two physics practicals to Turing Primary by Friday")


async def test_the_promise_reply_carries_done_snooze_and_release_buttons(workspace: Workspace) -> None:
    reply = await promised(workspace)
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [
        ("Done", "done C1"),
        ("Snooze a week", "snooze C1 1 week"),
        ("Release", "release C1"),
    ]
    assert len({b["action_id"] for b in buttons}) == 3 and all(b["action_id"].startswith("kept:") for b in buttons)


async def test_done_marks_the_promise_and_replaces_the_message_so_the_buttons_are_gone(workspace: Workspace) -> None:
    await promised(workspace)
    response = await workspace.press("U0SAM", "done C1")
    assert response.status == 200
    assert status(workspace) == "done"
    update = workspace.api.of("button")[-1]
    assert update["replace_original"] is True
    assert not [b for b in update["blocks"] if b["type"] == "actions"]


async def test_a_stale_done_button_pressed_again_changes_nothing_and_leaves_the_message(workspace: Workspace) -> None:
    await promised(workspace)
    await workspace.press("U0SAM", "done C1")
    await workspace.press("U0SAM", "done C1")
    second = workspace.api.of("button")[-1]
    assert second["replace_original"] is False
    assert status(workspace) == "done"


async def test_a_forged_button_for_another_schools_promise_is_refused(workspace: Workspace) -> None:
    await promised(workspace)
    response = await workspace.press("U0ALAN", "done C1")  # Alan is at Turing Primary; C1 is St Ada's
    assert response.status == 200
    assert status(workspace) == "open"
    refusal = workspace.api.of("button")[-1]
    assert refusal["replace_original"] is False and refusal["response_type"] == "ephemeral"
    assert "only they or their school's lead" in text_of(refusal)


async def test_a_promise_in_another_workspace_cannot_be_reached_by_ref(workspace: Workspace) -> None:
    await promised(workspace)
    await workspace.interact(
        {
            "type": "block_actions",
            "team": {"id": "T0LOVELACE"},
            "user": {"id": "U0ADA", "team_id": "T0LOVELACE"},
            "trigger_id": "trigger-lovelace",
            "response_url": workspace.api.url + "respond/button",
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "D0ADA"},
            "actions": [{"type": "button", "action_id": "kept:done:0", "value": "done C1"}],
        }
    )
    assert status(workspace) == "open"
    assert workspace.api.of("button")[-1]["replace_original"] is False


async def test_release_asks_for_a_reason_in_a_modal(workspace: Workspace) -> None:
    await promised(workspace)
    await workspace.press("U0SAM", "release C1", action_id="kept:release:2")
    view = workspace.api.of("views.open")[-1]["view"]
    assert view["callback_id"] == "kept:release" and view["private_metadata"] == "C1"
    assert status(workspace) == "open"
    response = await workspace.submit(
        "U0SAM", view, {"reason": {"type": "plain_text_input", "value": "Our minibus is in for repair that week"}}
    )
    assert (await response.json())["response_action"] == "update"
    assert status(workspace) == "released"


async def test_an_unknown_button_is_refused_politely_and_runs_nothing(workspace: Workspace) -> None:
    await promised(workspace)
    response = await workspace.press("U0SAM", "done C1", action_id="approve_expense")
    assert response.status == 200
    assert status(workspace) == "open"
    assert "don't recognise that button" in text_of(workspace.api.of("button")[-1])


async def test_a_button_on_the_home_tab_refreshes_the_home_tab(workspace: Workspace) -> None:
    await promised(workspace)
    await workspace.event({"type": "app_home_opened", "user": "U0SAM", "tab": "home"}, "Ev0HOMEBUTTON")
    await workspace.press("U0SAM", "done C1", home=True)
    await workspace.bridge.settle()
    assert status(workspace) == "done"
    assert len(workspace.api.of("views.publish")) == 2  # on opening, and once after the press
    published = workspace.api.of("views.publish")[-1]
    assert published["user_id"] == "U0SAM" and published["view"]["type"] == "home"
    assert "C1" not in text_of(published["view"])


async def test_a_release_form_forged_for_another_schools_promise_changes_nothing(workspace: Workspace) -> None:
    await promised(workspace)
    forged = {
        "type": "modal",
        "callback_id": "kept:release",
        "private_metadata": "C1",
        "blocks": [{"type": "input", "block_id": "reason"}],
    }
    response = await workspace.submit(
        "U0ALAN", forged, {"reason": {"type": "plain_text_input", "value": "We would rather not, thank you"}}
    )
    answer = await response.json()
    assert status(workspace) == "open"
    shown = text_of(answer.get("view", {})) + " ".join(answer.get("errors", {}).values())
    assert "only they or their school's lead" in shown


async def test_the_calendar_invitation_is_an_add_to_calendar_link_and_pressing_it_is_acked_quietly(
    workspace: Workspace,
) -> None:
    await promised(workspace)
    await workspace.say("U0SAM", "session Science day on 8/7/2027 10am at St Ada's School with Turing Primary")

    reply = await workspace.say("U0SAM", "ics S1")

    (button,) = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "Add to calendar"
    link = urlsplit(button["url"])
    download = await workspace.client.get(f"{link.path}?{link.query}")
    assert download.status == 200
    event = Calendar.from_ical(await download.text()).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].to_ical() == b"20270708T100000"

    pressed = await workspace.press("U0SAM", "", action_id=button["action_id"])
    assert pressed.status == 200
    assert workspace.api.of("button") == [], "a link button needs only its ack: no reply, no 'don't recognise'"
