"""One network across Slack and Teams: a lead's invite code, and `link` from the other platform."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from storage.models import ChatTenant, InviteCode, School
from tests.harness.people import Join

TEAMS = {"platform": "teams", "tenant": "5b7e4a2c-hopper"}


def code_from(title: str) -> str:
    found = re.search(r"\b([A-Z2-9]{8})\b", title)
    assert found, title
    return found.group(1)


def test_a_lead_invites_and_a_teams_school_links_into_the_same_network(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")
    invite = sam.say("invite")
    grace = person("Grace Hopper", **TEAMS)

    linked = grace.say(f"link {code_from(invite.title)}")
    grace.say("join Hopper Academy")

    assert linked.ok and "Linked" in linked.title and "Microsoft Teams organisation" in linked.title
    with kept.db.transaction() as session:
        schools = session.exec(select(School)).all()
    assert len({s.network_id for s in schools}) == 1
    promised = sam.say("promise a physics masterclass to Hopper Academy by Friday")
    assert promised.ok, promised.title


def test_codes_are_short_lived_and_written_for_reading_aloud(person: Join, kept: Kept) -> None:
    sam = person("Sam Patel", "St Ada's School")

    code = code_from(sam.say("invite").title)

    with kept.db.transaction() as session:
        invitation = session.exec(select(InviteCode)).one()
    assert invitation.code == code and len(code) == 8
    assert not set(code) & set("01OI")
    assert invitation.expires_at - kept.clock.now() == timedelta(hours=48)


def test_only_a_lead_may_invite(person: Join) -> None:
    person("Sam Patel", "St Ada's School")
    ola = person("Ola Brown", "St Ada's School")

    reply = ola.say("invite")

    assert not reply.ok and "lead" in reply.title


def test_an_expired_code_is_refused_kindly(person: Join, clock: MovableClock) -> None:
    code = code_from(person("Sam Patel", "St Ada's School").say("invite").title)
    clock.advance(timedelta(hours=49))

    reply = person("Grace Hopper", **TEAMS).say(f"link {code}")

    assert not reply.ok and "expired" in reply.title


def test_a_code_works_once(person: Join) -> None:
    code = code_from(person("Sam Patel", "St Ada's School").say("invite").title)
    person("Grace Hopper", **TEAMS).say(f"link {code}")

    reply = person("Ada Lovelace", platform="teams", tenant="another-tenant").say(f"link {code.lower()}")

    assert not reply.ok and "already been used" in reply.title


def test_an_unknown_code_is_refused(person: Join) -> None:
    reply = person("Grace Hopper", **TEAMS).say("link NOTACODE")

    assert not reply.ok and "don't recognise" in reply.title


def test_a_tenant_that_already_has_schools_elsewhere_is_not_moved(person: Join, kept: Kept) -> None:
    code = code_from(person("Sam Patel", "St Ada's School").say("invite").title)
    grace = person("Grace Hopper", "Hopper Academy", **TEAMS)

    reply = grace.say(f"link {code}")

    assert not reply.ok and "already has schools" in reply.title
    with kept.db.transaction() as session:
        assert session.exec(select(InviteCode)).one().used_at is None, "a refused link leaves the code usable"
        networks = {t.platform: t.network_id for t in session.exec(select(ChatTenant)).all()}
    assert networks["teams"] != networks["slack"]


def test_linking_the_workspace_that_made_the_code_changes_nothing(person: Join) -> None:
    sam = person("Sam Patel", "St Ada's School")
    code = code_from(sam.say("invite").title)

    reply = person("Ola Brown").say(f"link {code}")

    assert not reply.ok and "already part of that network" in reply.title
