"""Joint-session reminders and the weekly digest: on time, moved with the session, one digest a week."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from handlers.clock import MovableClock
from handlers.dispatch import Kept
from handlers.outbound.plan import plan_joint_session
from storage.models import JointSession, Notification, Partnership
from tests.harness.delivery import RunUntil, make_delivery_loop
from tests.harness.people import Join, Person
from tests.harness.recording import RecordingNotifier
from tests.scheduler.test_humane_times import utc
from tests.scheduler.test_nudges import sent

SCIENCE_DAY = "session Year 6 science day on 3/12 at 10am at St Ada's School with Hopper Academy"


def to_organiser(kept: Kept) -> list[tuple[str, datetime]]:
    """What was sent to the organiser (guests' reminders carry `:M<member>` at the end of their keys)."""
    return [(what, when) for what, when in sent(kept) if not what.startswith("M")]


async def test_a_session_is_reminded_a_week_a_day_and_two_hours_before_then_impact_is_asked(
    grace: Person, person: Join, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    sam = person("Sam Patel")
    assert sam.say(SCIENCE_DAY).ok  # Thu 3 Dec, 10:00
    await run_until(utc(2026, 12, 5, 0))
    assert to_organiser(kept) == [
        ("-7d", utc(2026, 11, 26, 10)),
        ("-1d", utc(2026, 12, 2, 10)),
        ("-2h", utc(2026, 12, 3, 8)),
        ("impact", utc(2026, 12, 4, 10)),
    ]
    titles = slack_inbox.to("U-SamPatel")
    assert titles[:3] == ["Year 6 science day: Thu 3 Dec, 10:00 (S1)"] * 3
    assert titles[3] == "How did Year 6 science day go? (S1)"
    first, second = [m for r, m in slack_inbox.delivered if r.user_id == "U-SamPatel"][:2]
    assert "Transport, consent forms, the venue and staffing" in first.text
    assert "Transport" not in second.text
    # Hopper Academy's lead sees to their own side (transport, consent, staffing): reminded too, not asked for impact
    assert slack_inbox.to("U-PriyaShah") == ["Year 6 science day: Thu 3 Dec, 10:00 (S1)"] * 3


async def test_moving_a_session_reschedules_its_reminders(
    grace: Person, person: Join, kept: Kept, clock: MovableClock, run_until: RunUntil
) -> None:
    person("Sam Patel").say(SCIENCE_DAY)
    with kept.db.transaction() as session:  # the organiser moves it a week later
        joint = session.exec(select(JointSession)).one()
        joint.starts_at = utc(2026, 12, 10, 10)
        plan_joint_session(session, joint, clock.now())
    await run_until(utc(2026, 12, 12, 0))
    assert to_organiser(kept) == [
        ("-7d", utc(2026, 12, 3, 10)),
        ("-1d", utc(2026, 12, 9, 10)),
        ("-2h", utc(2026, 12, 10, 8)),
        ("impact", utc(2026, 12, 11, 10)),
    ]


def _partnership_with_channel(person: Join, grace: Person) -> Person:
    sam = person("Sam Patel")
    assert sam.say("partnership Physics Link with Hopper Academy").ok
    assert sam.say("channel Physics Link").ok  # said in C-GENERAL
    # something coming up in each digest's week, so each has something to say
    assert grace.say("promise a minibus to Hopper Academy by 4/12").ok
    assert grace.say("promise a lab technician to Hopper Academy by 11/12").ok
    return sam


async def test_each_partnership_gets_one_digest_a_week_on_monday_morning(
    grace: Person, person: Join, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _partnership_with_channel(person, grace)
    await run_until(utc(2026, 12, 8, 0))
    digests = [(key, moment) for key, moment in sent(kept) if key.startswith("2026-W")]
    assert digests == [("2026-W49", utc(2026, 11, 30, 8)), ("2026-W50", utc(2026, 12, 7, 8))]
    assert len([r for r, _ in slack_inbox.delivered if r.channel_id == "C-GENERAL"]) == 2


async def test_a_digest_missed_while_kept_was_down_is_sent_once_late_and_the_next_on_time(
    grace: Person, person: Join, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    _partnership_with_channel(person, grace)
    await run_until(utc(2026, 11, 29, 12))  # Sunday: then every process stops until Wednesday
    clock.set(utc(2026, 12, 2, 10))
    restarted = make_delivery_loop(kept.db, clock, slack_inbox)
    await run_until(utc(2026, 12, 8, 0), worker=restarted)
    digests = [(key, moment) for key, moment in sent(kept) if key.startswith("2026-W")]
    assert digests == [("2026-W49", utc(2026, 12, 2, 11)), ("2026-W50", utc(2026, 12, 7, 8))]


async def test_the_digest_follows_local_time_across_the_autumn_clock_change_and_skips_half_term(
    person: Join, kept: Kept, clock: MovableClock, run_until: RunUntil
) -> None:
    clock.set(utc(2026, 10, 19, 9))
    sam = person("Sam Patel", "St Ada's School")
    person("Priya Shah", "Hopper Academy")
    sam.say("partnership Physics Link with Hopper Academy")
    sam.say("channel Physics Link")
    sam.say("promise a minibus to Hopper Academy by 28/10")
    sam.say("promise a lab technician to Hopper Academy by 11/11")
    with kept.db.transaction() as session:  # this partnership likes its digest on Friday mornings
        session.exec(select(Partnership)).one().digest_weekday = 4
    await run_until(utc(2026, 11, 7, 0))
    with kept.db.transaction() as session:
        rows = session.exec(select(Notification).where(Notification.kind == "digest").order_by(col(Notification.id)))
        outcomes = [(row.dedupe_key, row.status, row.due_at) for row in rows]
    assert outcomes == [
        ("digest:1:2026-W43", "sent", utc(2026, 10, 23, 7)),  # 08:00 BST
        ("digest:1:2026-W44", "dropped", utc(2026, 10, 30, 8)),  # half term: no digest
        ("digest:1:2026-W45", "sent", utc(2026, 11, 6, 8)),  # 08:00 GMT
        ("digest:1:2026-W46", "pending", utc(2026, 11, 13, 8)),
    ]


async def test_what_fell_due_while_every_worker_was_down_is_delivered_once(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    grace.say("promise a minibus to Hopper Academy by Friday")
    clock.set(utc(2026, 11, 27, 12))  # down since Monday: two nudges fell due meanwhile
    restarted = make_delivery_loop(kept.db, clock, slack_inbox)
    await run_until(utc(2026, 11, 27, 18), step=timedelta(minutes=1), worker=restarted)
    assert slack_inbox.to("U-GraceOkafor") == [
        "A minibus: due today, 17:00 (C1)"
    ]  # the earlier nudge is superseded, not sent too


async def test_a_claim_held_by_a_worker_that_died_is_delivered_once_by_another_after_its_lease(
    grace: Person, kept: Kept, clock: MovableClock, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    from storage import outbox

    grace.say("promise a minibus to Hopper Academy by Friday")
    clock.set(utc(2026, 11, 25, 9))
    dying = make_delivery_loop(kept.db, clock, slack_inbox, lease=timedelta(minutes=5))
    [claimed] = outbox.claim_due(kept.db, dying.worker, clock.now(), dying.lease)  # then the process is killed
    survivor = make_delivery_loop(kept.db, clock, slack_inbox)
    reports = await run_until(utc(2026, 11, 25, 9, 10), step=timedelta(minutes=1), worker=survivor)
    assert [r.sent for r in reports if r.sent] == [[claimed.id]]
    assert sent(kept) == [("-2d", utc(2026, 11, 25, 9, 6))]
    assert slack_inbox.to("U-GraceOkafor") == ["A minibus: due Fri 27 Nov (C1)"]


async def test_a_partnership_with_no_channel_yet_has_its_digest_quietly_skipped_not_failed(
    grace: Person, person: Join, kept: Kept, slack_inbox: RecordingNotifier, run_until: RunUntil
) -> None:
    person("Sam Patel").say("partnership Physics Link with Hopper Academy")
    grace.say("promise a minibus to Hopper Academy by 4/12")
    await run_until(utc(2026, 12, 1, 0))
    with kept.db.transaction() as session:
        rows = session.exec(select(Notification).where(Notification.kind == "digest").order_by(col(Notification.id)))
        assert [(row.dedupe_key, row.status) for row in rows] == [
            ("digest:1:2026-W49", "dropped"),
            ("digest:1:2026-W50", "pending"),
        ]
    assert [r for r, _ in slack_inbox.delivered if r.channel_id] == []
