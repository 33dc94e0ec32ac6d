"""The .ics invitation, read back by a second, independent library (vobject, not icalendar that wrote it): every
DTSTART and DTEND in UTC matches zoneinfo's over three years of clock changes; SEQUENCE rises with each change; a
cancelled session is METHOD:CANCEL; the UID belongs to this Kept; the end is the session's real end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import vobject
from sqlmodel import select

from bot.console.repl import Chat
from handlers.clock import MovableClock
from handlers.dispatch import Kept
from handlers.joint_sessions.invitation import invitation
from storage.models import JointSession
from tests.harness.people import Join
from tests.harness.world import World

PUBLIC_URL = "https://kept.stadas.sch.uk"


def read_back(ics: str) -> vobject.base.Component:
    return vobject.readOne(ics)


def _clock_changes() -> list[datetime]:
    """Around each clock change of 2027, 2028 and 2029: every UTC half hour of the changing night, and the small
    hours and the school day of the days either side."""
    moments = []
    for year in (2027, 2028, 2029):
        for month in (3, 10):
            sunday = max(
                datetime(year, month, d, tzinfo=UTC) for d in range(25, 32) if date(year, month, d).weekday() == 6
            )
            moments += [sunday + timedelta(minutes=30 * n) for n in range(8)]  # 00:00 to 03:30 UTC
            for side in (sunday - timedelta(days=1), sunday + timedelta(days=1)):
                moments += [side + timedelta(minutes=m) for m in (30, 90, 480, 780)]  # 00:30, 01:30, 08:00, 13:00
    return moments


SWEEP = _clock_changes()


def _joint(starts: datetime, length: timedelta = timedelta(hours=1), **fields: object) -> JointSession:
    values: dict[str, object] = {"id": 1, "network_id": 1, "title": "Choir", "venue": "Hall", "organiser_id": 1}
    values |= fields
    return JointSession(starts_at=starts, ends_at=starts + length, created_at=starts, **values)


def test_every_session_across_three_years_of_clock_changes_reads_back_at_the_same_instant() -> None:
    assert len(SWEEP) == 96
    for n, starts in enumerate(SWEEP):
        length = timedelta(minutes=(45, 90, 150)[n % 3])
        joint = _joint(starts, length, id=n + 1, sequence=n % 4)
        event = read_back(
            invitation(joint, ["Hopper Academy"], "Ada Byron, St Ada's School", starts, PUBLIC_URL)
        ).vevent
        assert event.dtstart.value.astimezone(UTC) == starts, starts
        assert event.dtend.value.astimezone(UTC) == starts + length, starts
        assert int(event.sequence.value) == n % 4


def test_the_timezone_is_written_as_yearly_rules_not_one_off_dates() -> None:
    starts = datetime(2027, 10, 29, 9, tzinfo=UTC)
    joint = _joint(starts)
    ics = invitation(joint, ["Hopper Academy"], "Ada Byron", starts, PUBLIC_URL)
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in ics and "RDATE" not in ics
    assert "DTSTART;TZID=Europe/London:20271029T100000" in ics  # 10:00 BST
    assert "METHOD" not in ics  # a plain calendar to add: no METHOD, so no ORGANIZER is needed


def test_the_hour_that_happens_twice_is_written_in_utc() -> None:
    second_half_past_one = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 01:30 GMT, after 01:30 BST
    joint = _joint(second_half_past_one)
    ics = invitation(joint, [], "Ada Byron", second_half_past_one, PUBLIC_URL)
    assert "DTSTART:20271031T013000Z" in ics
    assert read_back(ics).vevent.dtstart.value == second_half_past_one


def _session(world: World) -> JointSession:
    with world.db.transaction() as session:
        return session.exec(select(JointSession)).one()


def _ics(world: World, who: str = "alan") -> vobject.base.Component:
    reply = world.say(who, "ics S1")
    assert reply.ok, reply.title
    (attachment,) = reply.attachments
    assert attachment.filename == "kept-session-1.ics" and attachment.media_type == "text/calendar"
    return read_back(attachment.content)


def test_a_session_has_its_real_end_a_uid_of_this_kept_and_a_sequence_that_rises_with_each_change(
    world: World,
) -> None:
    world.kept.public_url = PUBLIC_URL
    assert world.say(
        "mary", "session Year 6 science day on 8/7/2027 10am for 90 minutes at St Ada's School with Hopper Academy"
    ).ok
    first = _ics(world).vevent
    assert first.uid.value == "kept-session-1@kept.stadas.sch.uk"
    assert first.dtstart.value.astimezone(UTC) == datetime(2027, 7, 8, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert first.dtend.value.astimezone(UTC) == datetime(2027, 7, 8, 10, 30, tzinfo=UTC)
    assert int(first.sequence.value) == 0 and first.status.value == "CONFIRMED"

    assert world.say("mary", "reschedule S1 9/7/2027 1pm until 15:30").ok
    moved = _ics(world).vevent
    assert int(moved.sequence.value) == 1 and moved.uid.value == first.uid.value
    assert moved.dtstart.value.astimezone(UTC) == datetime(2027, 7, 9, 12, 0, tzinfo=UTC)
    assert moved.dtend.value.astimezone(UTC) == datetime(2027, 7, 9, 14, 30, tzinfo=UTC)

    assert world.say("mary", "reschedule S1 12/7/2027 9am").ok  # keeps its length
    kept_length = _ics(world).vevent
    assert int(kept_length.sequence.value) == 2
    assert kept_length.dtend.value - kept_length.dtstart.value == timedelta(hours=2, minutes=30)


def test_a_cancelled_session_is_a_cancel_with_its_organiser(world: World) -> None:
    world.kept.public_url = PUBLIC_URL
    assert world.say("mary", "session Choir workshop on 3/12 2pm at Hopper Academy with Hopper Academy").ok
    assert world.say("mary", "cancel S1 the coach fell through").ok
    reply = world.say("alan", "ics S1")
    assert reply.ok and "called off" in reply.title
    calendar = read_back(reply.attachments[0].content)
    assert calendar.method.value == "CANCEL"
    event = calendar.vevent
    assert event.status.value == "CANCELLED" and int(event.sequence.value) == 1
    assert event.organizer.params["CN"] == ["Mary Somerville, St Ada's School"]
    assert event.uid.value == "kept-session-1@kept.stadas.sch.uk"


def test_a_session_with_no_length_lasts_the_schools_usual_length(world: World) -> None:
    refused = world.say("mary", "session-length 90 minutes")
    assert not refused.ok and "Only a school's partnership lead" in refused.title
    assert world.say("ada", "session-length 1.5 hours").ok
    assert world.say("mary", "session Choir on 3/12 2pm at Hopper Academy with Hopper Academy").ok
    assert _session(world).ends_at == datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    refused = world.say("mary", "session Choir on 4/12 2pm until 1pm at Hopper Academy with Hopper Academy")
    assert not refused.ok and "end after it starts" in refused.title


def test_in_kept_chat_ics_writes_the_file_and_prints_its_path(
    person: Join, kept: Kept, clock: MovableClock, tmp_path: Path
) -> None:
    chat = Chat(kept, clock, downloads=tmp_path / "files")
    chat.say(":as Sam Patel @ St Ada's School")
    chat.say(":as Priya Shah @ Hopper Academy")
    chat.say(":as Sam Patel")
    assert "S1" in chat.say("session Science day on 4/12 10am at St Ada's School with Hopper Academy")
    printed = chat.say("ics S1")
    written = tmp_path / "files" / "kept-session-1.ics"
    assert f"Add to calendar: {written.resolve()}" in printed
    assert read_back(written.read_text()).vevent.summary.value == "Science day"
