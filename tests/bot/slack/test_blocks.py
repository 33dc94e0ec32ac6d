"""The Block Kit renderer keeps within Slack's limits and makes user text inert."""

from __future__ import annotations

import json

from bot.slack.blocks import MESSAGE_BLOCKS, TOTAL_CHARS, VIEW_BLOCKS, escape, to_blocks, to_home, to_modal, to_reply
from handlers.messages import Action, Attachment, Choice, Field, Form, Input, Message, Section
from handlers.outbound.reminders import nudge_actions
from tests.harness.gallery import Shot

PRACTICAL = "Two physics practicals for Year 9, with a technician and all the kit, in the spring term " * 3


def long_board(items: int) -> Message:
    return Message(
        title=f"The board: {items} open offers",
        sections=tuple(
            Section(
                f"O{i} · Offer from St Ada's School: {PRACTICAL}",
                fields=(Field("Category", "Specialist staff"),),
                actions=(Action("done", "Done", f"done C{i}", "primary"), Action("snooze", "Snooze", f"snooze C{i}")),
            )
            for i in range(items)
        ),
        footer="Say `match` to see what could meet a request.",
    )


def section_texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if "text" in b and isinstance(b["text"], dict)]


def test_a_long_board_stays_within_slacks_block_and_size_limits() -> None:
    blocks = to_blocks(long_board(300))
    assert len(blocks) <= MESSAGE_BLOCKS
    assert len(json.dumps(blocks)) <= 13_000
    assert "more not shown here" in json.dumps(blocks)
    assert blocks[-1]["type"] == "context"  # the footer still closes the message


def test_text_longer_than_a_section_is_split_not_cut() -> None:
    text = ("Paragraph about transport, consent and staffing. " * 40 + "\n") * 4
    blocks = to_blocks(Message(title="Session checklist", text=text))
    assert all(len(t) <= 3000 for t in section_texts(blocks))
    assert sum(len(t) for t in section_texts(blocks)) >= len(text) - 10


def test_mentions_and_links_in_user_text_cannot_ping_or_disguise() -> None:
    message = Message(
        title="O3 <!channel>",
        text="free <@U0ALAN> <!subteam^S1> <https://evil.example|st-adas.org>",
        fields=(Field("From", "<!everyone>"),),
    )
    rendered = json.dumps(to_reply(message))
    for raw in ("<!channel>", "<@U0ALAN>", "<!subteam", "<https://evil", "<!everyone>"):
        assert raw not in rendered
    assert escape("Tom & Jerry <3") == "Tom &amp; Jerry &lt;3"


def test_buttons_in_one_block_have_distinct_ids_and_carry_their_command() -> None:
    message = Message(
        title="C4 is due",
        actions=(
            Action("snooze", "Snooze a day", "snooze C4 1 day"),
            Action("snooze", "Snooze a week", "snooze C4 1 week"),
        ),
    )
    (actions,) = [b for b in to_blocks(message) if b["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == ["snooze C4 1 day", "snooze C4 1 week"]
    assert len({e["action_id"] for e in actions["elements"]}) == 2


def test_a_refusal_reads_differently_from_a_success() -> None:
    assert section_texts(to_blocks(Message(title="Logged as O1"))) == ["*Logged as O1*"]
    assert section_texts(to_blocks(Message(title="C1 is not yours", ok=False))) == ["C1 is not yours"]


def test_a_form_becomes_a_modal_with_the_right_inputs() -> None:
    form = Form(
        form_id="promise",
        title="A rather long title for a modal window",
        context="C9",
        inputs=(
            Input("what", "What will you deliver?", "multiline", initial="Telescope", placeholder="e.g. practicals"),
            Input("school", "To which school?", "select", choices=(Choice("Turing Primary", "2"),), initial="2"),
            Input("due", "By when?", "date", initial="2026-12-04"),
            Input("note", "Anything else?", optional=True),
        ),
    )
    modal = to_modal(form)
    assert modal["callback_id"] == "kept:promise" and modal["private_metadata"] == "C9"
    assert len(modal["title"]["text"]) <= 24
    by_id = {b["block_id"]: b for b in modal["blocks"]}
    assert by_id["what"]["element"] == {
        "type": "plain_text_input",
        "action_id": "what",
        "multiline": True,
        "max_length": 3000,
        "initial_value": "Telescope",
        "placeholder": {"type": "plain_text", "text": "e.g. practicals", "emoji": True},
    }
    assert by_id["school"]["element"]["initial_option"]["value"] == "2"
    assert by_id["due"]["element"] == {"type": "datepicker", "action_id": "due", "initial_date": "2026-12-04"}
    assert by_id["note"]["optional"] is True


def test_home_with_long_parts_stays_within_a_views_limits() -> None:
    view = to_home([long_board(200), long_board(200), long_board(200)], shortcuts=(Action("offer", "Offer", "offer"),))
    assert view["type"] == "home"
    assert len(view["blocks"]) <= VIEW_BLOCKS
    assert len(json.dumps(view)) <= TOTAL_CHARS + 2000


def test_a_select_with_nothing_to_choose_becomes_a_text_input_slack_accepts() -> None:
    form = Form(form_id="promise", title="New promise", inputs=(Input("school", "To which school?", "select"),))
    (block,) = to_modal(form)["blocks"]
    assert block["element"]["type"] == "plain_text_input"


def test_an_invitation_with_a_link_is_an_add_to_calendar_button_and_one_without_says_so_plainly() -> None:
    url = "https://kept.thames.example/ics/S12.ics?sig=ab12"
    linked = Attachment("kept-session-12.ics", "text/calendar", "BEGIN:VCALENDAR", url=url)
    blocks = to_blocks(Message(title="Calendar invitation for S12", attachments=(linked,)))

    (actions,) = [b for b in blocks if b["type"] == "actions"]
    (button,) = actions["elements"]
    assert (button["text"]["text"], button["url"]) == ("Add to calendar", url)
    assert button["action_id"].startswith("kept-link-") and "value" not in button

    unlinked = to_blocks(
        Message(title="Calendar invitation for S12", attachments=(Attachment("s.ics", "text/calendar", ""),))
    )
    assert not [b for b in unlinked if b["type"] == "actions"]
    assert "s.ics can't be downloaded here." in json.dumps(unlinked)


def test_every_message_shows_at_most_three_buttons_and_keeps_the_rest_in_an_overflow(shots: list[Shot]) -> None:
    for shot in shots:
        offered = [shot.message.actions, *(s.actions for s in shot.message.sections)]
        rows = [b["elements"] for b in to_blocks(shot.message) if b["type"] == "actions"]
        assert len(rows) == len([a for a in offered if a]), shot.name
        for actions, row in zip([a for a in offered if a], rows, strict=True):
            buttons = [e["value"] for e in row if e["type"] == "button"]
            menus = [[o["value"] for o in e["options"]] for e in row if e["type"] == "overflow"]
            assert len(buttons) <= 3 and len(menus) <= 1, shot.name
            assert buttons + [v for menu in menus for v in menu] == [a.command for a in actions], shot.name


def test_a_nudge_keeps_done_snooze_a_week_and_need_help_in_view() -> None:
    nudge = Message(title="Greek books for Year 10 are due on Friday (C40)", actions=nudge_actions("C40"))
    (row,) = [b["elements"] for b in to_blocks(nudge) if b["type"] == "actions"]
    assert [e["text"]["text"] for e in row if e["type"] == "button"] == ["Done", "Snooze a week", "Need help"]
    (menu,) = [e for e in row if e["type"] == "overflow"]
    assert [o["text"]["text"] for o in menu["options"]] == ["Snooze a day", "Pick a date", "Release"]
    assert menu["action_id"].startswith("kept:")


def test_an_action_marked_secondary_waits_in_the_overflow_even_with_room_in_view() -> None:
    message = Message(
        title="Rocket day (S1) is tomorrow",
        actions=(
            Action("ok", "All in hand", "checklist S1", "primary"),
            Action("cancel", "Cancel", "cancel S1", secondary=True),
        ),
    )
    (row,) = [b["elements"] for b in to_blocks(message) if b["type"] == "actions"]
    assert [e["type"] for e in row] == ["button", "overflow"]
