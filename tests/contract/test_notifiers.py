"""One Notifier contract, run over every platform Kept delivers to (as APScheduler runs one suite over every job store).

Each platform is reached through its real notifier and a stand-in of the platform's own HTTP API (Slack's Web API,
the Bot Connector), or, for the terminal and the test recorder, as they are. The contract (scheduler/notifier.py):
`deliver` returns the platform's id for what it posted once the platform has accepted it, and otherwise raises
DeliveryFailed, retryable (with the platform's Retry-After where it gave one) or permanent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.console.notifier import ConsoleNotifier
from bot.slack.notifier import SlackNotifier
from bot.teams.notifier import TeamsNotifier
from handlers.messages import Action, Address, Message
from scheduler.notifier import DeliveryFailed, Notifier
from tests.harness import teams_payloads
from tests.harness.recording import RecordingNotifier
from tests.harness.slack import SlackStandIn
from tests.harness.teams import MakeTeams

NUDGE = Message(
    title="Two physics practicals for Hopper Academy are due on Friday",
    text="If it's done, tell me; if it needs longer, snooze it.",
    actions=(Action("done", "Done", "done C4", "primary"),),
)
DIGEST = Message(title="This week in the Physics Link: 2 promises kept")


@dataclass
class Platform:
    """One platform as the contract sees it: its notifier, two addresses, what arrived, and how to make it refuse."""

    notifier: Notifier
    person: Address
    channel: Address
    arrived: Callable[[], list[tuple[str, str]]]  # (person or channel id, title) in order of arrival
    refuse: Callable[[int, str | None], None] | None = None  # (HTTP status, Retry-After) for the next call


async def _slack(slack_api: SlackStandIn) -> Platform:
    async def token_for(team_id: str) -> str | None:
        return "xoxb-st-adas" if team_id == "T0ADA" else None

    def arrived() -> list[tuple[str, str]]:
        return [(c["channel"], c["text"].split("\n")[0]) for c in slack_api.accepted("chat.postMessage")]

    def refuse(status: int, retry_after: str | None) -> None:
        error = {429: "ratelimited", 403: "account_inactive"}.get(status, "internal_error")
        headers = {"Retry-After": retry_after} if retry_after else {}
        slack_api.once.setdefault("chat.postMessage", []).append((status, {"ok": False, "error": error}, headers))

    return Platform(
        SlackNotifier(token_for, slack_api.url + "api/"),
        Address("slack", "T0ADA", user_id="U0SAM"),
        Address("slack", "T0ADA", channel_id="C0PARTNERS"),
        arrived,
        refuse,
    )


async def _teams(make_teams: MakeTeams) -> Platform:
    teams = await make_teams()
    grace = teams_payloads.GRACE
    await teams.say(grace, "help")  # Kept now knows Grace's 1:1 chat
    await teams.say(grace, "help", channel=True)  # and the staffroom channel
    notifier = teams.parts.notifiers["teams"]
    assert isinstance(notifier, TeamsNotifier)
    before = len(teams.connector.posts)
    chats = {grace.personal_chat: grace.aad_id, teams_payloads.STAFFROOM: teams_payloads.STAFFROOM}

    def arrived() -> list[tuple[str, str]]:
        return [(chats[p.conversation_id], p.body["summary"]) for p in teams.connector.accepted_posts[before:]]

    return Platform(
        notifier,
        Address("teams", grace.tenant, user_id=grace.aad_id),
        Address("teams", grace.tenant, channel_id=teams_payloads.STAFFROOM),
        arrived,
        lambda status, retry_after: teams.connector.fail_next(status, retry_after=retry_after),
    )


async def _console() -> Platform:
    console = ConsoleNotifier()

    def arrived() -> list[tuple[str, str]]:
        return [(a.user_id or a.channel_id, m.title) for a, m in console.received]

    return Platform(console, Address("console", "console", user_id="sam-patel"), _channel("console"), arrived)


async def _recording() -> Platform:
    recorder = RecordingNotifier("slack")

    def arrived() -> list[tuple[str, str]]:
        return [(a.user_id or a.channel_id, m.title) for a, m in recorder.delivered]

    def refuse(status: int, retry_after: str | None) -> None:
        wait = float(retry_after) if retry_after else None
        recorder.fail_next(reason=f"status {status}", retry_after=wait, permanent=status in (403, 404))

    return Platform(recorder, Address("slack", "T0ADA", user_id="U0SAM"), _channel("slack"), arrived, refuse)


def _channel(platform: str) -> Address:
    return Address(platform, "console" if platform == "console" else "T0ADA", channel_id="C0PARTNERS")


@pytest.fixture(params=["slack", "teams", "console", "recording"])
async def platform(
    request: pytest.FixtureRequest, slack_api: SlackStandIn, make_teams: MakeTeams
) -> AsyncIterator[Platform]:
    build: dict[str, Callable[[], Awaitable[Platform]]] = {
        "slack": lambda: _slack(slack_api),
        "teams": lambda: _teams(make_teams),
        "console": _console,
        "recording": _recording,
    }
    yield await build[request.param]()


def _refusing(platform: Platform) -> Callable[[int, str | None], None]:
    if platform.refuse is None:
        pytest.skip("this platform can't refuse a message: the terminal always takes it")
    return platform.refuse


async def test_a_message_to_a_person_arrives_for_them_and_its_id_comes_back(platform: Platform) -> None:
    posted = await platform.notifier.deliver(platform.person, NUDGE)

    assert isinstance(posted, str) and posted
    assert platform.arrived() == [(platform.person.user_id, NUDGE.title)]


async def test_a_message_to_a_channel_arrives_in_that_channel(platform: Platform) -> None:
    await platform.notifier.deliver(platform.channel, DIGEST)

    assert platform.arrived() == [(platform.channel.channel_id, DIGEST.title)]


async def test_a_busy_platform_is_worth_retrying_after_the_wait_it_asked_for(platform: Platform) -> None:
    _refusing(platform)(429, "7")

    with pytest.raises(DeliveryFailed) as failed:
        await platform.notifier.deliver(platform.person, NUDGE)

    assert not failed.value.permanent and failed.value.retry_after == 7
    assert platform.arrived() == []


async def test_someone_the_platform_says_is_gone_is_never_retried(platform: Platform) -> None:
    _refusing(platform)(403, None)

    with pytest.raises(DeliveryFailed) as failed:
        await platform.notifier.deliver(platform.person, NUDGE)

    assert failed.value.permanent


async def test_a_refused_send_then_a_retry_delivers_exactly_once(platform: Platform) -> None:
    _refusing(platform)(500, None)

    with pytest.raises(DeliveryFailed) as failed:
        await platform.notifier.deliver(platform.person, NUDGE)
    assert not failed.value.permanent
    await platform.notifier.deliver(platform.person, NUDGE)

    assert platform.arrived() == [(platform.person.user_id, NUDGE.title)]
