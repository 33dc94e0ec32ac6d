"""One transaction per command: a crash leaves nothing behind; users see a reference, never a traceback."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import func, select

from handlers import grammar
from handlers.context import Context
from handlers.dispatch import Kept
from handlers.messages import Message
from storage.models import Listing
from tests.harness.people import Join


def _count(kept: Kept) -> int:
    with kept.db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(Listing)).one())


def test_a_crash_mid_command_leaves_no_half_written_record(
    any_person: Join, any_kept: Kept, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    grace = any_person("Grace Okafor", "St Ada's School")

    def offer_then_crash(ctx: Context, args: str) -> Message:
        grammar.board.offer(ctx, args)  # writes the offer and its log entry...
        raise RuntimeError("the power went off")  # ...then the process falls over

    crashing = grammar.Verb("offer", "offer", "offer", offer_then_crash)
    monkeypatch.setattr(grammar, "VERBS", (crashing, *grammar.VERBS[1:]))
    with caplog.at_level(logging.ERROR, logger="kept"):
        reply = grace.say("offer Two physics teachers")
    assert not reply.ok and reply.title.startswith("Sorry, something went wrong on our side (ref ")
    assert "power" not in reply.plain() and "Traceback" not in reply.plain()
    reference = reply.title.split("(ref ")[1].rstrip(").")
    assert any(reference in record.getMessage() for record in caplog.records)
    assert _count(any_kept) == 0


def test_a_retried_delivery_is_done_once(person: Join, kept: Kept) -> None:
    grace = person("Grace Okafor", "St Ada's School")
    first = kept.handle(grace.caller, "offer Two physics teachers", inbound_id="Ev0123")
    again = kept.handle(grace.caller, "offer Two physics teachers", inbound_id="Ev0123")
    assert first.ok and again.title == "Already done: I'd received that one before."
    assert _count(kept) == 1


def test_a_typo_gets_a_did_you_mean_whose_button_runs_the_suggestion_not_the_whole_help(person: Join) -> None:
    reply = person("Grace Okafor").say("promse a minibus")
    assert not reply.ok and reply.title == "Did you mean `promise a minibus`?"
    assert reply.text == "I don't know `promse`. Say `help` to see what I can do."
    assert [(a.label, a.command) for a in reply.actions] == [("Promise", "promise a minibus")]


def test_a_word_like_nothing_kept_knows_points_to_help_in_one_line(person: Join) -> None:
    reply = person("Grace Okafor").say("xylophone")
    assert not reply.ok and reply.title == "Sorry, I don't know `xylophone`."
    assert reply.text == "Say `help` to see what I can do."
    assert [(a.label, a.command) for a in reply.actions] == [("Show help", "help")]


@pytest.mark.parametrize("text", ["", "   ", "/partner", "partner"])
def test_an_empty_command_shows_help(person: Join, text: str) -> None:
    assert person("Grace Okafor").say(text).title == "Here's what Kept can do"


def test_overlong_text_is_refused_politely(person: Join, kept: Kept) -> None:
    reply = person("Grace Okafor", "St Ada's School").say("offer " + "physics " * 600)
    assert not reply.ok and "under 4,000 characters" in reply.title
    assert _count(kept) == 0


def test_an_unknown_form_is_refused(person: Join) -> None:
    grace = person("Grace Okafor", "St Ada's School")
    assert not grace.submit("launch-rockets", {"x": "y"}).ok
