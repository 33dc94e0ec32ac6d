"""Forms as modals: `/partner offer` with no text, the message shortcut, and errors shown on the field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from storage.models import Commitment, Listing
from tests.harness.slack import TEAM, Workspace, text_of


def opened(workspace: Workspace) -> dict[str, Any]:
    views = workspace.api.of("views.open")
    assert views, "no modal was opened"
    view: dict[str, Any] = views[-1]["view"]
    return view


async def test_offer_with_no_text_opens_the_offer_form(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    response = await workspace.command("U0SAM", "offer", trigger="trigger-offer-form")
    assert response.status == 200
    assert await response.text() == ""  # the modal is the answer; nothing is posted in the channel
    call = workspace.api.of("views.open")[0]
    assert call["trigger_id"] == "trigger-offer-form"
    view = call["view"]
    assert view["type"] == "modal" and view["callback_id"] == "kept:offer"
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds == {"text": "plain_text_input", "category": "static_select", "expires_on": "plain_text_input"}


async def test_a_form_with_a_problem_shows_it_on_the_field_and_logs_nothing(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.command("U0SAM", "offer")
    response = await workspace.submit(
        "U0SAM",
        opened(workspace),
        {
            "text": {"type": "plain_text_input", "value": "x"},
            "category": {"type": "static_select", "selected_option": None},
            "expires_on": {"type": "datepicker", "selected_date": None},
        },
    )
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"text"}
    with workspace.parts.db.transaction() as session:
        assert session.exec(select(Listing)).all() == []


async def test_a_good_form_is_logged_and_the_modal_shows_the_ref(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.command("U0SAM", "offer")
    response = await workspace.submit(
        "U0SAM",
        opened(workspace),
        {
            "text": {"type": "plain_text_input", "value": "Our sports hall on Wednesday afternoons"},
            "category": {"type": "static_select", "selected_option": {"value": "facilities"}},
            "expires_on": {"type": "datepicker", "selected_date": None},
        },
    )
    answer = await response.json()
    assert answer["response_action"] == "update"
    assert "O1" in text_of(answer["view"])
    with workspace.parts.db.transaction() as session:
        listing = session.exec(select(Listing)).one()
    assert (listing.text, listing.category) == ("Our sports hall on Wednesday afternoons", "facilities")


async def test_make_this_a_commitment_opens_the_promise_form_with_the_message_text(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0ALAN", "join Turing Primary")
    await workspace.interact(
        {
            "type": "message_action",
            "callback_id": "make_commitment",
            "team": {"id": TEAM},
            "user": {"id": "U0SAM", "team_id": TEAM},
            "channel": {"id": "C0STAFF"},
            "trigger_id": "trigger-shortcut",
            "message": {
                "type": "message",
                "text": "Could you lend us your <!here> telescope in March?",
                "ts": "1795430000.000300",
            },
            "response_url": workspace.api.url + "respond/shortcut",
        }
    )
    view = opened(workspace)
    assert view["callback_id"] == "kept:promise"
    what = next(b for b in view["blocks"] if b["block_id"] == "what")
    assert what["element"]["initial_value"] == "Could you lend us your <!here> telescope in March?"
    response = await workspace.submit(
        "U0SAM",
        view,
        {
            "what": {"type": "plain_text_input", "value": "Lend our telescope for March"},
            "school": {
                "type": "static_select",
                "selected_option": {"value": view["blocks"][1]["element"]["options"][0]["value"]},
            },
            "due": {"type": "datepicker", "selected_date": "2026-12-04"},
        },
    )
    assert (await response.json())["response_action"] == "update"
    with workspace.parts.db.transaction() as session:
        commitment = session.exec(select(Commitment)).one()
    assert commitment.what == "Lend our telescope for March"


async def test_the_shortcut_for_someone_not_yet_in_a_school_explains_how_to_join(workspace: Workspace) -> None:
    await workspace.interact(
        {
            "type": "message_action",
            "callback_id": "make_commitment",
            "team": {"id": TEAM},
            "user": {"id": "U0ALAN", "team_id": TEAM},
            "trigger_id": "trigger-stranger",
            "message": {"type": "message", "text": "hello"},
        }
    )
    view = opened(workspace)
    assert "callback_id" not in view
    assert "join" in text_of(view)


async def test_a_form_slack_cannot_open_is_explained_in_the_reply(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    workspace.api.faults["views.open"] = (200, {"ok": False, "error": "expired_trigger_id"}, {})
    reply = await workspace.say("U0SAM", "request")
    assert "couldn't open the form" in text_of(reply)


async def test_a_malformed_submission_is_a_400_with_no_traceback_and_nothing_saved(
    workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    response = await workspace.interact(
        {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": "U0SAM", "team_id": TEAM},
            "view": {
                "type": "modal",
                "callback_id": "kept:offer",
                "private_metadata": "",
                "state": {"values": ["not", "a", "map"]},
            },
        }
    )
    assert response.status == 400
    assert "Traceback" not in caplog.text and "ERROR" not in caplog.text
    with workspace.parts.db.transaction() as session:
        assert session.exec(select(Listing)).all() == []


async def test_partner_alone_offers_a_menu_whose_buttons_open_the_forms(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    reply = await workspace.say("U0SAM", "")
    buttons = {e["text"]["text"]: e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert set(buttons) == {"Offer help", "Ask for help", "Make a promise"}
    await workspace.press("U0SAM", buttons["Ask for help"]["value"], action_id=buttons["Ask for help"]["action_id"])
    assert opened(workspace)["callback_id"] == "kept:request"


async def test_a_rate_limited_form_is_opened_on_a_second_try_within_the_trigger(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    workspace.api.once["views.open"] = [(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"})]
    response = await workspace.command("U0SAM", "offer")
    assert await response.text() == ""
    assert len(workspace.api.of("views.open")) == 2


async def test_a_form_slack_keeps_refusing_is_explained_not_waited_for(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    workspace.api.faults["views.open"] = (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"})
    reply = await workspace.say("U0SAM", "offer")
    assert "couldn't open the form" in text_of(reply)
    assert len(workspace.api.of("views.open")) == 1
