"""The Adaptive Card renderer: schema 1.5, only elements and actions Teams renders, within Teams' size limit."""

from __future__ import annotations

import json
from typing import Any

from bot.teams.cards import teams_markdown, to_card, to_form_card
from bot.teams.inbound import card_press
from handlers.messages import Action, Attachment, Choice, Field, Form, Input, Message, Section

ELEMENTS = {"TextBlock", "FactSet", "Container", "ActionSet", "Input.Text", "Input.ChoiceSet", "Input.Date"}
ACTIONS = {"Action.Submit", "Action.OpenUrl"}
TEAMS_CARD_LIMIT = 28 * 1024

COMMITMENTS = Message(
    title="Your open commitments",
    text="*Due this week*\n\nSay `done <ref>` when it's delivered.",
    sections=tuple(
        Section(
            f"C{n}: a physics masterclass for Turing College",
            fields=(Field("Due", "Fri 27 Nov"),),
            actions=(
                Action("done", "Done", f"done C{n}", "primary"),
                Action("release", "Release", f"release C{n}", "danger"),
            ),
        )
        for n in range(1, 61)
    ),
    attachments=(Attachment("session.ics", "text/calendar", "BEGIN:VCALENDAR"),),
)
PROMISE_FORM = Form(
    form_id="promise",
    title="New promise",
    context="M4",
    inputs=(
        Input("what", "What will you deliver?", "multiline", placeholder="e.g. Two physics practicals"),
        Input("school", "To which school?", "select", choices=(Choice("Turing College", "2"),)),
        Input("due", "By when?", "date"),
    ),
)


def check_card(card: dict[str, Any]) -> None:
    """Structural checks: what Teams needs from an Adaptive Card 1.5 that Kept sends."""
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert len(json.dumps(card)) < TEAMS_CARD_LIMIT
    input_ids: list[str] = []

    def element(node: dict[str, Any]) -> None:
        assert node["type"] in ELEMENTS, node["type"]
        if node["type"] == "TextBlock":
            assert isinstance(node["text"], str) and node["text"].strip() and node["wrap"] is True
        if node["type"].startswith("Input."):
            input_ids.append(node["id"])
            assert node["label"]
        if node["type"] == "Input.ChoiceSet":
            assert all(set(c) == {"title", "value"} for c in node["choices"])
        for child in node.get("items", []):
            element(child)
        for action in node.get("actions", []):
            check_action(action)

    for node in card["body"]:
        element(node)
    for action in card.get("actions", []):
        check_action(action)
    assert len(input_ids) == len(set(input_ids))


def check_action(action: dict[str, Any]) -> None:
    assert action["type"] in ACTIONS
    assert action["title"]
    assert action.get("style", "default") in {"default", "positive", "destructive"}
    if action["type"] == "Action.OpenUrl":
        assert action["url"].startswith(("https://", "http://"))
        return
    assert card_press(action["data"]) is not None, "every button must be one Kept recognises when pressed"


def test_a_long_list_of_commitments_stays_within_teams_limits() -> None:
    card = to_card(COMMITMENTS)

    check_card(card)
    containers = [n for n in card["body"] if n["type"] == "Container"]
    assert 0 < len(containers) < 60
    assert "more" in card["body"][-1]["text"]
    assert "session.ics can't be downloaded here." in card["body"][-1]["text"]


def test_an_invitation_with_a_link_opens_it_from_an_add_to_calendar_action() -> None:
    url = "https://kept.thames.example/ics/S12.ics?sig=ab12"
    invitation = Attachment("kept-session-12.ics", "text/calendar", "BEGIN:VCALENDAR", url=url)
    card = to_card(Message(title="Calendar invitation for S12", attachments=(invitation,)))

    check_card(card)
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Add to calendar", "url": url}]
    assert "can't be downloaded" not in json.dumps(card)


def test_buttons_carry_the_command_they_stand_for() -> None:
    card = to_card(COMMITMENTS)

    first = card["body"][3]["items"][-1]["actions"]
    assert [(a["title"], a["style"], a["data"]["command"]) for a in first] == [
        ("Done", "positive", "done C1"),
        ("Release", "destructive", "release C1"),
    ]


def test_a_refusal_is_shown_gently_but_distinctly_never_in_the_unreadable_warning_colour() -> None:
    refusal = to_card(Message(title="Only the owner or their lead can close C1.", ok=False))
    news = to_card(Message(title="Logged as O1"))

    check_card(refusal)
    assert (refusal["body"][0]["weight"], news["body"][0]["weight"]) == ("Default", "Bolder")
    assert "Warning" not in json.dumps(refusal)


def test_a_form_has_one_input_per_field_and_a_submit() -> None:
    card = to_card(Message(title="New promise", form=PROMISE_FORM))

    check_card(card)
    kinds = [(n["type"], n.get("isMultiline")) for n in card["body"] if n["type"].startswith("Input.")]
    assert kinds == [("Input.Text", True), ("Input.ChoiceSet", None), ("Input.Date", None)]
    data = card["actions"][0]["data"]
    assert (data["kept"], data["form"], data["context"]) == ("form", "promise", "M4")


def test_a_form_with_errors_shows_each_error_beside_its_field_and_keeps_what_was_typed() -> None:
    card = to_form_card(
        PROMISE_FORM,
        errors={"due": "That date has already passed."},
        values={"what": "Two physics practicals", "due": "2026-11-01"},
    )

    check_card(card)
    body = card["body"]
    due = next(i for i, n in enumerate(body) if n.get("id") == "due")
    assert body[due]["errorMessage"] == "That date has already passed."
    assert body[due]["value"] == "2026-11-01"
    assert body[due + 1]["text"] == "That date has already passed."
    assert next(n for n in body if n.get("id") == "what")["value"] == "Two physics practicals"


def test_the_form_a_card_was_drawn_from_comes_back_from_its_submit_data() -> None:
    card = to_form_card(PROMISE_FORM)
    pressed = card_press(json.loads(json.dumps({**card["actions"][0]["data"], "what": "Practicals"})))

    assert pressed is not None
    assert pressed.form == PROMISE_FORM
    assert pressed.values == {"what": "Practicals"}


def test_slack_style_bold_and_code_become_adaptive_card_markdown() -> None:
    assert teams_markdown("*Getting started*\n`join <school name>`: join") == (
        "**Getting started**\n**join <school name>**: join"
    )
    assert teams_markdown("2 * 3 * 4") == "2 * 3 * 4"


def test_a_form_choosing_among_hundreds_of_schools_still_fits_on_a_card() -> None:
    schools = tuple(Choice(f"Academy number {n} of the Northern Lights Trust", str(n)) for n in range(400))
    form = Form("promise", "New promise", (Input("school", "To which school?", "select", choices=schools),))

    card = to_form_card(form)

    check_card(card)
    assert len(card["body"][1]["choices"]) == 100
    assert "spec" not in card["actions"][0]["data"], "too big to carry: errors are then told in words"
