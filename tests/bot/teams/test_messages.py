"""Hopper Academy talks to Kept in Teams: typed commands, card buttons and forms, over the real HTTP stack."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar
from sqlmodel import select

from storage.models import Commitment, ConversationRef, Identity, Listing, Member
from tests.harness import teams_payloads as payloads
from tests.harness.teams import TeamsChat
from tests.harness.teams_payloads import ALAN, GRACE, HOPPER_TENANT, STAFFROOM


def texts(card: dict[str, Any]) -> str:
    """Every TextBlock's text in a card, nested ones included, joined for easy asserting."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)


async def join_two_schools(teams: TeamsChat) -> None:
    await teams.say(GRACE, "join Hopper Academy")
    await teams.say(ALAN, "join Turing College")


async def test_a_personal_message_is_answered_with_a_card_in_that_chat(teams: TeamsChat) -> None:
    card = await teams.say(GRACE, "join Hopper Academy")

    post = teams.connector.posts[-1]
    assert post.conversation_id == GRACE.personal_chat
    assert post.body["recipient"]["id"] == GRACE.teams_id
    assert card["version"] == "1.5"
    assert "Welcome to Kept, Grace Hopper" in texts(card)
    assert "part of Hopper Academy" in texts(card)
    with teams.parts.db.transaction() as session:
        identity = session.exec(select(Identity)).one()
    assert (identity.platform, identity.tenant_id, identity.user_id) == ("teams", HOPPER_TENANT, GRACE.aad_id)


async def test_unauthenticated_local_replies_carry_no_authorization_header(teams: TeamsChat) -> None:
    await teams.say(GRACE, "help")

    assert teams.connector.posts[-1].authorization is None


async def test_a_channel_message_mentioning_kept_runs_the_command_without_the_mention(teams: TeamsChat) -> None:
    await teams.say(GRACE, "join Hopper Academy")

    card = await teams.say(GRACE, "partner offer two physics practicals for Year 9", channel=True)

    assert "on the board (O1)" in texts(card)
    assert teams.connector.posts[-1].conversation_id.startswith(STAFFROOM)
    with teams.parts.db.transaction() as session:
        listing = session.exec(select(Listing)).one()
        channel = session.exec(select(ConversationRef).where(ConversationRef.scope == "channel")).one()
    assert listing.text == "two physics practicals for Year 9"
    assert channel.key == STAFFROOM
    assert channel.reference["conversation"]["id"] == STAFFROOM


async def test_a_message_teams_sends_again_is_not_acted_on_twice(teams: TeamsChat) -> None:
    activity = payloads.message(GRACE, "join Hopper Academy", teams.connector.url)

    assert await teams.post(activity) == 201
    assert await teams.post(activity) == 201

    with teams.parts.db.transaction() as session:
        assert len(session.exec(select(Member)).all()) == 1
    assert "received that one before" in texts(teams.connector.last_card())


async def test_an_overlong_message_gets_a_kind_reply_and_changes_nothing(teams: TeamsChat) -> None:
    await teams.say(GRACE, "join Hopper Academy")

    card = await teams.say(GRACE, "offer " + "physics " * 800)

    assert "a little long" in texts(card)
    with teams.parts.db.transaction() as session:
        assert session.exec(select(Listing)).all() == []


async def test_pressing_done_on_a_commitment_updates_that_card_in_place(teams: TeamsChat) -> None:
    await join_two_schools(teams)
    await teams.say(GRACE, "promise a physics masterclass to Turing College by Friday")
    card = await teams.say(GRACE, "mine")
    card_id = teams.connector.posts[-1].answered_id
    done = find_action(card, "Done")

    status = await teams.press(GRACE, done["data"], reply_to=card_id)

    assert status == 201
    update = teams.connector.updates[-1]
    assert update.activity_id == card_id
    assert update.conversation_id == GRACE.personal_chat
    assert "C1" in texts(update.card)
    with teams.parts.db.transaction() as session:
        assert session.exec(select(Commitment)).one().status == "done"


async def test_a_forged_button_for_another_schools_commitment_is_refused(teams: TeamsChat) -> None:
    await join_two_schools(teams)
    await teams.say(GRACE, "promise a physics masterclass to Turing College by Friday")
    updates_before = len(teams.connector.updates)

    await teams.press(ALAN, {"kept": "command", "command": "done C1"}, reply_to="1732forged")

    assert len(teams.connector.updates) == updates_before, "a refusal must not overwrite the card"
    reply = teams.connector.last_card()
    assert reply["body"][0]["weight"] == "Default" and "color" not in reply["body"][0]
    with teams.parts.db.transaction() as session:
        assert session.exec(select(Commitment)).one().status == "open"


async def test_an_unknown_card_action_gets_a_clear_reply(teams: TeamsChat) -> None:
    await teams.say(GRACE, "join Hopper Academy")

    status = await teams.press(GRACE, {"action": "approve", "ticket": 7}, reply_to="1732old")

    assert status == 201
    assert "don't recognise that button" in texts(teams.connector.last_card())
    assert teams.connector.updates == []


async def test_the_offer_form_comes_back_with_errors_by_each_field_then_logs_the_offer(teams: TeamsChat) -> None:
    await teams.say(GRACE, "join Hopper Academy")
    form = await teams.say(GRACE, "offer")
    submit = form["actions"][0]
    assert submit["type"] == "Action.Submit"

    await teams.press(GRACE, {**submit["data"], "text": "", "category": "nonsense"}, reply_to="1732form")

    again = teams.connector.updates[-1]
    assert again.activity_id == "1732form"
    inputs = {i["id"]: i for i in again.card["body"] if i["type"].startswith("Input.")}
    assert "errorMessage" in inputs["text"] and "errorMessage" in inputs["category"]
    assert "Please say what you give" in texts(again.card)

    values = {"text": "A Year 9 physics practical, in March", "category": "specialist-staff"}
    await teams.press(GRACE, {**again.card["actions"][0]["data"], **values}, reply_to="1732form")

    assert "on the board (O1)" in texts(teams.connector.updates[-1].card)
    with teams.parts.db.transaction() as session:
        assert session.exec(select(Listing)).one().text == "A Year 9 physics practical, in March"


def find_action(card: dict[str, Any], title: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and node.get("title") == title:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    assert found, f"no {title!r} button on the card"
    return found[0]


async def test_when_teams_refuses_the_reply_the_person_gets_an_apology_with_a_reference(teams: TeamsChat) -> None:
    teams.connector.fail_next(502)

    status = await teams.post(payloads.message(GRACE, "join Hopper Academy", teams.connector.url))

    assert status == 201
    apology = texts(teams.connector.posts[-1].card)
    assert "Sorry, something went wrong on our side (ref " in apology
    assert "was saved, but I couldn't show you the reply" in apology
    assert "Traceback" not in apology and "502" not in apology
    with teams.parts.db.transaction() as session:
        assert len(session.exec(select(Member)).all()) == 1, "the command itself was done"


async def test_release_asks_for_a_reason_on_the_same_card_then_releases(teams: TeamsChat) -> None:
    await join_two_schools(teams)
    await teams.say(GRACE, "promise a physics masterclass to Turing College by Friday")
    card = await teams.say(GRACE, "mine")
    card_id = teams.connector.posts[-1].answered_id

    await teams.press(GRACE, find_action(card, "Release")["data"], reply_to=card_id)
    form = teams.connector.updates[-1].card
    assert "Release C1" in texts(form)
    await teams.press(GRACE, {**form["actions"][0]["data"], "reason": "no"}, reply_to=card_id)
    assert "errorMessage" in next(n for n in teams.connector.updates[-1].card["body"] if n.get("id") == "reason")
    await teams.press(GRACE, {**form["actions"][0]["data"], "reason": "Our minibus is in for repair"}, reply_to=card_id)

    assert [u.activity_id for u in teams.connector.updates] == [card_id] * 3
    with teams.parts.db.transaction() as session:
        commitment = session.exec(select(Commitment)).one()
    assert (commitment.status, commitment.release_reason) == ("released", "Our minibus is in for repair")


async def test_the_promise_form_refuses_a_school_that_is_not_on_its_list(teams: TeamsChat) -> None:
    await join_two_schools(teams)
    form = await teams.say(GRACE, "promise")
    schools = next(n for n in form["body"] if n.get("id") == "school")["choices"]
    assert [c["title"] for c in schools] == ["Turing College"]
    submit = form["actions"][0]["data"]

    await teams.press(
        GRACE, {**submit, "what": "A physics masterclass", "school": "999", "due": "2026-11-27"}, reply_to="1732promise"
    )
    assert "Please pick a school" in texts(teams.connector.updates[-1].card)
    await teams.press(
        GRACE,
        {**submit, "what": "A physics masterclass", "school": schools[0]["value"], "due": "2026-11-27"},
        reply_to="1732promise",
    )

    assert "C1" in texts(teams.connector.updates[-1].card)
    with teams.parts.db.transaction() as session:
        assert session.exec(select(Commitment)).one().what == "A physics masterclass"


async def test_a_group_chat_works_like_a_channel_and_is_remembered_for_digests(teams: TeamsChat) -> None:
    activity = payloads.message(GRACE, "help", teams.connector.url, channel=True)
    group_chat = "19:meeting_Zm9yIHRoZSBwaHlzaWNzIGxpbms@thread.v2"
    activity["conversation"] = {
        "isGroup": True,
        "conversationType": "groupChat",
        "tenantId": HOPPER_TENANT,
        "id": group_chat,
    }
    activity["channelData"] = {"tenant": {"id": HOPPER_TENANT}}

    assert await teams.post(activity) == 201

    assert teams.connector.posts[-1].conversation_id == group_chat
    assert "what Kept can do" in texts(teams.connector.last_card())
    with teams.parts.db.transaction() as session:
        keys = {(r.scope, r.key) for r in session.exec(select(ConversationRef)).all()}
    assert ("channel", group_chat) in keys


async def test_the_calendar_invitation_card_opens_a_download_link(teams: TeamsChat) -> None:
    await join_two_schools(teams)
    await teams.say(GRACE, "session Science day on 8/7/2027 10am at Hopper Academy with Turing College")

    card = await teams.say(ALAN, "ics S1")

    (action,) = card["actions"]
    assert (action["type"], action["title"]) == ("Action.OpenUrl", "Add to calendar")
    link = urlsplit(action["url"])
    download = await teams.client.get(f"{link.path}?{link.query}")
    assert download.status == 200
    event = Calendar.from_ical(await download.text()).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].to_ical() == b"20270708T100000"
    assert "can't be downloaded" not in texts(card)
