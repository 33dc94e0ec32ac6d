"""`/partner` in St Ada's workspace: the reply is the ack, written first, private, and safe to show."""

from __future__ import annotations

import json

from sqlmodel import select

from handlers.context import Caller
from storage.models import Identity, Listing, Member
from tests.harness.slack import Workspace, text_of


def offers(workspace: Workspace) -> list[Listing]:
    with workspace.parts.db.transaction() as session:
        return list(session.exec(select(Listing)).all())


async def test_joining_uses_the_name_and_time_zone_from_the_slack_profile(any_workspace: Workspace) -> None:
    reply = await any_workspace.say("U0MAY", "join St Ada's School")
    assert "Welcome to Kept, May Chen!" in text_of(reply)
    assert reply["response_type"] == "ephemeral"
    with any_workspace.parts.db.transaction() as session:
        identity = session.exec(select(Identity)).one()
    assert (identity.tenant_id, identity.user_id, identity.display_name) == ("T0ADA", "U0MAY", "May Chen")


async def test_a_profile_slack_cannot_give_makes_a_colleague_at_the_school_never_an_id(workspace: Workspace) -> None:
    workspace.api.faults["users.info"] = (200, {"ok": False, "error": "user_not_found"}, {})
    reply = await workspace.say("U0ADA", "join St Ada's School")

    assert "Welcome to Kept! You're now part of St Ada's School." in text_of(reply)
    with workspace.parts.db.transaction() as session:
        member = session.exec(select(Member)).one()
    assert member.name == "a colleague at St Ada's School"
    assert "u0ada" not in json.dumps(reply).lower()


async def test_the_profile_is_asked_for_once_per_person(any_workspace: Workspace) -> None:
    await any_workspace.say("U0SAM", "join St Ada's School")
    await any_workspace.say("U0SAM", "offer maths tutoring for year 9")
    await any_workspace.say("U0SAM", "board")
    assert [call["user"] for call in any_workspace.api.of("users.info")] == ["U0SAM"]


async def test_an_offer_is_committed_before_the_reply_and_quotes_its_ref(any_workspace: Workspace) -> None:
    await any_workspace.say("U0SAM", "join St Ada's School")
    reply = await any_workspace.say("U0SAM", "offer maths tutoring for year 9")
    assert "on the board (O1)" in text_of(reply)
    assert "on the board (O1)" in reply["text"]  # the plain-text fallback
    assert [o.text for o in offers(any_workspace)] == ["maths tutoring for year 9"]


async def test_someone_who_has_not_joined_is_asked_to_join(any_workspace: Workspace) -> None:
    reply = await any_workspace.say("U0ALAN", "offer a minibus on Fridays")
    assert "join" in text_of(reply)
    assert offers(any_workspace) == []


async def test_pings_in_what_people_type_are_made_harmless(any_workspace: Workspace) -> None:
    await any_workspace.say("U0SAM", "join St Ada's School")
    reply = await any_workspace.say(
        "U0SAM", "offer <!channel> free <@U0ALAN> tutoring <!here> <https://evil.example|click>"
    )
    shown = text_of(reply) + reply["text"]
    for ping in ("<!channel>", "<!here>", "<@U0ALAN>", "<https://evil.example|click>"):
        assert ping not in shown
    assert "&lt;!channel&gt;" in shown
    texts = [b["text"] for b in reply["blocks"] if "text" in b] + [
        f for b in reply["blocks"] for f in b.get("fields", [])
    ]
    assert texts and all(t["verbatim"] for t in texts)


async def test_an_unknown_word_gets_help_with_a_guess(any_workspace: Workspace) -> None:
    reply = await any_workspace.say("U0SAM", "ofer maths")
    assert "Did you mean `offer maths`?" in text_of(reply)
    (button,) = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["text"]["text"], button["value"]) == ("Offer", "offer maths")


async def test_no_reply_is_posted_in_the_channel_for_everyone(any_workspace: Workspace) -> None:
    await any_workspace.say("U0SAM", "join St Ada's School")
    reply = await any_workspace.say("U0SAM", "promise two physics practicals to St Ada's School by Friday")
    assert reply["response_type"] == "ephemeral"
    assert any_workspace.api.of("chat.postMessage") == []


async def test_a_long_board_fits_in_one_slack_message(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    sam = Caller("slack", "T0ADA", "U0SAM", "Sam Patel")
    detail = "with a technician, all the kit and a risk assessment, for up to thirty pupils at a time. " * 10
    for n in range(20):
        assert workspace.parts.kept.handle(sam, f"offer physics practical {n} {detail}").ok
    reply = await workspace.say("U0SAM", "board")
    assert len(reply["blocks"]) <= 50
    assert len(json.dumps(reply["blocks"])) <= 13_000
    assert all(len(b["text"]["text"]) <= 3000 for b in reply["blocks"] if "text" in b)
    assert "more not shown here" in text_of(reply)
