"""Fuzzed commands and form submissions against the core: every one ends in a reply that is not the
internal-error apology and carries nothing unsafe. A few thousand examples here; `make fuzz` runs a million."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.errors import FormErrors
from tests.harness.fuzzing import seed, unsafe
from tests.harness.strategies import command_text, form_submission

QUICK = settings(
    max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@QUICK
@given(text=command_text())
def test_no_typed_command_ends_in_an_apology_on_sqlite(kept: Kept, text: str) -> None:
    callers = _callers(kept)
    reply = kept.handle(callers[len(text) % len(callers)], text)
    assert not unsafe(reply), (text, reply.plain())


@settings(QUICK, max_examples=400)
@given(submission=form_submission())
def test_no_form_submission_ends_in_an_apology(kept: Kept, submission: tuple[str, str, dict[str, str]]) -> None:
    form_id, context, values = submission
    caller = _callers(kept)[len(values) % 2]
    try:
        reply = kept.submit(caller, form_id, context, values)
    except FormErrors as errors:
        assert errors.errors and all(isinstance(r, str) for r in errors.errors.values())
        return
    assert not unsafe(reply), (submission, reply.plain())


@settings(QUICK, max_examples=200)
@given(text=command_text())
def test_no_typed_command_ends_in_an_apology_on_postgresql(pg_kept: Kept, text: str) -> None:
    reply = pg_kept.handle(_callers(pg_kept)[0], text)
    assert not unsafe(reply), (text, reply.plain())


_SEEDED: dict[int, list[Caller]] = {}


def _callers(kept: Kept) -> list[Caller]:
    """The seeded network's people, seeded once per Kept (the fixture lives for the whole test)."""
    if id(kept) not in _SEEDED:
        _SEEDED[id(kept)] = seed(kept)
    return _SEEDED[id(kept)]
