"""The insight features wired into the everyday verbs: posting, delivering and planning, through Kept.handle."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from handlers.board import matching
from handlers.outbound import upkeep
from storage.models import ChecklistItem, Commitment, Listing, Match, Notification
from tests.harness.world import World, buttons, notices_in


def _notices(world: World) -> list[Notification]:
    return notices_in(world.db)


def test_a_new_request_is_matched_at_once_and_both_leads_hear(world: World) -> None:
    assert world.say("alan", "offer [specialist staff] A-level physics practicals in our labs").ok
    assert world.say("mary", "request [specialist staff] A-level physics practicals for Year 12").ok
    with world.db.transaction() as session:
        assert session.exec(select(Match)).all() == []  # found by the scheduler's scan, not while Mary waits
        upkeep.every_tick(session, world.now)
    with world.db.transaction() as session:
        assert matching.scan_new_listings(session, world.now) == 0  # the offer and the request were both scanned
        match = session.exec(select(Match)).one()
        request = session.get(Listing, match.request_id)
    assert request.expires_on == date(2026, 12, 18)  # the end of the autumn term
    told = {n.member_id: buttons(n) for n in _notices(world)}
    assert told == {world.members["ada"]: [f"accept M{match.id}"], world.members["grace"]: []}
    reply = world.say("ada", f"accept M{match.id}")
    assert reply.ok and reply.title.startswith("Accepted: Hopper Academy will deliver to St Ada's School")


def test_done_asks_the_receiving_lead_to_confirm_and_confirm_closes_the_loop(world: World) -> None:
    cid = world.commitment("mary", "Hopper Academy", "Two A-level physics practicals")
    assert world.say("mary", f"done C{cid}").ok
    (asked,) = [n for n in _notices(world) if n.dedupe_key.startswith("confirm:")]
    assert asked.member_id == world.members["grace"]
    (press,) = buttons(asked)
    assert world.say("grace", press).ok
    with world.db.transaction() as session:
        assert session.get(Commitment, cid).confirmed_at == world.now


def test_planning_a_session_gives_it_the_logistics_checklist(world: World) -> None:
    reply = world.say("mary", "session Year 6 science day on 8/7/2027 10am at St Ada's School with Hopper Academy")
    assert reply.ok, reply.title
    with world.db.transaction() as session:
        items = session.exec(select(ChecklistItem.item)).all()
    assert len(items) == 6 and "risk assessment" in items
