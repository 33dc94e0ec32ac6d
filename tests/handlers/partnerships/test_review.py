"""`review`: a lead's link to the term's review, what it opens, and when it stops opening."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from handlers.messages import Message
from handlers.outbound import upkeep
from handlers.partnerships.review import ReviewView, open_review, page_of
from storage.models import Member, Notification, ReviewLink
from tests.harness.term import term_of_work
from tests.harness.world import World, buttons


def _asked(world: World, who: str = "ada", text: str = "review") -> tuple[Message, int]:
    reply = world.say(who, text)
    assert reply.ok, reply.title
    (attachment,) = reply.attachments
    found = page_of(attachment)
    assert found is not None
    return reply, found[0]


def _keyed(prefix: str) -> Any:
    return col(Notification.dedupe_key).startswith(prefix)


def _open(world: World, link_id: int) -> ReviewView | str:
    with world.db.transaction() as session:
        return open_review(session, link_id, world.now, lambda link: True)


def test_a_lead_gets_a_link_to_this_terms_review_for_two_weeks(both_worlds: World) -> None:
    world = both_worlds
    term_of_work(world)
    reply, link_id = _asked(world)
    assert reply.title == "Here's the review of Physics Link for the Autumn term 2026."
    assert ("Link open until", "Mon 7 Dec 2026") in [(f.label, f.value) for f in reply.fields]
    assert reply.attachments[0].label == "Open the review"
    view = _open(world, link_id)
    assert isinstance(view, ReviewView)
    figures = view.figures
    assert (len(figures.delivered), len(figures.held), figures.pupils, len(figures.thanked)) == (3, 1, 28, 1)
    assert (view.school, view.lead) == ("St Ada's School", "Ada Byron")
    assert set(figures.names.values()) == {"St Ada's School", "Hopper Academy"}
    with world.db.transaction() as session:
        (link,) = session.exec(select(ReviewLink)).all()
    assert (link.member_id, link.term) == (world.members["ada"], "autumn-2026")


def test_staff_are_pointed_to_their_lead_and_get_no_link(world: World) -> None:
    term_of_work(world)
    reply = world.say("mary", "review")
    assert not reply.ok
    assert reply.title.startswith("Only a school's partnership lead can share a partnership's review.")
    with world.db.transaction() as session:
        assert session.exec(select(ReviewLink)).all() == []


def test_a_lead_outside_the_partnership_is_refused(world: World) -> None:
    term_of_work(world)
    reply = world.say("charles", "review Physics Link")
    assert not reply.ok and reply.title == "Lovelace Primary isn't part of Physics Link."


def test_another_term_by_name_and_a_misspelt_term_kindly_refused(world: World) -> None:
    term_of_work(world)
    reply, link_id = _asked(world, text="review Physics Link Spring 2027")
    assert reply.title == "Here's the review of Physics Link for the Spring term 2027."
    view = _open(world, link_id)
    assert isinstance(view, ReviewView) and view.figures.quiet and view.figures.weeks == []
    wrong = world.say("ada", "review Physics Link michaelmas-2026")
    assert not wrong.ok and wrong.title == "I couldn't read the term `michaelmas-2026`. Try autumn-2026 or spring-2027."


def test_a_link_stops_opening_when_it_expires(world: World) -> None:
    term_of_work(world)
    _, link_id = _asked(world)
    world.clock.advance(timedelta(days=13, hours=23))
    assert isinstance(_open(world, link_id), ReviewView)
    world.clock.advance(timedelta(hours=1))
    assert _open(world, link_id) == "expired"


def test_revoking_stops_every_link_the_lead_shared(world: World) -> None:
    term_of_work(world)
    _, first = _asked(world)
    _, second = _asked(world, text="review Physics Link spring-2027")
    _, hers = _asked(world, who="grace")
    reply = world.say("ada", "review revoke")
    assert reply.title == "Done: 2 review links will no longer open."
    assert (_open(world, first), _open(world, second)) == ("revoked", "revoked")
    assert isinstance(_open(world, hers), ReviewView)  # Grace's own link is hers to stop
    assert world.say("ada", "review revoke").title == "You have no review links open, so there's nothing to stop."


def test_a_link_ends_with_its_leads_role(world: World) -> None:
    term_of_work(world)
    _, link_id = _asked(world)
    with world.db.transaction() as session:
        ada = session.get(Member, world.members["ada"])
        ada.role = "staff"
    assert _open(world, link_id) == "ended"


def test_a_link_that_is_not_genuine_opens_nothing(world: World) -> None:
    term_of_work(world)
    _, link_id = _asked(world)
    with world.db.transaction() as session:
        assert open_review(session, link_id, world.now, lambda link: False) == "unknown"
        assert open_review(session, link_id + 99, world.now, lambda link: True) == "unknown"


def test_key_person_risk_shows_only_on_the_lead_of_that_persons_school(world: World) -> None:
    term_of_work(world)
    for n in range(4):
        world.commitment("mary", "Hopper Academy", f"Physics lesson {n}")
    _, ada_link = _asked(world)
    _, grace_link = _asked(world, who="grace")
    ada_view, grace_view = _open(world, ada_link), _open(world, grace_link)
    assert isinstance(ada_view, ReviewView) and isinstance(grace_view, ReviewView)
    assert ada_view.risk is not None and (ada_view.risk.name, ada_view.risk.holds) == ("Mary Somerville", 4)
    assert grace_view.risk is None


def test_weeks_and_depth_follow_the_term(world: World) -> None:
    term_of_work(world)
    assert world.say("ada", "stage Physics Link co-operation").ok
    world.clock.advance(timedelta(days=7))
    _, link_id = _asked(world)
    view = _open(world, link_id)
    assert isinstance(view, ReviewView)
    weeks, depth = view.figures.weeks, view.figures.depth
    assert weeks[0].starts == date(2026, 8, 31) and weeks[-1].starts == date(2026, 11, 30)
    assert sum(w.kept for w in weeks) == 3
    assert [w.kept for w in weeks if w.starts >= date(2026, 11, 9)] == [1, 2, 0, 0]
    assert depth[-1].recorded == "co-operation" and depth[0].recorded == "networking"
    assert depth[0].suggested == "co-ordination" and depth[-1].suggested == view.figures.stage[0] == "co-operation"


def test_a_partnership_with_nothing_yet_is_quiet_not_broken(world: World) -> None:
    world.partnership("Chess Club", "St Ada's School", "Lovelace Primary")
    _, link_id = _asked(world, text="review Chess Club")
    view = _open(world, link_id)
    assert isinstance(view, ReviewView)
    assert view.figures.quiet and view.figures.stage[0] == "networking" and view.risk is None


@pytest.mark.parametrize(("day", "offered"), [(date(2026, 12, 10), False), (date(2026, 12, 14), True)])
def test_leads_are_offered_the_review_in_the_last_week_of_term(world: World, day: date, offered: bool) -> None:
    term_of_work(world)
    world.clock.set(datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=7))
    for _ in range(2):  # once a term, however often the daily upkeep runs
        with world.db.transaction() as session:
            upkeep.daily(session, world.now)
    with world.db.transaction() as session:
        rows = session.exec(select(Notification).where(_keyed("review-term:"))).all()
    assert len(rows) == (2 if offered else 0)
    if offered:
        assert {r.member_id for r in rows} == {world.members["ada"], world.members["grace"]}
        assert buttons(rows[0]) == ["review Physics Link autumn-2026"]


def test_the_mou_review_reminder_offers_review_not_a_server_command(world: World) -> None:
    term_of_work(world)
    assert world.say("ada", "mou Physics Link set review 1/3/2027").ok
    with world.db.transaction() as session:
        (reminder, _) = session.exec(select(Notification).where(_keyed("mou-review:"))).all()
    assert reminder.payload["title"] == "Physics Link's MoU is due for review on Mon 1 Mar 2027."
    assert "kept report" not in reminder.payload["text"]
    assert buttons(reminder)[0] == "review Physics Link spring-2027"
