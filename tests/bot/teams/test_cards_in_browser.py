"""Every kind of card, drawn by the official Adaptive Cards renderer under Teams' host config in headless Chromium
at 480 px (Teams' chat column), and looked at as a teacher would: every button label whole, no card taller than
its kind needs, every text readable (contrast at least 4.5:1), no markup or entities showing, the help one line
per command, a long item shortened with a way to see it all, and nothing the renderer's own validation flags.

One browser for the module. Chromium is Debian's (`apt-get install chromium chromium-driver`) and the renderer
comes from npm (screenshots/cards); `.ci/run` installs both, and in CI these tests fail rather than skip.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator

import pytest

from bot.teams.cards import to_card, to_form_card
from handlers.messages import BOLD, CODE
from screenshots.browser import CardBrowser, MissingTool, Rendered, card_browser, ensure_chromium, ensure_renderer
from tests.harness.gallery import Shot

# The tallest a card of each kind may be at 480 px: a nudge must be taken in at a glance.
TALLEST = {
    "nudge": 320,
    "reminder": 320,
    "notice": 320,
    "reply": 320,
    "promise": 320,
    "refusal": 200,
    "form": 480,
    "digest": 480,
    "list": 640,
    "help": 2000,  # every command, a line each: the one card that is a manual
}
LITERAL = re.compile(r"\*\*|`|&(?:amp|lt|gt|quot|#\d+);|</\w+>|<br\s*/?>|(?<!\w)\*\w|\w\*(?!\w)")


@pytest.fixture(scope="module")
def browser() -> Iterator[CardBrowser]:
    try:
        ensure_chromium()
        ensure_renderer()
    except (MissingTool, subprocess.CalledProcessError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the browser checks must run in CI: {exc}")
        pytest.skip(str(exc))
    with card_browser() as opened:
        yield opened


@pytest.fixture(scope="module")
def drawn(browser: CardBrowser, shots: list[Shot]) -> dict[str, tuple[Shot, Rendered]]:
    return {shot.name: (shot, browser.render(to_card(shot.message))) for shot in shots}


def test_every_kind_of_message_is_drawn(drawn: dict[str, tuple[Shot, Rendered]]) -> None:
    assert set(TALLEST) == {shot.kind for shot, _ in drawn.values()}


def test_no_button_label_is_cut_short_at_480_px(drawn: dict[str, tuple[Shot, Rendered]]) -> None:
    cut = {name: [b.label for b in card.buttons if not b.fits] for name, (_, card) in drawn.items()}
    assert not {name: labels for name, labels in cut.items() if labels}
    nudge = drawn["nudge"][1]
    assert [b.label for b in nudge.buttons] == ["Done", "Snooze a week", "Need help", "..."]


def test_no_card_is_taller_than_its_kind_needs(drawn: dict[str, tuple[Shot, Rendered]]) -> None:
    heights = {name: (round(card.height), TALLEST[shot.kind]) for name, (shot, card) in drawn.items()}
    assert not {name: h for name, h in heights.items() if h[0] > h[1]}
    assert heights["nudge"][0] < 320


def test_every_text_is_readable_against_its_background(drawn: dict[str, tuple[Shot, Rendered]]) -> None:
    faint = {
        name: [(t.text[:40], round(t.contrast, 2)) for t in card.texts if t.contrast < 4.5]
        for name, (_, card) in drawn.items()
    }
    assert not {name: texts for name, texts in faint.items() if texts}


def test_no_markup_or_html_entities_show(drawn: dict[str, tuple[Shot, Rendered]]) -> None:
    showing = {name: [m.group(0) for m in LITERAL.finditer(card.visible)] for name, (_, card) in drawn.items()}
    assert not {name: found for name, found in showing.items() if found}


def test_each_line_of_the_help_is_a_line_of_its_own(drawn: dict[str, tuple[Shot, Rendered]]) -> None:
    shot, card = drawn["help"]
    lines = [CODE.sub(r"\1", BOLD.sub(r"\1", line)) for line in shot.message.text.split("\n") if line.strip()]
    blocks = [block for block in card.blocks if block.text in lines]
    assert [b.text for b in blocks] == lines
    tops = [b.top for b in blocks]
    assert tops == sorted(set(tops)), "each line starts below the one before"


def test_a_long_item_shows_three_lines_and_the_whole_of_it_on_a_tap(browser: CardBrowser, shots: list[Shot]) -> None:
    board = next(shot for shot in shots if shot.name == "board").message
    long_item = max(board.sections, key=lambda s: len(s.text))
    browser.render(to_card(board))
    start, end = long_item.text[:30], long_item.text[-20:]
    clamped = browser.page.locator(".ac-textBlock:visible", has_text=start).first
    line = 1.4 * float(clamped.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))  # at most, in Teams' fonts
    short = (clamped.bounding_box() or {"height": 0})["height"]
    assert 0 < short <= 3 * line

    browser.page.get_by_text("Show all").click()
    whole = browser.page.locator(".ac-textBlock:visible", has_text=end).first
    assert (whole.bounding_box() or {"height": 0})["height"] > 2 * short


def test_the_renderer_itself_finds_nothing_wrong(drawn: dict[str, tuple[Shot, Rendered]]) -> None:
    assert not {name: card.problems for name, (_, card) in drawn.items() if card.problems}


def test_a_form_sent_back_with_mistakes_is_as_readable(browser: CardBrowser, shots: list[Shot]) -> None:
    form = next(shot for shot in shots if shot.name == "promise-form").message.form
    assert form is not None
    errors = {field.input_id: "That date has already passed: please pick one from today on." for field in form.inputs}
    card = browser.render(to_form_card(form, errors, {"what": "Two physics practicals"}))
    assert not card.problems and all(b.fits for b in card.buttons)
    assert [t.text for t in card.texts if t.contrast < 4.5] == []
    assert card.visible.count("That date has already passed") == len(form.inputs)
