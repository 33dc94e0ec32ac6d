"""Reading Teams activities: who is asking, in which tenant and channel, and what they typed."""

from __future__ import annotations

from botbuilder.schema import Activity

from bot.teams.inbound import caller_from, card_press, command_text
from tests.harness import teams_payloads as payloads
from tests.harness.teams_payloads import GRACE, HOPPER_TENANT, STAFFROOM

URL = "https://smba.trafficmanager.net/uk/"


def activity(body: dict[str, object]) -> Activity:
    return Activity().deserialize(body)


def test_the_caller_is_known_by_their_entra_id_in_their_tenant() -> None:
    caller = caller_from(activity(payloads.message(GRACE, "mine", URL)))

    assert (caller.platform, caller.tenant_id, caller.user_id) == ("teams", HOPPER_TENANT, GRACE.aad_id)
    assert (caller.display_name, caller.timezone, caller.channel_id) == ("Grace Hopper", "Europe/London", "")


def test_without_an_entra_id_the_teams_id_is_used_and_the_tenant_comes_from_the_conversation() -> None:
    body = payloads.message(GRACE, "mine", URL)
    body["from"] = {"id": GRACE.teams_id, "name": "Grace Hopper"}
    body["channelData"] = {}

    caller = caller_from(activity(body))

    assert (caller.user_id, caller.tenant_id) == (GRACE.teams_id, HOPPER_TENANT)


def test_in_a_channel_the_caller_carries_the_channel_not_the_thread() -> None:
    caller = caller_from(activity(payloads.message(GRACE, "channel Physics Link", URL, channel=True)))

    assert caller.channel_id == STAFFROOM


def test_the_bots_mention_and_a_leading_partner_are_dropped_but_other_mentions_stay_as_names() -> None:
    body = payloads.message(GRACE, "partner promise a visit to <at>Alan Turing</at>&nbsp;by Friday", URL, channel=True)
    body["entities"].append(
        {
            "mentioned": {"id": payloads.ALAN.teams_id, "name": "Alan Turing"},
            "text": "<at>Alan Turing</at>",
            "type": "mention",
        }
    )

    assert command_text(activity(body)) == "promise a visit to Alan Turing by Friday"


def test_values_that_are_not_from_a_kept_card_are_not_taken_as_presses() -> None:
    assert card_press({"kept": "command", "command": "  "}) is None
    assert card_press({"kept": "launch", "command": "done C1"}) is None
    assert card_press("done C1") is None
    assert card_press({"kept": "form", "form": "offer", "spec": {"title": 3}}).form is None  # type: ignore[union-attr]
