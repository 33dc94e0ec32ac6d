"""Messages true when they land: each case a teacher met, through the real core and the real delivery loop.

Grace Okafor (staff) and Sam Patel (lead) are at St Ada's School; Priya Shah leads Hopper Academy. It is Monday
23 November 2026, 09:00 in London.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.dispatch import Kept
from storage.models import Notification
from tests.harness.delivery import RunUntil
from tests.harness.people import Join, Person
from tests.harness.recording import RecordingNotifier
from tests.scheduler.test_humane_times import utc


def _dropped(kept: Kept, kind: str) -> list[str]:
    with kept.db.transaction() as session:
        rows = session.exec(select(Notification).where(Notification.kind == kind)).all()
        return [row.last_error for row in rows if row.status == "dropped"]


async def test_releasing_a_promise_tells_the_receiving_school_privately_with_the_reason(
    grace: Person, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    reply = grace.say("release C1 our driver is off sick")
    assert reply.ok and reply.footer == "I've told Hopper Academy's lead privately."
    await run_until(utc(2026, 11, 23, 12))
    assert slack_inbox.to("U-PriyaShah") == ["A minibus, from St Ada's School (C1)"]
    (_, told), *_ = [(a, m) for a, m in slack_inbox.delivered if a.user_id == "U-PriyaShah"]
    assert told.text == "Released, with notice: “our driver is off sick”"


async def test_the_did_it_arrive_ask_is_not_sent_once_they_have_confirmed(
    grace: Person, person: Join, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    priya = person("Priya Shah")
    grace.say("promise a minibus to Hopper Academy by Friday")
    kept.clock.set(utc(2026, 11, 23, 19))  # done in the evening: the ask waits for the morning
    grace.say("done C1")
    assert priya.say("confirm C1").ok  # Priya confirms before Kept's ask reaches her
    await run_until(utc(2026, 11, 24, 12))
    assert slack_inbox.to("U-PriyaShah") == []
    assert _dropped(kept, "confirm_ask") == ["the delivery was already confirmed"]


async def test_a_help_needed_notice_is_not_sent_once_the_work_is_done(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    kept.clock.set(utc(2026, 11, 23, 20))
    grace.say("help-needed C1")
    grace.say("done C1")  # sorted out by herself before morning
    await run_until(utc(2026, 11, 24, 12))
    assert slack_inbox.to("U-SamPatel") == []
    assert _dropped(kept, "help_needed") == ["the promise is no longer open"]


async def test_the_impact_ask_is_not_sent_once_impact_is_recorded(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    assert grace.say("session Rocket day on 24/11 10am at St Ada's School with Hopper Academy").ok
    kept.clock.set(utc(2026, 11, 24, 14))
    assert grace.say("impact S1 28 pupils, 3 staff: the Year 6s loved the rockets").ok
    await run_until(utc(2026, 11, 26, 12))
    assert not [t for t in slack_inbox.to("U-GraceOkafor") if t.startswith("How did")]
    assert _dropped(kept, "impact_ask") == ["its impact is already recorded"]


async def test_a_match_notice_is_not_sent_once_the_match_is_accepted(
    person: Join, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    sam, priya = person("Sam Patel", "St Ada's School"), person("Priya Shah", "Hopper Academy")
    kept.clock.set(utc(2026, 11, 23, 19))  # logged in the evening: the notices wait for the morning
    sam.say("offer [specialist staff] Two physics teachers for A-level practicals")
    priya.say("request [specialist staff] A-level physics practicals for Year 12")
    await run_until(utc(2026, 11, 23, 20))  # the scheduler finds the match and plans the notices
    assert priya.say("accept M1").ok  # Priya found it herself with `match`
    await run_until(utc(2026, 11, 24, 12))
    assert not [title for title in slack_inbox.titles() if "could meet" in title]
    assert _dropped(kept, "match_notice") == ["the match was already accepted or closed"] * 2


async def test_a_held_nudge_and_the_days_nudge_do_not_both_arrive_on_the_last_day_of_term(
    grace: Person, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    kept.clock.set(utc(2026, 12, 14, 9))
    grace.say("promise the science club kit list to Hopper Academy by 18/12")  # the last day of term
    grace.say("away until 17/12")  # the nudge due on Wednesday is held until she is back on Friday
    await run_until(utc(2026, 12, 19, 0))
    # Friday is the last day of term and the due day: she hears once, not at 08:00 and again at 09:00
    assert slack_inbox.to("U-GraceOkafor") == ["The science club kit list: due today, 17:00 (C1)"]
    assert _dropped(kept, "nudge") == ["they have already heard about it today"]


async def test_kept_notifications_dropped_says_what_was_not_sent_and_why(
    grace: Person, kept: Kept, run_until: RunUntil, capsys: object
) -> None:
    from bot.worker import show_notifications

    grace.say("promise a minibus to Hopper Academy by Friday")
    kept.clock.set(utc(2026, 11, 23, 20))
    grace.say("help-needed C1")
    grace.say("done C1")
    await run_until(utc(2026, 11, 24, 12))

    class Out:
        text = ""

        def write(self, chunk: str) -> None:
            self.text += chunk

    out = Out()
    show_notifications(kept.db, False, out, dropped=True)  # type: ignore[arg-type]
    assert "dropped" in out.text and "help_needed" in out.text and "the promise is no longer open" in out.text


def test_health_is_for_leads_only(grace: Person) -> None:
    grace.say("partnership")  # staff can't start one either
    refused = grace.say("health")
    assert not refused.ok and refused.title.startswith("Only a school's partnership lead can see a partnership")


def test_a_second_impact_says_what_changed_and_plus_adds_to_it(grace: Person, kept: Kept) -> None:
    grace.say("session Rocket day on 24/11 10am at St Ada's School with Hopper Academy")
    kept.clock.advance(timedelta(days=1, hours=5))
    grace.say("impact S1 28 pupils, 3 staff: the Year 6s loved the rockets")
    corrected = grace.say("impact S1 30 pupils, 3 staff: the Year 6s loved the rockets")
    assert corrected.title == "Rocket day: impact corrected (S1)"
    assert corrected.text.startswith("Changed: pupils 28 → 30.")
    added = grace.say("impact S1 +5 pupils, 1 staff: and the parents came too")
    assert added.title == "Rocket day: impact added to (S1)"
    assert "pupils 30 → 35; staff 3 → 4" in added.text
    assert ("Pupils reached", "35") in [(f.label, f.value) for f in added.fields]
