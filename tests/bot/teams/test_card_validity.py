"""Every card Kept renders is one Teams validates clean: the published Adaptive Card 1.5 schema (with Teams'
own `msteams` property allowed), unique ids within a card, an error message on every required input, and no
more actions in one set than Teams draws."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from bot.teams.activities import UNKNOWN_PRESS, WELCOME
from bot.teams.cards import MAX_ACTIONS, to_card, to_form_card
from tests.harness.gallery import Shot
from tests.harness.schemas import published

Card = dict[str, Any]


def every_card(shots: list[Shot]) -> Iterator[tuple[str, Card]]:
    """Each message of the scripted partnership, each form again with every field in error, and the cards the
    Teams adapter sends of its own."""
    for shot in shots:
        yield shot.name, to_card(shot.message)
        form = shot.message.form
        if form is not None:
            errors = {field.input_id: "Please check this one." for field in form.inputs}
            yield f"{shot.name} with errors", to_form_card(form, errors, {"what": "Two practicals"})
    yield "welcome to Teams", to_card(WELCOME)
    yield "an unknown button", to_card(UNKNOWN_PRESS)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft6Validator:
    schema = copy.deepcopy(published("adaptive-card-1.5.json"))
    schema["definitions"]["AdaptiveCard"]["properties"]["msteams"] = {"type": "object"}  # Teams' own, documented
    return jsonschema.Draft6Validator(schema)


def nodes(card: Card) -> Iterator[Card]:
    """Every element and action in a card, however deeply nested."""
    stack: list[Any] = [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "type" in node:
                yield node
            stack += [v for k, v in node.items() if k != "data"]
        elif isinstance(node, list):
            stack += node


def action_sets(card: Card) -> Iterator[list[Card]]:
    yield card.get("actions", [])
    yield from (node["actions"] for node in nodes(card) if node["type"] == "ActionSet")


def test_every_card_passes_the_published_adaptive_card_schema(
    shots: list[Shot], validator: jsonschema.Draft6Validator
) -> None:
    failures = {
        name: [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}" for e in validator.iter_errors(card)]
        for name, card in every_card(shots)
    }
    assert not {name: found for name, found in failures.items() if found}


def test_ids_are_unique_within_every_card_even_with_several_promises_in_one(shots: list[Shot]) -> None:
    for name, card in every_card(shots):
        ids = [node["id"] for node in nodes(card) if "id" in node]
        assert len(ids) == len(set(ids)), f"{name}: {sorted(ids)}"
    mine = next(shot for shot in shots if shot.name == "mine")
    assert len(mine.message.sections) >= 2, "the gallery's `mine` must hold two promises to test this"


def test_every_required_input_says_what_is_missing(shots: list[Shot]) -> None:
    inputs = [(name, node) for name, card in every_card(shots) for node in nodes(card) if "isRequired" in node]
    assert inputs, "the gallery must include forms"
    assert all(node.get("errorMessage", "").strip() for _, node in inputs if node["isRequired"]), inputs


def test_no_action_set_holds_more_than_teams_draws(shots: list[Shot]) -> None:
    for name, card in every_card(shots):
        assert all(len(actions) <= MAX_ACTIONS for actions in action_sets(card)), name
