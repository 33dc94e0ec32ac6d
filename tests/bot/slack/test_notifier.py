"""What only Slack's notifier does: escaping, Slack's own error codes, workspaces without Kept. The rest of the
Notifier contract is tested for every platform in tests/contract/."""

from __future__ import annotations

import pytest

from bot.slack.notifier import SlackNotifier
from handlers.messages import Action, Address, Message
from scheduler.notifier import DeliveryFailed
from tests.harness.slack import SlackStandIn

NUDGE = Message(
    title="C4 is due on Friday: two physics practicals for Turing Primary <!channel>",
    actions=(Action("done", "Done", "done C4", "primary"),),
)
SAM = Address(platform="slack", tenant_id="T0ADA", user_id="U0SAM")
PARTNERS = Address(platform="slack", tenant_id="T0ADA", channel_id="C0PARTNERS")


def notifier(api: SlackStandIn, token: str | None = "xoxb-st-adas") -> SlackNotifier:
    async def token_for(team_id: str) -> str | None:
        return token if team_id == "T0ADA" else None

    return SlackNotifier(token_for, api.url + "api/")


async def test_a_nudge_goes_to_the_persons_dm_with_its_buttons(slack_api: SlackStandIn) -> None:
    ts = await notifier(slack_api).deliver(SAM, NUDGE)
    assert ts == "1795430000.000100"
    (posted,) = slack_api.of("chat.postMessage")
    assert posted["channel"] == "U0SAM"
    assert "<!channel>" not in posted["text"] and "&lt;!channel&gt;" in posted["text"]
    assert [e["value"] for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]] == ["done C4"]


async def test_rate_limited_delivery_carries_slacks_retry_after(slack_api: SlackStandIn) -> None:
    slack_api.faults["chat.postMessage"] = (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"})
    with pytest.raises(DeliveryFailed) as failed:
        await notifier(slack_api).deliver(SAM, NUDGE)
    assert failed.value.retry_after == 7 and not failed.value.permanent
    assert len(slack_api.of("chat.postMessage")) == 1  # the outbox decides when to try again, not the client


@pytest.mark.parametrize(
    "error", ["account_inactive", "user_not_found", "channel_not_found", "not_in_channel", "is_archived"]
)
async def test_someone_who_left_or_a_channel_gone_is_permanent(slack_api: SlackStandIn, error: str) -> None:
    slack_api.faults["chat.postMessage"] = (200, {"ok": False, "error": error}, {})
    with pytest.raises(DeliveryFailed) as failed:
        await notifier(slack_api).deliver(SAM, NUDGE)
    assert failed.value.permanent and error in failed.value.reason


async def test_a_slack_hiccup_is_worth_retrying(slack_api: SlackStandIn) -> None:
    slack_api.faults["chat.postMessage"] = (200, {"ok": False, "error": "internal_error"}, {})
    with pytest.raises(DeliveryFailed) as failed:
        await notifier(slack_api).deliver(SAM, NUDGE)
    assert not failed.value.permanent and failed.value.retry_after is None


async def test_a_workspace_without_kept_installed_is_permanent(slack_api: SlackStandIn) -> None:
    elsewhere = Address(platform="slack", tenant_id="T0LOVELACE", user_id="U0ADA")
    with pytest.raises(DeliveryFailed) as failed:
        await notifier(slack_api).deliver(elsewhere, NUDGE)
    assert failed.value.permanent
    assert slack_api.calls == []


async def test_slack_unreachable_is_worth_retrying() -> None:
    async def token_for(team_id: str) -> str | None:
        return "xoxb-st-adas"

    unreachable = SlackNotifier(token_for, "http://127.0.0.1:9/api/")  # the discard port: refused at once
    with pytest.raises(DeliveryFailed) as failed:
        await unreachable.deliver(SAM, NUDGE)
    assert not failed.value.permanent
