"""The neutral message model's one layout rule: which buttons are in view and which wait in an overflow menu."""

from __future__ import annotations

from itertools import product

from handlers.messages import IN_VIEW, Action, Input, in_view


def test_at_most_three_buttons_are_in_view_in_order_and_none_is_lost_for_every_mix_of_up_to_seven() -> None:
    for count in range(8):
        for marks in product((False, True), repeat=count):
            actions = tuple(Action(f"a{i}", f"Button {i}", f"cmd {i}", secondary=m) for i, m in enumerate(marks))
            shown, more = in_view(actions)
            assert len(shown) <= IN_VIEW and not any(a.secondary for a in shown)
            assert sorted(shown + more, key=actions.index) == list(actions)
            assert list(shown) == [a for a in actions if not a.secondary][:IN_VIEW]
            assert list(more) == [a for a in actions if a not in shown]


def test_two_identical_buttons_are_both_kept() -> None:
    twice = (Action("done", "Done", "done C1"),) * 5
    shown, more = in_view(twice)
    assert (len(shown), len(more)) == (3, 2)


def test_a_required_field_says_what_is_missing_in_its_own_words() -> None:
    assert Input("school", "To which school?", "select").when_missing == "Please choose one."
    assert Input("due", "By when?", "date").when_missing == "Please give a date."
    assert Input("what", "What will you deliver?").when_missing == "Please fill this in."
