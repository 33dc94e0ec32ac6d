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
from handlers.partnerships import digest, health, mou, network, privacy, review, schools
from handlers.promises import away, commitments, records
from handlers.school_year import loading as school_year

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
        "session <title> on <date time> [for 90 minutes] at <venue> with <school>, <school>",
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
        "privacy",
        "privacy",
        "who sees what on Kept",
        privacy.privacy,
        group="Your data",
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
        "take",
        "take <S12> <item>",
        "say yes to a checklist item another school asked you to take on",
        checklist.take,
        group="Partnership insight",
    ),
    Verb(
        "decline",
        "decline <S12> <item>",
        "say no, kindly, to a checklist item you were asked to take on",
        checklist.decline,
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
    Verb(
        "review",
        "review [partnership] [term]",
        "the term's review for heads and governors, as a link (leads; `review revoke` stops it)",
        review.review,
        group="Partnership insight",
    ),
    Verb(
        "calendar",
        "calendar [network] [link <url> | csv <rows> | nation <name> | clear]",
        "your school's term dates: see them, or load your own (leads)",
        school_year.calendar,
        aliases=("term-dates",),
        group="Your school year",
    ),
    Verb(
        "session-length",
        "session-length <90 minutes>",
        "how long your school's joint sessions usually last (leads)",
        school_year.session_length,
        group="Your school year",
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


def help_message(unknown: str = "", args: str = "") -> Message:
    """The help card, grouped; for a word Kept doesn't know, a short refusal instead: a did-you-mean with a
    button that runs the suggestion (with what followed the word), and one line pointing to `help`."""
    if not unknown:
        groups: dict[str, list[str]] = {}
        for verb in VERBS:
            groups.setdefault(verb.group, []).append(f"`{verb.usage}`: {verb.summary}")
        return Message(
            title="Here's what Kept can do",
            text="\n\n".join(f"*{group}*\n" + "\n".join(lines) for group, lines in groups.items()),
            footer="Dates are day-first: 12/03 is 12 March; `end of term`, `half term` and `Monday week` work too. "
            "Refs look like C12 or O3.",
            actions=QUICK_ACTIONS,
        )
    said = unknown[:40].replace("`", "'")
    guess = suggest(unknown)
    if guess is None:
        return Message(
            title=f"Sorry, I don't know `{said}`.",
            text="Say `help` to see what I can do.",
            actions=(Action("help", "Show help", "help"),),
            ok=False,
        )
    meant = f"{guess} {args}".strip()[:MAX_TEXT]
    shown = (meant if len(meant) <= 60 else meant[:59].rstrip() + "…").replace("`", "'")
    return Message(
        title=f"Did you mean `{shown}`?",
        text=f"I don't know `{said}`. Say `help` to see what I can do.",
        actions=(Action("did_you_mean", guess.capitalize(), meant, "primary"),),
        ok=False,
    )
