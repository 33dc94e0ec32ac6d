"""Every kind of message Kept sends, from a scripted partnership run through the real core.

St Ada's School and Hopper Academy work together in Teams: they join, offer, ask, promise, plan a joint session
and deliver, while a movable clock walks through a fortnight and the delivery loop (with a recording notifier)
sends the nudges, reminders, notices and the weekly digest. Nothing is built by hand: each `Shot` is a Message
Kept itself returned or sent. `make screenshots-messages` renders them; the browser tests check them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.console.repl import prompt
from bot.console.text import to_text
from handlers.clock import MovableClock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.messages import Message
from storage.db import Database, make_engine
from tests.harness.delivery import make_delivery_loop
from tests.harness.recording import RecordingNotifier

# Monday 23 November 2026, 09:00 in London: a school day in the autumn term.
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLATFORM, TENANT = "teams", "t-thames-valley"
LONG_REQUEST = (
    "Help with our Year 6 transition day on 14 January: we'd love two science teachers to run a practical "
    "session for about sixty pupils (anything hands-on: rockets, slime, circuits), a couple of sixth-formers "
    "to act as guides around the site, and if at all possible the loan of a minibus to bring the pupils from "
    "Hopper Academy and back again after lunch. We can cover the cost of fuel, and our own staff will be there "
    "all day to help with supervision, registers and first aid."
)


@dataclass(frozen=True)
class Shot:
    """One message to look at: `name` is its file name, `kind` what it is (the browser tests set limits per
    kind), `said` what was typed to get it (empty for what Kept sent on its own)."""

    name: str
    kind: str
    caption: str
    message: Message
    said: str = ""


@dataclass
class Gallery:
    kept: Kept
    clock: MovableClock
    inbox: RecordingNotifier
    shots: list[Shot] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    def say(self, who: str, text: str, name: str = "", kind: str = "reply", caption: str = "") -> Message:
        """`who` says `text`; with a name, the reply is kept as a shot."""
        reply = self.kept.handle(_caller(who), text)
        self.transcript.append(f"{who}> {text}")
        self.transcript.append(console(reply))
        if name:
            self.shots.append(Shot(name, kind, caption or text, reply, said=f"{who}: {text}"))
        return reply

    def advance(self, until: datetime) -> None:
        """Move the clock to `until` three hours at a time, ticking the delivery loop on the way as a worker would."""
        loop = make_delivery_loop(self.kept.db, self.clock, self.inbox)
        start = len(self.inbox.delivered)
        while self.clock.now() < until:
            self.clock.advance(min(timedelta(hours=3), until - self.clock.now()))
            asyncio.run(loop.tick())
        self.transcript.append(f":advance to {until:%a %d %b %H:%M} UTC")
        for address, message in self.inbox.delivered[start:]:
            self.transcript.append(f"→ {address.user_id or address.channel_id}\n{console(message)}")

    def sent(self, name: str, kind: str, caption: str, about: str) -> None:
        """Keep the first delivered message whose title says `about` as a shot."""
        for _, message in self.inbox.delivered:
            if about in message.title:
                self.shots.append(Shot(name, kind, caption, message))
                return
        raise AssertionError(f"nothing sent saying {about!r}: {self.inbox.titles()}")


def _caller(who: str) -> Caller:
    return Caller(PLATFORM, TENANT, "u-" + who.lower().replace(" ", "-"), who, channel_id="c-science-link")


def console(message: Message) -> str:
    """What `kept chat` shows: the message, or a form's prompts (answered here with nothing)."""
    if message.form is None:
        return to_text(message)
    return "\n".join([message.form.title, *(prompt(item) for item in message.form.inputs)])


@contextmanager
def _database() -> Iterator[Database]:
    db = Database(make_engine("sqlite://"))
    db.create_all()
    try:
        yield db
    finally:
        db.engine.dispose()


def build() -> Gallery:
    """Run the script and return every shot, in the order a teacher would meet them."""
    with _database() as db:
        clock = MovableClock(START)
        gallery = Gallery(Kept(db, clock), clock, RecordingNotifier(PLATFORM))
        _getting_started(gallery)
        _board(gallery)
        _promises(gallery)
        _sessions(gallery)
        _mistakes(gallery)
        _the_week(gallery)
        _the_next_week(gallery)
        return gallery


def _getting_started(g: Gallery) -> None:
    g.say("Sam Patel", "join St Ada's School", "welcome", caption="Joining a school")
    g.say("Priya Shah", "join Hopper Academy")
    g.say("Grace Okafor", "join St Ada's School")
    g.say("Sam Patel", "partnership Science Link with Hopper Academy", "partnership", caption="A partnership")
    g.say("Sam Patel", "channel Science Link", "channel", caption="Choosing the digest's channel")
    g.say("Sam Patel", "help", "help", kind="help", caption="Help")


def _board(g: Gallery) -> None:
    g.say("Priya Shah", "request [specialist staff] A Latin teacher for two GCSE pupils", "request", caption="Asking")
    g.say("Grace Okafor", "offer [specialist staff] Our Latin teacher on Tuesdays", "offer", caption="Offering")
    g.say("Priya Shah", f"request {LONG_REQUEST}")
    g.say("Sam Patel", "board", "board", kind="list", caption="The board, with one long request")
    g.say("Sam Patel", "offer", "offer-form", kind="form", caption="The offer form")
    g.say("Priya Shah", "match", "match", kind="list", caption="Matches for a request")
    g.advance(g.clock.now() + timedelta(hours=1))
    g.sent("match-notice", "notice", "A lead hears of a match", "could meet your request")


def _promises(g: Gallery) -> None:
    g.say(
        "Grace Okafor",
        "promise two physics practicals for Year 9 to Hopper Academy by Friday",
        "promise",
        kind="promise",
        caption="A promise logged",
    )
    g.say("Grace Okafor", "promise a careers talk for Year 11 to Hopper Academy by Friday")
    g.say("Sam Patel", "promise a minibus for the Year 6 visit to Hopper Academy by Friday")
    g.say("Sam Patel", "promise the science club kit list to Hopper Academy by 4/12")
    g.say("Sam Patel", "promise", "promise-form", kind="form", caption="The promise form")
    g.say("Sam Patel", "mine", "mine", kind="list", caption="Your open promises")
    g.say("Sam Patel", "release C4", "release-form", kind="form", caption="Releasing a promise")


def _sessions(g: Gallery) -> None:
    g.say(
        "Sam Patel",
        "session Rocket day on 2/12 10am at Hopper Academy with Hopper Academy",
        "session",
        caption="A joint session planned",
    )
    g.say("Priya Shah", "sessions", "sessions", kind="list", caption="Sessions coming up")
    g.say("Priya Shah", "checklist S1", "checklist", kind="list", caption="A session's checklist")


def _mistakes(g: Gallery) -> None:
    g.say("Grace Okafor", "doen C1", "typo", kind="refusal", caption="A typo: did you mean?")
    g.say("Grace Okafor", "xylophone", "unknown", kind="refusal", caption="A word Kept doesn't know")
    g.say("Priya Shah", "done C1", "refusal", kind="refusal", caption="Not yours to close")


def _the_week(g: Gallery) -> None:
    """To Friday: nudges before and on the due date; C1 is delivered and thanked; C2 needs a hand."""
    g.advance(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    g.sent("nudge", "nudge", "A nudge before a promise is due", "for Year 9: due Fri")
    g.sent("due-today", "nudge", "A nudge on the day", "for Year 9: due today")
    g.sent("session-week-ahead", "reminder", "A joint session a week ahead", "Rocket day: ")
    g.sent("key-person", "notice", "A partnership resting on one person", "Science Link rests on one person")
    g.say("Grace Okafor", "done C1", "done", caption="Marked delivered")
    g.advance(datetime(2026, 11, 27, 13, 0, tzinfo=UTC))  # Priya is asked whether it arrived
    g.sent("confirm-ask", "notice", "Did it arrive?", "delivered by St Ada's School (C1)")
    g.say("Priya Shah", "thanks C1 The Year 9s loved the practicals", "thanks", caption="Saying thank you")
    g.say("Grace Okafor", "help-needed C2", "help-needed", caption="Asking the lead for a hand")
    g.say("Priya Shah", "digest", "digest-preview", kind="digest", caption="Previewing the digest")


def _the_next_week(g: Gallery) -> None:
    """To the next Friday: the digest, overdue follow-ups, the lead told, the session and its impact ask."""
    g.advance(datetime(2026, 12, 8, 10, 0, tzinfo=UTC))
    g.sent("digest", "digest", "The weekly digest, in the partnership's channel", "This week in")
    g.sent("thanked", "notice", "Thanks passed on", "for Year 9 (C1)")
    g.sent("lead-hand", "notice", "The lead hears a promise needs a hand", "Grace Okafor would like a hand")
    g.sent("overdue", "nudge", "A promise past its date", ": was due")
    g.sent("session-tomorrow", "reminder", "A joint session tomorrow", "Rocket day: ")
    g.sent("impact-ask", "reminder", "After a joint session", "How did")
    g.sent("lead-overdue", "notice", "The lead hears of a promise a week late", ": a week past its date")
    g.say("Sam Patel", "record", "record", kind="list", caption="A delivery record")
    g.say("Sam Patel", "health", "health", kind="list", caption="Give and take")
