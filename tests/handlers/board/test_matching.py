"""Matching offers to requests: ranking, reasons, strong-match notices, accepting, expiry and renewal."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from handlers.board import expiry, matching
from handlers.board.wording import key_words, stem
from storage.models import Commitment, Listing, Match, Notification
from tests.harness.world import World, buttons, notices_in


def test_words_drop_stop_words_and_stem_plurals() -> None:
    assert stem("practicals") == "practical"
    assert stem("visits") == "visit"
    assert stem("minibus") == "minibus"
    assert list(key_words("We need two A-level physics practicals for our pupils")) == [
        "two",
        "a-level",
        "physic",
        "practical",
        "pupil",
    ]


def test_offers_rank_by_category_then_words_then_closeness(world: World) -> None:
    world.partnership("Physics Link", "St Ada's School", "Lovelace Primary")
    request = world.listing("ada", "request", "A-level physics practicals for Year 12", "specialist-staff")
    hopper = world.listing("grace", "offer", "Our physics technician can run A-level practicals", "specialist-staff")
    lovelace = world.listing("charles", "offer", "A physics teacher for one afternoon", "specialist-staff")
    words_only = world.listing("alan", "offer", "Spare physics kit to lend", "facilities")
    unrelated = world.listing("alan", "offer", "Our minibus on Fridays", "shared-services")
    own_school = world.listing("mary", "offer", "A-level physics practicals", "specialist-staff")
    with world.db.transaction() as session:
        ranked = matching.rank(session, session.get(Listing, request), date(2026, 11, 23))
    order = [c.offer.id for c in ranked]
    assert order == [hopper, lovelace, words_only]
    assert unrelated not in order and own_school not in order
    assert ranked[0].reason == "same category: specialist staff; both mention A-level physics practicals"
    assert ranked[1].reason == (
        "same category: specialist staff; both mention physics; your schools already work together in Physics Link"
    )


def test_a_school_two_steps_away_ranks_above_a_stranger(world: World) -> None:
    world.partnership("Transition", "St Ada's School", "Lovelace Primary")
    world.partnership("Primary Sport", "Lovelace Primary", "Hopper Academy")
    request = world.listing("charles", "request", "Year 6 transition visits", "primary-visits")
    far = world.listing("ada", "offer", "Year 6 transition visits to our labs", "primary-visits")
    with world.db.transaction() as session:
        near = matching.closeness(session, world.school("St Ada's School"))
        assert near[world.school("Lovelace Primary")] == (1, "Transition")
        assert near[world.school("Hopper Academy")] == (2, "Primary Sport")
        ranked = matching.rank(session, session.get(Listing, request), date(2026, 11, 23))
    assert [c.offer.id for c in ranked] == [far]


def test_expired_offers_are_not_matched(world: World) -> None:
    request = world.listing("ada", "request", "A minibus for a trip", "shared-services")
    world.listing("grace", "offer", "Our minibus", "shared-services", expires_on=date(2026, 11, 20))
    with world.db.transaction() as session:
        assert matching.rank(session, session.get(Listing, request), date(2026, 11, 23)) == []


def test_match_lists_offers_with_accept_buttons_and_stores_them(world: World) -> None:
    request = world.listing("ada", "request", "A-level physics practicals for Year 12", "specialist-staff")
    offer = world.listing("grace", "offer", "Our technician can run A-level physics practicals", "specialist-staff")
    reply = world.say("mary", "match")
    assert reply.ok, reply.title
    section = reply.sections[0]
    with world.db.transaction() as session:
        stored = session.exec(select(Match)).one()
    assert (stored.request_id, stored.offer_id) == (request, offer)
    assert section.text == f"Our technician can run A-level physics practicals — from Hopper Academy (M{stored.id})"
    assert section.actions[0].command == f"accept M{stored.id}"
    assert "both mention A-level physics practicals" in section.fields[0].value


def test_a_strong_match_is_told_privately_to_both_leads_once(world: World) -> None:
    world.listing("ada", "request", "A-level physics practicals for Year 12", "specialist-staff")
    world.listing("grace", "offer", "Our technician can run A-level physics practicals", "specialist-staff")
    world.say("mary", "match")
    world.say("ada", "match")
    told = notices_in(world.db, "match_notice")
    assert sorted(n.member_id for n in told) == sorted([world.members["ada"], world.members["grace"]])
    to_grace = next(n for n in told if n.member_id == world.members["grace"])
    to_ada = next(n for n in told if n.member_id == world.members["ada"])
    assert to_grace.payload["title"].endswith("your offer could meet it (M1)")
    assert buttons(to_grace) == []  # only the school that asked accepts
    assert buttons(to_ada) == ["accept M1"]


def test_a_weak_match_is_listed_but_not_announced(world: World) -> None:
    world.listing("ada", "request", "Someone to judge our debate final", "enrichment")
    world.listing("grace", "offer", "Judges for a poetry competition", "advice")
    reply = world.say("ada", "match")
    assert reply.ok and reply.sections
    with world.db.transaction() as session:
        assert session.exec(select(Notification)).all() == []


def test_accepting_a_match_makes_a_commitment_from_the_offering_school(world: World) -> None:
    request = world.listing(
        "ada", "request", "A-level physics practicals for Year 12", "specialist-staff", expires_on=date(2026, 12, 11)
    )
    offer = world.listing("alan", "offer", "A-level physics practicals in our labs", "specialist-staff")
    world.say("ada", "match")
    with world.db.transaction() as session:
        match_id = session.exec(select(Match.id)).one()
    reply = world.say("ada", f"accept M{match_id}")
    assert reply.ok, reply.title
    assert reply.title.startswith("Accepted: Hopper Academy will deliver to St Ada's School")
    told = notices_in(world.db, "accepted")
    with world.db.transaction() as session:
        commitment = session.exec(select(Commitment)).one()
        assert commitment.from_school_id == world.school("Hopper Academy")
        assert commitment.to_school_id == world.school("St Ada's School")
        assert commitment.owner_id == world.members["alan"]
        assert commitment.match_id == match_id
        assert commitment.due_at.date() == date(2026, 12, 11)
        assert session.get(Listing, request).status == "matched"
        assert session.get(Listing, offer).status == "open"
        nudges = session.exec(select(Notification).where(Notification.kind == "nudge")).all()
    assert [(n.member_id, buttons(n)) for n in told] == [(world.members["alan"], [f"done C{commitment.id}"])]
    assert {n.member_id for n in nudges} == {world.members["alan"]}  # the new promise is nudged like any other
    again = world.say("ada", f"accept M{match_id}")
    assert not again.ok and "already been accepted" in again.title


def test_a_third_school_cannot_accept_someone_elses_match(world: World) -> None:
    world.listing("ada", "request", "A-level physics practicals", "specialist-staff")
    world.listing("grace", "offer", "A-level physics practicals", "specialist-staff")
    world.say("ada", "match")
    with world.db.transaction() as session:
        match_id = session.exec(select(Match.id)).one()
    for outsider in ("charles", "grace"):  # a third school, and the offering school itself
        reply = world.say(outsider, f"accept M{match_id}")
        assert not reply.ok and reply.title == "Only the school that asked can accept a match for its request."
    with world.db.transaction() as session:
        assert session.exec(select(Commitment)).all() == []


def test_listings_default_to_the_end_of_term(world: World) -> None:
    assert expiry.default_expiry(date(2026, 11, 23)) == date(2026, 12, 18)
    assert expiry.default_expiry(date(2027, 2, 1)) == date(2027, 3, 19)  # the Friday before the Easter fortnight


def test_the_owner_is_told_a_week_before_expiry_and_can_renew_with_one_press(world: World) -> None:
    offer = world.listing("alan", "offer", "Our minibus on Fridays", "shared-services", expires_on=date(2026, 11, 27))
    world.listing("grace", "offer", "Choir workshop", "enrichment", expires_on=date(2027, 1, 29))
    with world.db.transaction() as session:
        assert expiry.remind_expiring(session, world.now) == 1
        assert expiry.remind_expiring(session, world.now) == 0
        told = session.exec(select(Notification)).one()
    assert told.member_id == world.members["alan"]
    assert buttons(told) == [f"renew O{offer}"] and told.kind == "expiry"
    assert world.say("mary", f"renew O{offer}").ok is False
    reply = world.say("alan", f"renew O{offer}")
    assert reply.ok, reply.title
    with world.db.transaction() as session:
        assert session.get(Listing, offer).expires_on == date(2026, 12, 18)


def test_expired_listings_leave_the_board(world: World) -> None:
    offer = world.listing("alan", "offer", "Our minibus on Fridays", "shared-services", expires_on=date(2026, 11, 20))
    world.clock.advance(timedelta(hours=1))
    with world.db.transaction() as session:
        assert expiry.expire_listings(session, world.now) == 1
        assert session.get(Listing, offer).status == "expired"


def test_matching_runs_the_same_on_postgresql(both_worlds: World) -> None:
    world = both_worlds
    request = world.listing("ada", "request", "100% A-level physics_practicals", "specialist-staff")
    offer = world.listing("grace", "offer", "A-level physics practicals", "specialist-staff")
    with world.db.transaction() as session:
        ranked = matching.rank(session, session.get(Listing, request), date(2026, 11, 23))
    assert [c.offer.id for c in ranked] == [offer]


def test_a_new_offer_finds_the_requests_it_could_meet(world: World) -> None:
    request = world.listing("charles", "request", "Year 6 transition visits to a secondary lab", "primary-visits")
    offer = world.listing("mary", "offer", "Year 6 transition visits: a morning in our labs", "primary-visits")
    with world.db.transaction() as session:
        matching.suggest_for_listing(session, session.get(Listing, offer), world.now)
        stored = session.exec(select(Match)).one()
        told = session.exec(select(Notification)).all()
    assert (stored.request_id, stored.offer_id) == (request, offer)
    assert sorted(n.member_id for n in told) == sorted([world.members["charles"], world.members["ada"]])


def test_a_school_with_offers_but_no_requests_sees_the_requests_it_could_meet(world: World) -> None:
    world.listing("ada", "request", "A-level physics practicals for Year 12", "specialist-staff")
    world.listing("alan", "offer", "A-level physics practicals in our labs", "specialist-staff")
    reply = world.say("alan", "match")
    assert reply.ok and reply.title == "Requests your offers could meet"
    (section,) = reply.sections
    assert section.text == "A-level physics practicals for Year 12 — asked by St Ada's School (M1)"
    assert section.actions == ()  # the school that asked accepts
