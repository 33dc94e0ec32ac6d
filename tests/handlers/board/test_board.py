"""Offers and requests: categorised from what people write, and listed on the network's board."""

from __future__ import annotations

from sqlmodel import func, select

from handlers.dispatch import Kept
from storage.models import Listing, LogEntry, Member
from tests.harness.people import Join


def test_an_offer_is_categorised_from_its_words_and_shows_its_ref(any_person: Join) -> None:
    grace = any_person("Grace Okafor", "St Ada's School")
    reply = grace.say("offer Two physics teachers for A-level practicals")
    assert reply.ok and reply.title.endswith("on the board (O1)")
    assert ("Category", "Specialist staff") in [(f.label, f.value) for f in reply.fields]


def test_a_new_offer_and_request_are_open_and_logged_under_the_refs_people_see(
    any_person: Join, any_kept: Kept
) -> None:
    grace = any_person("Grace Okafor", "St Ada's School")
    grace.say("offer Two physics teachers for A-level practicals")
    grace.say("request [mentoring] someone to coach our new head of year")
    with any_kept.db.transaction() as session:
        listings = session.exec(select(Listing).order_by(Listing.id)).all()  # type: ignore[arg-type]
        entries = session.exec(select(LogEntry).where(LogEntry.action != "join").order_by(LogEntry.id)).all()  # type: ignore[arg-type]
        member = session.exec(select(Member)).one()
    assert [(r.kind, r.status, r.scanned, r.category_given) for r in listings] == [
        ("offer", "open", False, False),
        ("request", "open", False, True),
    ]
    assert [(e.action, e.subject, e.member_id, e.platform) for e in entries] == [
        ("offer", "O1", member.id, "slack"),
        ("request", "R2", member.id, "slack"),
    ]
    assert entries[1].detail == {"category": "mentoring", "text": "someone to coach our new head of year"}
    assert entries[0].network_id == listings[0].network_id


def test_a_category_can_be_given_in_brackets(person: Join) -> None:
    reply = person("Priya Shah", "Hopper Academy").say("ask [mentoring] someone to coach our new head of year")
    assert reply.ok and "on the board (R1)" in reply.title
    assert ("Category", "Mentoring and coaching") in [(f.label, f.value) for f in reply.fields]


def test_an_unknown_category_is_refused_and_nothing_is_logged(person: Join, kept: Kept) -> None:
    reply = person("Priya Shah", "Hopper Academy").say("request [astrology] horoscopes for Year 7")
    assert not reply.ok and "I don't know the category `astrology`" in reply.title
    with kept.db.transaction() as session:
        assert session.exec(select(func.count()).select_from(Listing)).one() == 0


def test_an_offer_with_no_text_opens_the_form(person: Join) -> None:
    reply = person("Grace Okafor", "St Ada's School").say("offer")
    assert reply.form is not None and reply.form.form_id == "offer"
    assert [i.input_id for i in reply.form.inputs] == ["text", "category", "expires_on"]


def test_the_offer_form_shows_what_to_correct(person: Join) -> None:
    grace = person("Grace Okafor", "St Ada's School")
    from handlers.errors import FormErrors

    try:
        grace.submit("offer", {"text": "", "category": "nonsense", "expires_on": "2020-01-01"})
    except FormErrors as exc:
        assert set(exc.errors) == {"text", "category", "expires_on"}
    else:
        raise AssertionError("the form should have been refused")
    reply = grace.submit("offer", {"text": "Our drama studio on Wednesdays", "category": "facilities"})
    assert reply.ok and "on the board (O1)" in reply.title


def test_sql_looking_text_is_stored_as_text(person: Join, kept: Kept) -> None:
    text = "Robert'); DROP TABLE listing;-- needs a chess club"
    assert person("Tom Reed", "Lovelace Primary").say(f"request {text}").ok
    with kept.db.transaction() as session:
        assert session.exec(select(Listing.text)).one() == text


def test_the_board_lists_every_school_s_open_offers_and_requests(person: Join) -> None:
    grace = person("Grace Okafor", "St Ada's School")
    priya = person("Priya Shah", "Hopper Academy")
    grace.say("offer Our minibus can bring Year 6 pupils on Thursdays")
    priya.say("request We need a Latin teacher for two GCSE pupils")
    board = person("Tom Reed", "Lovelace Primary").say("board")
    assert board.title == "The board: 1 open offer, 1 open request"
    texts = [s.text for s in board.sections]
    assert any("St Ada's School: Our minibus" in t for t in texts)
    assert any("Hopper Academy: We need a Latin teacher" in t for t in texts)


def test_someone_who_has_not_joined_is_asked_to_join(person: Join) -> None:
    reply = person("Visitor").say("board")
    assert not reply.ok and "join <your school's name>" in reply.title
