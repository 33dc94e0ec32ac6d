"""Joining a school: the first member leads it; names are matched kindly; nobody joins twice."""

from __future__ import annotations

import io

from sqlmodel import func, select

from bot.export import export
from handlers.dispatch import Kept
from storage.models import Commitment, Identity, LogEntry, Member, School
from tests.harness.people import Join
from tests.harness.traces import erased_names_left


def test_first_member_of_a_school_becomes_its_lead_and_the_next_is_staff(any_person: Join, any_kept: Kept) -> None:
    any_person("Sam Patel", "St Ada's School")
    grace = any_person("Grace Okafor")
    reply = grace.say("join st adas school")
    assert reply.ok and "part of St Ada's School" in reply.title and "lead" not in reply.title
    with any_kept.db.transaction() as session:
        roles = {m.name: m.role for m in session.exec(select(Member))}
        assert roles == {"Sam Patel": "lead", "Grace Okafor": "staff"}
        assert session.exec(select(func.count()).select_from(School)).one() == 1


def test_joining_twice_is_refused_and_changes_nothing(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    reply = sam.say("join Hopper Academy")
    assert not reply.ok and "already part of St Ada's School" in reply.title
    with kept.db.transaction() as session:
        assert session.exec(select(func.count()).select_from(School)).one() == 1


def test_a_school_name_must_be_sensible(person: Join, kept: Kept) -> None:
    someone = person("Sam Patel")
    assert "Please give a school name" in someone.say("join").title
    assert "a little long" in someone.say("join " + "St Ada " * 40).title
    with kept.db.transaction() as session:
        assert session.exec(select(func.count()).select_from(Member)).one() == 0
        assert session.exec(select(func.count()).select_from(LogEntry)).one() == 0


def test_unicode_and_emoji_names_are_kept_as_typed(person: Join, kept: Kept) -> None:
    reply = person("Zoë Brontë").say("join École Saint-Éloi 🏫")
    assert reply.ok and "École Saint-Éloi 🏫" in reply.title
    with kept.db.transaction() as session:
        assert session.exec(select(Identity)).one().display_name == "Zoë Brontë"


def test_schools_in_another_workspace_are_another_network(person: Join) -> None:
    person("Sam Patel", "St Ada's School")
    priya = person("Priya Shah", "Hopper Academy", tenant="T0OTHER")
    reply = priya.say("promise a minibus to St Ada's School by Friday")
    assert not reply.ok and "can't find a school called `St Ada's School`" in reply.title


def test_forget_me_erases_a_member_s_details_after_confirmation_but_keeps_what_was_delivered(
    person: Join, kept: Kept
) -> None:
    person("Sam Patel", "St Ada's School")
    person("Priya Shah", "Hopper Academy")
    grace = person("Grace Okafor", "St Ada's School")
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    assert "open promise" in grace.say("forget me").title
    grace.say("done C1")
    ask = grace.say("forget me")
    assert ask.actions[0].command == "forget me confirm"
    assert grace.say("forget me confirm").ok
    with kept.db.transaction() as session:
        names = {m.name for m in session.exec(select(Member))}
        assert "Grace Okafor" not in names and "Former colleague" in names
        assert session.exec(select(func.count()).select_from(Identity)).one() == 2
    assert "join <your school's name>" in grace.say("mine").title


def test_after_forget_me_no_trace_of_their_name_is_left_in_the_export_or_anywhere(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    priya = person("Priya Shah", "Hopper Academy")
    grace = person("Grace Okafor", "St Ada's School")
    grace.say("promise two physics practicals to Hopper Academy by Friday")
    sam.say("handover Grace Okafor to me")  # a handover names her in the log and in Sam's notices
    sam.say("handover me to Grace Okafor")
    sam.say("session Rocket day on Monday week 10am at Hopper Academy with Hopper Academy")
    sam.say("assign S1 transport to Grace Okafor")  # an assignment makes her the owner of a commitment
    priya.say("request a hand from Grace Okafor with our science fair")  # colleagues write her name too
    grace.say("done C1")
    grace.say("done C2")
    priya.say("thanks C1 Grace Okafor was wonderful")
    assert grace.say("forget me confirm").ok

    out = io.StringIO()
    export(kept.db, out, as_json=True, progress=lambda n: None)
    assert "grace okafor" not in out.getvalue().lower()
    assert erased_names_left(kept.db, {"Grace Okafor"}) == []
    with kept.db.transaction() as session:  # what her school delivered stays on record
        assert session.exec(select(func.count()).select_from(Commitment).where(Commitment.status == "done")).one() == 2
