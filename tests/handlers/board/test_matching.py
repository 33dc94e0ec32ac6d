"""Matching offers to requests: ranking, reasons, the honest empty answer, notices, accepting, expiry, renewal."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from handlers.board import expiry, matching
from handlers.outbound import upkeep
from storage.models import Commitment, Listing, Match, Notification
from tests.harness.world import World, buttons, notices_in

MONDAY = date(2026, 11, 23)


def _ranked(world: World, request: int) -> list[matching.Candidate]:
    with world.db.transaction() as session:
        return matching.rank(session, session.get(Listing, request), MONDAY)


def test_the_offer_that_meets_more_of_the_request_ranks_first_and_closeness_orders_the_rest(world: World) -> None:
    world.partnership("Physics Link", "St Ada's School", "Lovelace Primary")
    request = world.listing("ada", "request", "A-level physics practicals for Year 12", "specialist-staff")
    hopper = world.listing("grace", "offer", "Our physics technician can run A-level practicals", "specialist-staff")
    lovelace = world.listing("charles", "offer", "Physics practicals in our labs, any year group", "facilities")
    stranger = world.listing("alan", "offer", "Physics practicals for a visiting group", "enrichment")
    unrelated = world.listing("alan", "offer", "Our minibus on Fridays", "shared-services")
    own_school = world.listing("mary", "offer", "A-level physics practicals", "specialist-staff")
    ranked = _ranked(world, request)
    assert [c.offer.id for c in ranked] == [hopper, lovelace, stranger]
    assert unrelated not in [c.offer.id for c in ranked] and own_school not in [c.offer.id for c in ranked]
    assert ranked[0].reason == "physics practicals, for A-level"
    assert ranked[1].reason == "physics practicals; your schools already work together in Physics Link"


def test_a_school_two_steps_away_ranks_above_a_stranger(world: World) -> None:
    world.partnership("Transition", "St Ada's School", "Lovelace Primary")
    world.partnership("Primary Sport", "Lovelace Primary", "Hopper Academy")
    request = world.listing("charles", "request", "Year 6 transition visits", "primary-visits")
    far = world.listing("ada", "offer", "Year 6 transition visits to our labs", "primary-visits")
    with world.db.transaction() as session:
        near = matching.closeness(session, world.school("St Ada's School"))
        assert near[world.school("Lovelace Primary")] == (1, "Transition")
        assert near[world.school("Hopper Academy")] == (2, "Primary Sport")
    assert [c.offer.id for c in _ranked(world, request)] == [far]


def test_synonyms_find_offers_written_in_other_words(both_worlds: World) -> None:
    world = both_worlds
    latin = world.listing("grace", "offer", "A Latin teacher on Thursday afternoons for GCSE", "specialist-staff")
    pool = world.listing("grace", "offer", "Lane time in our pool on Friday mornings", "facilities")
    inset = world.listing("grace", "offer", "Places on our staff training day in January", "staff-development")
    classics = world.listing("ada", "request", "A classics tutor for Year 10, ideally Thursdays", "other", given=False)
    swimming = world.listing("ada", "request", "Swimming lessons for Year 4", "other", given=False)
    training = world.listing("ada", "request", "Could our teachers join another school's INSET?", "other", given=False)
    assert [c.offer.id for c in _ranked(world, classics)] == [latin]
    assert [c.offer.id for c in _ranked(world, swimming)] == [pool]
    assert [c.offer.id for c in _ranked(world, training)] == [inset]
    assert _ranked(world, classics)[0].reason == "classics tutor, Thursdays, for Year 10"
    assert _ranked(world, swimming)[0].reason == "swimming"  # not "Swimming": it only began the request


def test_a_shared_common_word_or_a_near_miss_is_no_match(world: World) -> None:
    """The traps from issue 16: a word in common, a different need."""
    world.listing("grace", "offer", "Year 6 taster day: science, art and PE lessons", "primary-visits")
    world.listing("grace", "offer", "Floodlit 3G pitch for football or rugby training", "facilities")
    world.listing("grace", "offer", "Used A-level physics textbooks, free to collect", "other", given=False)
    nets = world.listing("ada", "request", "Cricket nets for Year 6 after school", "facilities")
    invigilation = world.listing("ada", "request", "Invigilator training for our support staff", "staff-development")
    physics = world.listing("ada", "request", "An A-level physics teacher for one student", "specialist-staff")
    assert [_ranked(world, r) for r in (nets, invigilation, physics)] == [[], [], []]


def test_a_category_the_person_gave_counts_and_a_guessed_one_only_orders(world: World) -> None:
    request = world.listing("ada", "request", "Clay and a kiln for a pottery project", "facilities")
    guessed = world.listing("grace", "offer", "Pottery wheels and a kiln", "facilities", given=False)
    given = world.listing("alan", "offer", "A kiln and pottery wheels", "facilities", age_days=1)
    other = world.listing("charles", "offer", "Kiln and pottery wheels", "enrichment", age_days=2)
    ranked = _ranked(world, request)
    assert [c.offer.id for c in ranked] == [given, guessed, other]
    assert round(ranked[0].score - ranked[2].score, 3) == 0.1  # both people chose the category
    assert round(ranked[1].score - ranked[2].score, 3) == 0.04  # Kept guessed one of them


def test_expired_offers_are_not_matched(world: World) -> None:
    request = world.listing("ada", "request", "A minibus for a trip", "shared-services")
    world.listing("grace", "offer", "Our minibus", "shared-services", expires_on=date(2026, 11, 20))
    assert _ranked(world, request) == []


def test_match_lists_offers_with_accept_buttons_and_stores_them(world: World) -> None:
    request = world.listing("ada", "request", "A-level physics practicals for Year 12", "specialist-staff")
    offer = world.listing("grace", "offer", "Our technician can run A-level physics practicals", "specialist-staff")
    reply = world.say("mary", "match")
    assert reply.ok, reply.title
    section = reply.sections[0]
    with world.db.transaction() as session:
        stored = session.exec(select(Match)).one()
    assert (stored.request_id, stored.offer_id) == (request, offer)
    assert section.text == (
        f"Our technician can run A-level physics practicals — from Hopper Academy (M{stored.id}, for R{request})"
    )
    assert section.actions[0].command == f"accept M{stored.id}"
    assert section.fields[0].value == "physics practicals, for A-level"


def test_when_nothing_fits_match_says_so_and_the_lead_hears_when_something_does(world: World) -> None:
    request = world.listing("ada", "request", "A Mandarin teacher for a Year 9 group", "specialist-staff")
    world.listing("grace", "offer", "French teacher for an after-school club", "specialist-staff")
    reply = world.say("mary", "match")
    assert reply.ok and not reply.sections
    assert reply.title == f"Nothing fits R{request} well yet."
    assert "I'll tell your lead when a good match comes in" in reply.text
    with world.db.transaction() as session:
        assert session.exec(select(Match)).all() == []
    world.listing("alan", "offer", "Our Mandarin teacher could take a Year 9 class", "specialist-staff")
    with world.db.transaction() as session:
        upkeep.every_tick(session, world.now)  # the scheduler's tick
        told = session.exec(select(Notification).where(Notification.member_id == world.members["ada"])).one()
    assert (
        told.payload["title"]
        == "Our Mandarin teacher could take a Year 9 class: Hopper Academy could meet your request (M1)"
    )
    assert told.payload["text"].startswith("Why: Mandarin teacher, for Year 9. Accepting makes it Hopper Academy's")


def test_match_names_the_requests_nothing_fits_yet_beside_those_with_offers(world: World) -> None:
    met = world.listing("ada", "request", "A minibus for a trip to the coast", "shared-services")
    unmet = world.listing("ada", "request", "Someone to tune our piano", "other", given=False)
    world.listing("grace", "offer", "Our minibus on Fridays", "shared-services")
    reply = world.say("ada", "match")
    assert [s.text.rsplit("for ", 1)[1].rstrip(")") for s in reply.sections] == [f"R{met}"]
    assert reply.text == f"Nothing fits R{unmet} well yet; I'll tell your lead when something does."


def test_a_good_match_is_told_privately_to_both_leads_once_by_the_scheduler(world: World) -> None:
    world.listing("ada", "request", "A-level physics practicals for Year 12", "specialist-staff")
    world.listing("grace", "offer", "Our technician can run A-level physics practicals", "specialist-staff")
    world.say("mary", "match")
    with world.db.transaction() as session:
        assert session.exec(select(Notification)).all() == []  # `match` answers; the tick tells the leads
        assert matching.tell_new_matches(session, world.now) == 1
    world.say("ada", "match")
    with world.db.transaction() as session:
        assert matching.tell_new_matches(session, world.now) == 0
    told = notices_in(world.db, "match_notice")
    assert sorted(n.member_id for n in told) == sorted([world.members["ada"], world.members["grace"]])
    to_grace = next(n for n in told if n.member_id == world.members["grace"])
    to_ada = next(n for n in told if n.member_id == world.members["ada"])
    assert to_grace.payload["title"].endswith("your offer could meet it (M1)")
    assert buttons(to_grace) == []  # only the school that asked accepts
    assert buttons(to_ada) == ["accept M1"]


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
    request = world.listing("ada", "request", "100% A-level physics_practicals (Year 12/13)", "specialist-staff")
    offer = world.listing("grace", "offer", "A-level physics practicals", "specialist-staff")
    ranked = _ranked(world, request)
    assert [c.offer.id for c in ranked] == [offer]
    assert ranked[0].reason == "physics practicals, for A-level"


def test_a_new_offer_finds_the_requests_it_could_meet(world: World) -> None:
    request = world.listing("charles", "request", "Year 6 transition visits to a secondary lab", "primary-visits")
    offer = world.listing("mary", "offer", "Year 6 transition visits: a morning in our labs", "primary-visits")
    with world.db.transaction() as session:
        matching.suggest_for_listing(session, session.get(Listing, offer), world.now)
        matching.tell_new_matches(session, world.now)
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
