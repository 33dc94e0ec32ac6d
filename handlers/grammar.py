"""The /partner grammar: one table of verbs, the help text drawn from it, and `parse(text)`.

The same text works in Slack (`/partner offer ...`), Teams (`@Kept offer ...`, or just `offer ...` in a 1:1
chat) and `kept chat`. Adding a verb is one row here and one function in the module that owns it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from handlers.board import expiry, glossary, listings, matching
from handlers.context import Context
from handlers.joint_sessions import checklist, impact, invitation, schedule
from handlers.messages import Action, Message
from handlers.partnerships import digest, health, mou, network, privacy, schools
from handlers.promises import away, commitments, records

MAX_TEXT = 4000  # Slack's own limit for a slash command's text

Run = Callable[[Context, str], Message]
Submit = Callable[[Context, str, dict[str, str]], Message]


@dataclass(frozen=True)
class Verb:
    name: str
    usage: str
    summary: str
    run: Run
    aliases: tuple[str, ...] = ()
    group: str = "Everyday"


def _help(ctx: Context, args: str) -> Message:
    return help_message()


VERBS: tuple[Verb, ...] = (
    Verb(
        "join",
        "join <school name>",
        "join your school on Kept (the first to join is its lead)",
        schools.join,
        group="Getting started",
    ),
    Verb("help", "help", "what Kept can do", _help, group="Getting started"),
    Verb("offer", "offer [category] <what you can give>", "offer help to other schools", listings.offer),
    Verb(
        "request",
        "request [category] <what you need>",
        "ask other schools for help",
        listings.request,
        aliases=("ask",),
    ),
    Verb("board", "board", "open offers and requests across the network", listings.show_board),
    Verb("promise", "promise <what> to <school> by <date>", "make a commitment to another school", commitments.promise),
    Verb("done", "done <ref>", "mark a commitment delivered", commitments.mark_done),
    Verb("release", "release <ref> <reason>", "let a commitment go, with notice", commitments.release),
    Verb("snooze", "snooze <ref> <when>", "move a commitment's due date", commitments.snooze),
    Verb("mine", "mine", "your open commitments", commitments.mine),
    Verb(
        "help-needed",
        "help-needed <C12> [note]",
        "tell your lead, privately, a promise needs a hand",
        away.help_needed,
        aliases=("need-help",),
    ),
    Verb("away", "away until <date>", "hold your reminders while you're away (your lead covers)", away.away),
    Verb("back", "back", "you're back: your reminders run again", away.back),
    Verb(
        "session",
        "session <title> on <date time> at <venue> with <school>, <school>",
        "plan a joint session",
        schedule.plan,
        group="Joint sessions",
    ),
    Verb("sessions", "sessions", "joint sessions coming up", schedule.upcoming, group="Joint sessions"),
    Verb(
        "reschedule",
        "reschedule <S12> <date time>",
        "move a joint session (its organiser or their lead)",
        schedule.reschedule,
        aliases=("move",),
        group="Joint sessions",
    ),
    Verb(
        "cancel",
        "cancel <S12> <reason>",
        "call a joint session off, with notice",
        schedule.cancel,
        group="Joint sessions",
    ),
    Verb(
        "partnership",
        "partnership <name> with <school>, <school>",
        "start a partnership between your school and others",
        schools.start_partnership,
        group="Partnerships",
    ),
    Verb(
        "channel",
        "channel <partnership>",
        "send a partnership's weekly digest to this channel",
        schools.use_channel,
        group="Partnerships",
    ),
    Verb(
        "invite",
        "invite",
        "a code for a partner school on another Slack workspace or Teams organisation (leads)",
        network.invite,
        group="Partnerships",
    ),
    Verb(
        "link",
        "link <code>",
        "bring your workspace or organisation into the network that invited you",
        network.link,
        group="Getting started",
    ),
    Verb(
        "forget",
        "forget me",
        "erase your details from Kept (what your school delivered stays)",
        privacy.forget,
        group="Your data",
    ),
    Verb(
        "match",
        "match [R12]",
        "offers that could meet your school's requests",
        matching.match,
        group="Partnership insight",
    ),
    Verb(
        "accept",
        "accept <M12>",
        "accept a match: the offering school commits to deliver",
        matching.accept,
        group="Partnership insight",
    ),
    Verb(
        "words",
        "words [<idea> = <word>, <word>]",
        "your network's own words for matching (leads add them: `words DT = design technology`)",
        glossary.words,
        group="Partnership insight",
    ),
    Verb(
        "renew",
        "renew <O12 or R12>",
        "keep an offer or request open to the end of next term",
        expiry.renew,
        group="Partnership insight",
    ),
    Verb(
        "record",
        "record",
        "your delivery record (and your school's, for leads)",
        records.record,
        group="Partnership insight",
    ),
    Verb(
        "confirm",
        "confirm <C12>",
        "confirm a delivery to your school arrived",
        records.confirm,
        group="Partnership insight",
    ),
    Verb(
        "thanks",
        "thanks <C12> <words>",
        "thank the people who delivered to your school",
        records.thanks,
        aliases=("thank",),
        group="Partnership insight",
    ),
    Verb(
        "health",
        "health [partnership]",
        "give and take between the schools in a partnership",
        health.health,
        group="Partnership insight",
    ),
    Verb(
        "handover",
        "handover <colleague> to <colleague>",
        "move a colleague's open commitments (leads)",
        health.handover,
        group="Partnership insight",
    ),
    Verb(
        "stage",
        "stage [partnership] [stage]",
        "a partnership's depth: recorded, and Kept's suggestion",
        health.stage,
        group="Partnership insight",
    ),
    Verb(
        "mou",
        "mou [partnership] [set <field> <text>]",
        "a partnership's agreement: see it, or edit it (leads)",
        mou.mou,
        group="Partnership insight",
    ),
    Verb(
        "checklist",
        "checklist <S12>",
        "a joint session's logistics and who has each item",
        checklist.checklist,
        group="Partnership insight",
    ),
    Verb(
        "assign",
        "assign <S12> <item> to <colleague or me> by <date>",
        "make a checklist item a commitment",
        checklist.assign,
        group="Partnership insight",
    ),
    Verb(
        "ics",
        "ics <S12>",
        "a calendar invitation for a joint session",
        invitation.ics,
        group="Partnership insight",
    ),
    Verb(
        "impact",
        "impact <S12> <pupils> pupils, <staff> staff: <one line>",
        "record a session's impact",
        impact.impact,
        group="Partnership insight",
    ),
    Verb(
        "digest",
        "digest [partnership]",
        "preview this week's digest for a partnership",
        digest.digest,
        group="Partnership insight",
    ),
)

FORMS: dict[str, Submit] = {
    "mou": mou.submit_mou,
    "offer": listings.submit_offer,
    "request": listings.submit_request,
    "promise": commitments.submit_promise,
    "release": commitments.submit_release,
    "snooze": commitments.submit_snooze,
}


@dataclass(frozen=True)
class Command:
    verb: Verb | None
    args: str
    said: str


_LEADING = re.compile(r"^\s*/?partner\b[:,]?\s*", re.IGNORECASE)


def lookup(word: str) -> Verb | None:
    word = word.lower()
    return next((v for v in VERBS if word == v.name or word in v.aliases), None)


def parse(text: str) -> Command:
    """Split text into a verb and its arguments. An unknown verb parses to `verb=None`."""
    text = _LEADING.sub("", text.strip(), count=1).strip()
    word, _, args = text.partition(" ")
    if not word:
        return Command(verb=lookup("help"), args="", said="")
    return Command(verb=lookup(word), args=args.strip(), said=word)


def suggest(word: str) -> str | None:
    names = [v.name for v in VERBS] + [a for v in VERBS for a in v.aliases]
    close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.6)
    return close[0] if close else None


# The forms anyone can start from help (Slack's `/partner` alone, the Home tab): each button opens its form.
QUICK_ACTIONS = (
    Action("offer", "Offer help", "offer"),
    Action("request", "Ask for help", "request"),
    Action("promise", "Make a promise", "promise", "primary"),
)


def help_message(unknown: str = "") -> Message:
    """The help card, grouped; with a did-you-mean when the caller typed something Kept doesn't know."""
    groups: dict[str, list[str]] = {}
    for verb in VERBS:
        groups.setdefault(verb.group, []).append(f"`{verb.usage}`: {verb.summary}")
    text = "\n\n".join(f"*{group}*\n" + "\n".join(lines) for group, lines in groups.items())
    if not unknown:
        return Message(
            title="Here's what Kept can do",
            text=text,
            footer="Dates are day-first: 12/03 is 12 March. Refs look like C12 or O3.",
            actions=QUICK_ACTIONS,
        )
    guess = suggest(unknown)
    title = f"Sorry, I don't know `{unknown[:40]}`."
    if guess:
        title += f" Did you mean `{guess}`?"
    return Message(title=title, text=text, ok=False)
