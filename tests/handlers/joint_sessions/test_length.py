"""How long a joint session lasts, as people say it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.errors import BadDate
from handlers.joint_sessions.length import split_length

LONDON = ZoneInfo("Europe/London")
TEN_AM_BST = datetime(2027, 7, 8, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("said", "length"),
    [
        ("8/7/2027 10am for 90 minutes at St Ada's", timedelta(minutes=90)),
        ("8/7/2027 10am for 2 hours at St Ada's", timedelta(hours=2)),
        ("8/7/2027 10am for an hour and a half at St Ada's", timedelta(minutes=90)),
        ("8/7/2027 10am for 45 mins at St Ada's", timedelta(minutes=45)),
        ("8/7/2027 10am until 15:30 at St Ada's", timedelta(hours=5, minutes=30)),
        ("8/7/2027 10am till 3pm at St Ada's", timedelta(hours=5)),
    ],
)
def test_a_length_or_an_end_time_is_read_and_taken_out_of_the_text(said: str, length: timedelta) -> None:
    rest, found = split_length(" " + said)
    assert rest.strip() == "8/7/2027 10am at St Ada's"
    assert found is not None and found.end(TEN_AM_BST, LONDON) - TEN_AM_BST == length


@pytest.mark.parametrize("said", ["10am until 9am at Hall", "10am for 13 hours at Hall", "10am until teatime at Hall"])
def test_an_end_before_the_start_too_long_a_session_or_an_unreadable_end_is_refused(said: str) -> None:
    with pytest.raises(BadDate):
        _, found = split_length(" " + said)
        assert found is not None
        found.end(TEN_AM_BST, LONDON)
