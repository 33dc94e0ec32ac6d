"""`kept chat` as a newcomer meets it: a transcript, read top to bottom."""

from __future__ import annotations

from bot.console.repl import Chat
from handlers.clock import MovableClock
from handlers.dispatch import Kept


def test_a_newcomer_joins_offers_and_promises_in_the_terminal(kept: Kept, clock: MovableClock) -> None:
    chat = Chat(kept, clock)
    assert "Welcome to Kept, Sam Patel!" in chat.say(":as Sam Patel @ St Ada's School")
    assert "You are now Priya Shah." in chat.say(":as Priya Shah @ Hopper Academy")
    assert "on the board (R1)" in chat.say("request A Latin teacher for two GCSE pupils")
    chat.say(":as Sam Patel")
    reply = chat.say("promise a Latin teacher to Hopper Academy by Friday")
    assert "promised to Hopper Academy (C1)" in reply and "[Done: done C1]" in reply
    assert "a Latin teacher — for Hopper Academy (C1)" in chat.say("mine")


def test_forms_are_filled_in_at_the_prompt_and_mistakes_asked_again(kept: Kept, clock: MovableClock) -> None:
    chat = Chat(kept, clock)
    chat.say(":as Grace Okafor @ St Ada's School")
    answers = iter(["", "", "", "Our drama studio on Wednesdays"])
    reply = chat.say("offer", ask=lambda prompt: next(answers))
    assert "on the board (O1)" in reply


def test_advance_moves_the_clock(kept: Kept, clock: MovableClock) -> None:
    chat = Chat(kept, clock)
    assert chat.say(":advance 3d").startswith("The clock is now Thu 26 Nov 2026 09:00 UTC.")
    assert "Say how far" in chat.say(":advance soon")


def test_advance_prints_the_nudges_that_fall_due_on_the_way(kept: Kept, clock: MovableClock) -> None:
    from bot.console.notifier import ConsoleNotifier
    from bot.worker import console_tick
    from scheduler.delivery import DeliveryLoop

    console = ConsoleNotifier()
    chat = Chat(kept, clock, tick=console_tick(DeliveryLoop(kept.db, {"console": console}, clock=clock), console.take))
    chat.say(":as Priya Shah @ Hopper Academy")
    chat.say(":as Sam Patel @ St Ada's School")
    chat.say("promise a Latin teacher to Hopper Academy by Friday")
    assert chat.say(":advance 1d").endswith("Nothing fell due.")
    reply = chat.say(":advance 1d")  # Wednesday 09:00, two working days before Friday
    assert "→ sam-patel" in reply and "C1" in reply and "[Done: done C1]" in reply


def test_leaving_a_form_half_way_saves_nothing_and_shows_no_traceback(kept: Kept, clock: MovableClock) -> None:
    chat = Chat(kept, clock)
    chat.say(":as Grace Okafor @ St Ada's School")

    def hang_up(prompt: str) -> str:
        raise EOFError

    assert "nothing was saved" in chat.say("offer", ask=hang_up)
    assert "The board is empty" in chat.say("board")


def test_the_promise_form_offers_schools_by_number_in_the_terminal(kept: Kept, clock: MovableClock) -> None:
    chat = Chat(kept, clock)
    chat.say(":as Priya Shah @ Hopper Academy")
    chat.say(":as Sam Patel @ St Ada's School")
    prompts: list[str] = []
    answers = iter(["A minibus for Year 6", "1", "a week on Friday"])  # the same words as a command

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    reply = chat.say("promise", ask=ask)
    assert prompts[0].startswith("New promise (`:cancel` leaves it)\n") and "(1 Hopper Academy)" in prompts[1]
    assert prompts[2] == "By when? (e.g. Friday, 12/03, end of term or Monday week): "
    assert "promised to Hopper Academy (C1)" in reply and "From: St Ada's School" in reply
    assert "Due: Fri 4 Dec, 17:00" in reply


def test_a_console_command_at_a_forms_prompt_leaves_the_form_and_is_not_read_into_it(
    kept: Kept, clock: MovableClock
) -> None:
    chat = Chat(kept, clock)
    chat.say(":as Sam Patel @ St Ada's School")
    chat.say(":as Priya Shah @ Hopper Academy")
    answers = iter(["A minibus for Year 6", ":as Sam Patel"])
    reply = chat.say("promise", ask=lambda prompt: next(answers))
    assert reply.startswith("! Let's leave that form for now; nothing was saved.")
    assert "You are now Sam Patel." in reply  # the command ran as a command, not as the school's answer
    assert chat.say("mine").startswith("You have no open promises")
    cancelled = chat.say("offer", ask=lambda prompt: ":cancel")
    assert cancelled == "! Let's leave that form for now; nothing was saved."
    assert "board is empty" in chat.say("board")
