"""The Home tab: my promises, the board and the sessions coming up; fresh after each change; retries once."""

from __future__ import annotations

from tests.harness.slack import Workspace, text_of

HOME_OPENED = {
    "type": "app_home_opened",
    "user": "U0SAM",
    "channel": "D0SAM",
    "tab": "home",
    "event_ts": "1795430000.000400",
}


async def test_opening_home_shows_my_promises_the_board_sessions_and_partnership_health(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.say("U0ALAN", "join Turing Primary")
    await workspace.say("U0SAM", "promise two physics practicals to Turing Primary by Friday")
    await workspace.say("U0ALAN", "request a French assistant for Year 6")
    await workspace.say("U0SAM", "partnership Northside Science with Turing Primary")
    response = await workspace.event(HOME_OPENED, "Ev0HOME1")
    assert response.status == 200
    view = workspace.api.of("views.publish")[-1]["view"]
    shown = text_of(view)
    assert "C1" in shown and "two physics practicals" in shown
    assert "a French assistant for Year 6" in shown
    assert "No joint sessions coming up" in shown
    assert "Health of Northside Science" in shown
    assert len(view["blocks"]) <= 100


async def test_home_for_someone_not_in_a_school_explains_how_to_join(workspace: Workspace) -> None:
    await workspace.event({**HOME_OPENED, "user": "U0MAY"}, "Ev0HOME2")
    view = workspace.api.of("views.publish")[-1]["view"]
    assert "join" in text_of(view)
    assert not [b for b in view["blocks"] if b["type"] == "actions"]


async def test_a_retried_event_is_handled_once(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.event(HOME_OPENED, "Ev0HOME3")
    retry = await workspace.event(
        HOME_OPENED, "Ev0HOME3", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    assert len(workspace.api.of("views.publish")) == 1


async def test_home_is_refreshed_after_a_change_made_elsewhere(workspace: Workspace) -> None:
    await workspace.say("U0SAM", "join St Ada's School")
    await workspace.event(HOME_OPENED, "Ev0HOME4")
    await workspace.say("U0SAM", "offer our science labs on Saturday mornings")
    await workspace.bridge.settle()
    latest = workspace.api.of("views.publish")[-1]["view"]
    assert "our science labs on Saturday mornings" in text_of(latest)


async def test_the_messages_tab_does_not_publish_home(workspace: Workspace) -> None:
    await workspace.event({**HOME_OPENED, "tab": "messages"}, "Ev0HOME5")
    assert workspace.api.of("views.publish") == []
