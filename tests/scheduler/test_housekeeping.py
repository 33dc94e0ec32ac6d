"""What each tick does besides sending: new listings matched and told to leads, and daily upkeep."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from scheduler.delivery import DeliveryLoop
from storage.models import InboundReceipt, Match
from tests.harness.people import Join
from tests.harness.recording import RecordingNotifier


async def test_a_new_request_is_matched_on_the_next_tick_and_both_leads_hear_privately(
    person: Join, kept: Kept, delivery: DeliveryLoop, slack_inbox: RecordingNotifier
) -> None:
    sam = person("Sam Patel", "St Ada's School")
    priya = person("Priya Shah", "Hopper Academy")
    sam.say("offer [specialist staff] Two physics teachers for A-level practicals")
    priya.say("request [specialist staff] A-level physics practicals for Year 12")
    with kept.db.transaction() as session:
        assert session.exec(select(func.count()).select_from(Match)).one() == 0  # nobody waited for matching
    await delivery.tick()
    told = {(address.user_id, message.title) for address, message in slack_inbox.delivered}
    assert ("U-SamPatel", "A-level physics practicals for Year 12: your offer could meet it (M1)") in told
    assert (
        "U-PriyaShah",
        "Two physics teachers for A-level practicals: St Ada's School could meet your request (M1)",
    ) in told
    await delivery.tick()
    assert len(slack_inbox.delivered) == 2  # told once


async def test_daily_upkeep_forgets_old_inbound_ids(
    person: Join, kept: Kept, delivery: DeliveryLoop, clock: MovableClock
) -> None:
    sam = person("Sam Patel", "St Ada's School")
    kept.handle(sam.caller, "board", inbound_id="Ev-OLD")
    clock.advance(timedelta(days=3))
    kept.handle(sam.caller, "board", inbound_id="Ev-NEW")
    await delivery.tick()
    with kept.db.transaction() as session:
        assert sorted(session.exec(select(InboundReceipt.inbound_id)).all()) == ["Ev-NEW"]
