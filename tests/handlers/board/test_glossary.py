"""A network's own words for matching (`words`): leads add and take back, everyone sees them, matching reads them."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from handlers.board import matching
from storage.models import Listing, NetworkWord
from tests.harness.world import World


def _ranked(world: World, request: int) -> list[int]:
    with world.db.transaction() as session:
        return [c.offer.id or 0 for c in matching.rank(session, session.get(Listing, request), date(2026, 11, 23))]


def test_a_lead_s_own_words_make_matching_read_them_as_one_idea(world: World) -> None:
    offer = world.listing("grace", "offer", "A Welsh teacher on Tuesdays", "specialist-staff")
    request = world.listing("ada", "request", "Cymraeg lessons for Year 7", "specialist-staff")
    assert _ranked(world, request) == []
    reply = world.say("charles", "words Welsh = Cymraeg, Welsh language")
    assert reply.ok and reply.title == "Noted: Welsh = Cymraeg, Welsh language."
    assert _ranked(world, request) == [offer]
    with world.db.transaction() as session:
        (found,) = matching.rank(session, session.get(Listing, request), date(2026, 11, 23))
    assert found.reason == "Cymraeg"  # a capital the idea has is kept
    shown = world.say("alan", "words")
    assert shown.title == "Your network's own words" and shown.text == "Welsh = Cymraeg, Welsh language"


def test_words_that_join_an_idea_kept_knows_say_so(world: World) -> None:
    pool = world.listing("grace", "offer", "Lane time in our pool", "facilities")
    request = world.listing("ada", "request", "Aquatics for Year 3", "other", given=False)
    reply = world.say("ada", "words aquatics = swimming")
    assert reply.title == "Noted: aquatics = swimming (Kept already knew it as swimming)."
    assert _ranked(world, request) == [pool]


def test_only_leads_add_or_take_back_words_and_bad_input_changes_nothing(world: World) -> None:
    refused = world.say("mary", "words DT = design technology")
    assert not refused.ok and "lead" in refused.title
    for said, answer in [
        ("words DT design technology", "I need an `=` between the idea and its words."),
        ("words DT =  , ", "Please list the words that mean DT, separated by commas."),
        ("words = design technology", "Please give the idea a name of up to 60 letters."),
        ("words forget Esperanto", "Your network has no words of its own for `Esperanto`."),
    ]:
        reply = world.say("ada", said)
        assert not reply.ok and reply.title.startswith(answer), reply.title
    with world.db.transaction() as session:
        assert session.exec(select(NetworkWord)).all() == []


def test_a_lead_takes_words_back(world: World) -> None:
    world.say("ada", "words DT = design technology, D&T")
    assert world.say("mary", "words forget DT").ok is False
    reply = world.say("grace", "words forget dt")
    assert reply.ok and reply.title == "Done: matching no longer reads your network's words for DT as one idea."
    empty = world.say("mary", "words")
    assert empty.title == "Your network has no words of its own yet."
