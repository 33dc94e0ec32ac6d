"""Every message true when it lands, over random histories: a stateful property test of the real core and the real
delivery loop.

Three schools (St Ada's on Slack, Hopper Academy on Teams, Lovelace Primary on Slack), a lead and a member of
staff each, and one partnership with a channel. Hypothesis drives random histories through `Kept.handle`: every
verb, wrong refs and other schools' refs, double presses, people going away and coming back, erasure, and the
clock moving across weekends, holidays and the clock changes, with the scheduler ticking on the way. After every
step it checks what a teacher would notice:

- every message delivered was still true when it was sent (an oracle written here, in the domain's words, not
  Kept's own rule table);
- nobody heard about the same promise or session twice in one day;
- a channel message never carries counts by school, late work, or the name of anyone who didn't deliver;
- an erased person's name is nowhere in the database;
- no refusal and no fault became the internal-error apology.

`make test` runs a few hundred histories; `make soak` runs tens of thousands (KEPT_SOAK_EXAMPLES).
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlmodel import Session, col, select

from handlers.clock import MovableClock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.messages import Address, Message
from scheduler.delivery import DeliveryLoop
from storage.db import Database, make_engine
from storage.models import (
    ChecklistItem,
    Commitment,
    JointSession,
    Listing,
    Match,
    Member,
    Notification,
)
from tests.harness.traces import erased_names_left

LONDON = ZoneInfo("Europe/London")
APOLOGY = "Sorry, something went wrong on our side"
EXAMPLES = int(os.environ.get("KEPT_SOAK_EXAMPLES", "100"))
STEPS = int(os.environ.get("KEPT_SOAK_STEPS", "20"))

# Term time, the last week of the autumn term, the week of the October clock change and half term, the spring
# clock change: the starting points that have bitten before.
STARTS = (
    datetime(2026, 11, 23, 8, 30, tzinfo=UTC),
    datetime(2026, 12, 14, 8, 30, tzinfo=UTC),
    datetime(2026, 10, 19, 8, 30, tzinfo=UTC),
    datetime(2027, 3, 22, 8, 30, tzinfo=UTC),
)
PEOPLE = (  # name, school, platform, tenant
    ("Sam Patel", "St Ada's School", "slack", "T-ADA"),
    ("Grace Okafor", "St Ada's School", "slack", "T-ADA"),
    ("Priya Shah", "Hopper Academy", "teams", "tenant-hopper"),
    ("Alan Turing", "Hopper Academy", "teams", "tenant-hopper"),
    ("Charles Babbage", "Lovelace Primary", "slack", "T-ADA"),
    ("Annie Easley", "Lovelace Primary", "slack", "T-ADA"),
)
SCHOOLS = ("St Ada's School", "Hopper Academy", "Lovelace Primary")
THINGS = ("a minibus for the Year 6 visit", "two physics practicals", "a Latin teacher on Tuesdays", "our hall")
SESSION_CHANGES = ("plan", "reschedule", "cancel", "impact", "assign", "take", "decline")
WHEN = ("Friday", "tomorrow", "in a fortnight", "end of term", "12/01", "Monday week", "tomorrow 3pm")
LATE_WORDS = re.compile(r"\b(overdue|late|missed|behind)\b", re.IGNORECASE)
COUNTS = re.compile(r"\bgave \d|\d+ (?:of|:) \d+|give and take", re.IGNORECASE)


@dataclass
class Heard:
    """What the checking platform saw: every delivery, and anything wrong with one when it was sent."""

    sent: list[tuple[Address, Message, Notification]] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    slots: set[tuple[str, str, int | None, date]] = field(default_factory=set)


class CheckingPlatform:
    """A platform that, as each message arrives, looks at the row being sent and the database at that moment."""

    def __init__(self, platform: str, db: Database, clock: MovableClock, heard: Heard) -> None:
        self.platform, self.db, self.clock, self.heard = platform, db, clock, heard

    async def deliver(self, address: Address, message: Message) -> str:
        with self.db.transaction() as session:
            row = session.exec(select(Notification).where(Notification.status == "claimed")).one()
            problem = untrue(session, row, self.clock.now())
            if problem:
                self.heard.wrong.append(f"{row.kind} {row.dedupe_key}: {problem} ({message.title})")
            self._one_a_day(row, address)
            if address.channel_id:
                self._fit_for_a_channel(session, message)
        self.heard.sent.append((address, message, row))
        return f"{self.platform}-{len(self.heard.sent)}"

    def _one_a_day(self, row: Notification, address: Address) -> None:
        if row.kind not in ("nudge", "overdue", "escalation", "session_reminder", "impact_ask"):
            return
        family = "session" if row.kind in ("session_reminder", "impact_ask") else "promise"
        day = self.clock.now().astimezone(LONDON).date()
        slot = (address.user_id or address.channel_id, family, row.subject_id, day)
        if slot in self.heard.slots:
            self.heard.wrong.append(f"{address.user_id} heard about {family} {row.subject_id} twice on {day}")
        self.heard.slots.add(slot)

    def _fit_for_a_channel(self, session: Session, message: Message) -> None:
        text = message.plain()
        if LATE_WORDS.search(text) or COUNTS.search(text):
            self.heard.wrong.append(f"a channel message counts or names late work: {text!r}")
        week_ago = self.clock.now() - timedelta(days=7)
        delivered = set(
            session.exec(
                select(Member.name)
                .join(Commitment, col(Commitment.owner_id) == Member.id)
                .where(Commitment.status == "done", col(Commitment.done_at) >= week_ago)
            ).all()
        )
        for name, *_ in PEOPLE:
            if name in text and name not in delivered:
                self.heard.wrong.append(f"a channel message names {name}, who delivered nothing this week")


def untrue(session: Session, row: Notification, now: datetime) -> str:
    """Why the message this row stands for is no longer true ('' while it is), in the domain's own words."""
    facts: dict[str, Any] = row.payload.get("facts", {})
    recipient = session.get(Member, row.member_id) if row.member_id else None
    if recipient is not None and recipient.erased:
        return "it is for someone erased"
    if row.kind in ("nudge", "overdue", "escalation", "help_needed", "snoozed", "accepted", "away_notice"):
        promise = session.get(Commitment, row.subject_id)
        if promise is None or promise.status != "open":
            return "the promise is closed"
        if row.kind in ("nudge", "overdue") and promise.owner_id != row.member_id:
            return "it goes to someone who no longer holds the promise"
        if row.kind == "snoozed" and promise.due_at.isoformat() != facts.get("due_at"):
            return "the promise moved again"
    if row.kind == "confirm_ask":
        promise = session.get(Commitment, row.subject_id)
        if promise is None or promise.status != "done" or promise.confirmed_at is not None:
            return "there is nothing left to confirm"
    if row.kind in ("session_reminder", "impact_ask", "rescheduled"):
        joint = session.get(JointSession, row.subject_id)
        if joint is None or joint.status == "cancelled":
            return "the session was called off"
        if row.kind == "session_reminder" and joint.starts_at <= now:
            return "the session has begun"
        if row.kind == "impact_ask" and joint.pupils_reached is not None:
            return "its impact is already recorded"
        if row.kind == "rescheduled" and joint.starts_at.isoformat() != facts.get("starts_at"):
            return "the session moved again"
    if row.kind == "called_off":
        joint = session.get(JointSession, row.subject_id)
        if joint is None or joint.status != "cancelled":
            return "the session is on"
    if row.kind == "match_notice":
        match = session.get(Match, row.subject_id)
        if match is None or match.status != "suggested":
            return "the match was accepted or closed"
    if row.kind == "expiry":
        listing = session.get(Listing, row.subject_id)
        if listing is None or listing.status != "open":
            return "the listing is closed"
    if row.kind == "assign_ask":
        item = session.get(ChecklistItem, row.subject_id)
        if item is None or item.commitment_id is not None:
            return "the item was taken on"
    if row.kind in ("confirm_ask", "match_notice", "lopsided", "key_person", "help_needed", "away_notice"):
        if recipient is not None and recipient.role != "lead":
            return "it is for leads, and they are not one"
    return ""


class MessageTruth(RuleBasedStateMachine):
    """One partnership's random fortnight, and what every message said."""

    def __init__(self) -> None:
        super().__init__()
        self.db = Database(make_engine("sqlite://"))
        self.db.create_all()
        self.clock = MovableClock(STARTS[0])
        self.kept = Kept(self.db, self.clock)
        self.heard = Heard()
        platforms = {p: CheckingPlatform(p, self.db, self.clock, self.heard) for p in ("slack", "teams")}
        self.loop = DeliveryLoop(self.db, platforms, clock=self.clock, batch=1, concurrency=1)  # type: ignore[arg-type]
        self.callers = {
            name: Caller(platform, tenant, "u-" + name.lower().replace(" ", "-"), name, channel_id="c-link")
            for name, _, platform, tenant in PEOPLE
        }
        self.erased: set[str] = set()
        self.replies: list[Message] = []

    @initialize(start=st.sampled_from(STARTS))
    def the_partnership(self, start: datetime) -> None:
        """Term time, a term's last week, a clock change: then everyone joins, and the leads start a partnership."""
        self.clock.set(start)
        self._say("Sam Patel", "join St Ada's School")
        code = self._say("Sam Patel", "invite").title.rsplit(" ", 1)[-1]
        self._say("Priya Shah", f"link {code}")  # Hopper Academy is on Teams: one network across both
        for name, school, *_ in PEOPLE:
            self._say(name, f"join {school}")
        self._say("Sam Patel", "partnership Science Link with Hopper Academy, Lovelace Primary")
        self._say("Sam Patel", "channel Science Link")

    def teardown(self) -> None:
        """At the end of the history, however it went: no erased name has come back anywhere."""
        print(
            "KINDS",
            sorted({row.kind for *_, row in self.heard.sent}),
            [r.title[:70] for r in self.replies if not r.ok][:12],
        )
        try:
            if self.erased:
                assert erased_names_left(self.db, self.erased) == []
        finally:
            self.db.close()

    # --- the people ---------------------------------------------------------------------------------------------

    def _say(self, who: str, text: str) -> Message:
        reply = self.kept.handle(self.callers[who], text)
        self.replies.append(reply)
        return reply

    def _here(self) -> list[str]:
        return [name for name, *_ in PEOPLE if name not in self.erased]

    @rule(data=st.data(), how_many=st.integers(min_value=1, max_value=3))
    def promise(self, data: st.DataObject, how_many: int) -> None:
        for _ in range(how_many):
            who = data.draw(st.sampled_from(self._here()))
            school = data.draw(st.sampled_from(SCHOOLS))
            what, when = data.draw(st.sampled_from(THINGS)), data.draw(st.sampled_from(WHEN))
            self._say(who, f"promise {what} to {school} by {when}")

    @rule(
        data=st.data(),
        verb=st.sampled_from(
            (
                "done",
                "confirm",
                "help-needed",
                "snooze {} 1 week",
                "snooze {} Monday week",
                "release {} the minibus broke",
                "thanks {} lovely, thank you",
                "done",
                "confirm",
            )
        ),
    )
    def act_on_a_promise(self, data: st.DataObject, verb: str) -> None:
        """Any verb on any promise, by anyone: wrong people, closed promises and double presses included."""
        who = data.draw(st.sampled_from(self._here()))
        ref = f"C{data.draw(st.integers(min_value=1, max_value=8))}"
        self._say(who, verb.format(ref) if "{}" in verb else f"{verb} {ref}")

    @rule(data=st.data(), kind=st.sampled_from(("offer", "request")))
    def board(self, data: st.DataObject, kind: str) -> None:
        who = data.draw(st.sampled_from(self._here()))
        self._say(who, f"{kind} [specialist staff] {data.draw(st.sampled_from(THINGS))} for Year 9")

    @rule(data=st.data())
    def match_and_accept(self, data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(self._here()))
        self._say(who, "match")
        self._say(who, f"accept M{data.draw(st.integers(min_value=1, max_value=4))}")

    @rule(
        data=st.data(), change=st.sampled_from(("plan", "reschedule", "cancel", "impact", "assign", "take", "decline"))
    )
    def joint_session(self, data: st.DataObject, change: str) -> None:
        who = data.draw(st.sampled_from(self._here()))
        ref = f"S{data.draw(st.integers(min_value=1, max_value=3))}"
        other = data.draw(st.sampled_from([n for n in self._here() if n != who] or [who]))
        said = {
            "plan": "session Rocket day on Monday week 10am at Hopper Academy with Hopper Academy, St Ada's School",
            "reschedule": f"reschedule {ref} in a fortnight 2pm",
            "cancel": f"cancel {ref} the coach fell through",
            "impact": f"impact {ref} 28 pupils, 3 staff: the Year 6s loved the rockets",
            "assign": f"assign {ref} transport to {other}",
            "take": f"take {ref} transport",
            "decline": f"decline {ref} transport",
        }[change]
        self._say(who, said)

    @rule(data=st.data(), what=st.sampled_from(("away until Friday", "away until Monday week", "back")))
    def away_and_back(self, data: st.DataObject, what: str) -> None:
        self._say(data.draw(st.sampled_from(self._here())), what)

    @rule(data=st.data())
    def leads_look_after_it(self, data: st.DataObject) -> None:
        lead = data.draw(st.sampled_from([n for n in ("Sam Patel", "Priya Shah", "Charles Babbage")]))
        staff = {"Sam Patel": "Grace Okafor", "Priya Shah": "Alan Turing", "Charles Babbage": "Annie Easley"}[lead]
        for said in (f"handover {staff} to me", "health", "digest", f"handover me to {staff}"):
            if lead not in self.erased:
                self._say(lead, said)

    @precondition(lambda self: len(self.erased) < 2)
    @rule(data=st.data())
    def forget_me(self, data: st.DataObject) -> None:
        who = data.draw(
            st.sampled_from(
                [n for n in ("Grace Okafor", "Alan Turing", "Annie Easley") if n not in self.erased] or ["Annie Easley"]
            )
        )
        if who in self.erased:
            return
        with self.db.transaction() as session:  # open promises must be let go first
            member = session.exec(select(Member).where(Member.name == who)).one()
            held = session.exec(
                select(Commitment.id).where(Commitment.owner_id == member.id, Commitment.status == "open")
            )
            refs = [f"C{c}" for c in held.all()]
        for ref in refs:
            self._say(who, f"release {ref} leaving the school")
        reply = self._say(who, "forget me confirm")
        if reply.ok:
            self.erased.add(who)
            assert erased_names_left(self.db, self.erased) == []

    @rule(hours=st.sampled_from((1, 5, 20, 49, 70, 120)))
    def time_passes(self, hours: int) -> None:
        """The clock moves, and the scheduler ticks every few hours on the way, as a worker would."""
        target = self.clock.now() + timedelta(hours=hours)
        while self.clock.now() < target:
            self.clock.advance(min(timedelta(hours=8), target - self.clock.now()))
            asyncio.run(self.loop.tick())

    # --- what must always hold --------------------------------------------------------------------------------

    @invariant()
    def every_message_was_true_when_sent(self) -> None:
        assert not self.heard.wrong, self.heard.wrong

    @invariant()
    def no_reply_is_the_internal_error_apology(self) -> None:
        apologies = [r.title for r in self.replies if r.title.startswith(APOLOGY)]
        assert not apologies, apologies


MessageTruth.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestMessageTruth = MessageTruth.TestCase
