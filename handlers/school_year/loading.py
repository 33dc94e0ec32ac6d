"""A school's calendar, as its lead keeps it: see it, load term dates (a link, or CSV rows pasted in), choose the
nation, set how long joint sessions usually last; and the upkeep behind it: links fetched again every week, and
leads told privately, a term ahead, when their term dates run out.

Fetching a link is slow and external, so a command never does it: it records the link as due, and the scheduler
fetches it (scheduler/calendars.py), hands the content to `apply_fetched` and the lead hears privately how it went.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from handlers.calendar import Calendar, calendar_for
from handlers.context import Actor, Context
from handlers.dates import describe_date
from handlers.errors import CommandError
from handlers.lookups import leads_of, name_key
from handlers.messages import Field, Message
from handlers.outbound import kinds, notices
from handlers.school_year.sources import SourceError, TermDates, read
from handlers.terms import NATIONS
from storage.models import CalendarSpan, School, SchoolCalendar

REFRESH_EVERY = timedelta(days=7)
RETRY_AFTER = timedelta(hours=6)
FETCH_LEASE = timedelta(minutes=10)  # one replica fetches a link at a time
RUN_OUT_NOTICE = timedelta(weeks=14)  # about a term ahead
PASTED = "rows pasted in chat"
USAGE = (
    "`calendar` shows your school's term dates. Leads can say `calendar link <iCalendar or CSV link>`, "
    "`calendar csv` with rows on the lines below, `calendar nation wales`, or `calendar clear`; "
    "add `network` (`calendar network link …`) to set the dates for every school in your network."
)
_URL = re.compile(r"^<?(https?://[^\s<>|]+)(?:\|[^>]*)?>?$", re.IGNORECASE)  # Slack wraps links as <url|label>


def calendar(ctx: Context, args: str) -> Message:
    """`calendar [network] [link <url> | csv <rows> | nation <name> | clear]`: see or set the term dates."""
    actor = ctx.require_member()
    words = args.strip()
    whole_network = bool(re.match(r"network\b", words, re.IGNORECASE))
    words = re.sub(r"^network\b\s*", "", words, flags=re.IGNORECASE)
    found = re.match(r"(\S*)\s*(.*)", words, re.DOTALL)
    action, rest = (found.group(1).lower(), found.group(2)) if found else ("", "")
    if not action:
        return show(ctx, actor)
    ctx.require_lead("change your school's calendar")
    if action == "link":
        return _link(ctx, actor, rest.strip(), whole_network)
    if action == "csv":
        return _pasted(ctx, actor, rest, whole_network)
    if action == "nation" and not whole_network:
        return _nation(ctx, actor, rest)
    if action == "clear":
        return _clear(ctx, actor, whole_network)
    raise CommandError(USAGE)


def show(ctx: Context, actor: Actor) -> Message:
    """Where the caller's school's dates come from, the term now, and what comes next."""
    school_calendar = calendar_for(ctx.session, actor.school_id)
    today = ctx.now.astimezone(ctx.timezone).date()
    term = next(school_calendar.terms_from(today), None)
    half = next(school_calendar.half_terms_from(today), None)
    fields = [Field("Term dates", school_calendar.label), Field("Nation", NATIONS.get(_nation_of(actor), "England"))]
    if term:
        fields.append(Field(term.name, _range(term.starts_on, term.ends_on)))
    if half:
        fields.append(Field("Next half term", f"{half.name}, {_range(half.starts_on, half.ends_on)}"))
    fields.append(Field("Joint sessions last", _minutes(actor.school.session_minutes or 120)))
    return Message(title=f"{actor.school_name}'s calendar", fields=tuple(fields), footer=_coverage(school_calendar))


def _coverage(school_calendar: Calendar) -> str:
    until = school_calendar.loaded_until
    if until is None:
        return "These are typical dates; your local authority's make nudges and `end of term` exact. " + USAGE
    return f"Your loaded dates run to {describe_date(until, with_year=True)}; after that I use typical dates."


def _range(starts: date, ends: date) -> str:
    return f"{describe_date(starts, with_year=True)} to {describe_date(ends, with_year=True)}"


def _nation_of(actor: Actor) -> str:
    return actor.school.nation or "england"


def _row(ctx: Context, actor: Actor, whole_network: bool, source: str) -> SchoolCalendar:
    school = None if whole_network else actor.school
    return calendar_row(ctx.session, actor.network_id, school, source, actor.member_id)


def calendar_row(
    session: Session, network_id: int, school: School | None, source: str, loaded_by: int | None
) -> SchoolCalendar:
    """A school's calendar row (a network's, with no school), made if it has none; its source replaced."""
    school_id = school.id if school else None
    row = session.exec(
        select(SchoolCalendar).where(
            SchoolCalendar.network_id == network_id,
            col(SchoolCalendar.school_id).is_(None) if school_id is None else SchoolCalendar.school_id == school_id,
        )
    ).first()
    row = row or SchoolCalendar(network_id=network_id, school_id=school_id, name="", source="")
    row.name = f"Term dates for {school.name if school else 'the network'}"[:160]
    row.source = source[:1000]
    row.loaded_by = loaded_by
    row.last_error = ""
    session.add(row)
    session.flush()
    return row


def _link(ctx: Context, actor: Actor, text: str, whole_network: bool) -> Message:
    found = _URL.match(text)
    if not found:
        raise CommandError("Please give the link to your term dates: an https:// link to an .ics or .csv file.")
    row = _row(ctx, actor, whole_network, found.group(1))
    row.refresh_at = ctx.now
    row.loaded_at = None  # so the lead hears how the new link went
    ctx.log("calendar link", row.name, source=row.source)
    return Message(
        title="Thank you: I'll fetch those term dates in a moment.",
        text=f"I'll tell you privately what I found, and look again every week. Until then I use "
        f"{calendar_for(ctx.session, actor.school_id).label}.",
    )


def _pasted(ctx: Context, actor: Actor, text: str, whole_network: bool) -> Message:
    dates = read(text.strip())
    row = _row(ctx, actor, whole_network, PASTED)
    row.refresh_at = None
    store(ctx.session, row, dates, ctx.now)
    ctx.log("calendar csv", row.name, summary=dates.summary())
    return Message(title=f"Loaded the {_lower_first(row.name)}: {dates.summary()}.", footer=_coverage_note(dates))


def _lower_first(name: str) -> str:
    """`Term dates for St Ada's School` inside a sentence: `term dates for St Ada's School`."""
    return name[:1].lower() + name[1:]


def _coverage_note(dates: TermDates) -> str:
    return (
        f"After {describe_date(dates.last, with_year=True)} I'll use typical dates, and tell you a term ahead "
        "so you can load the next year's."
    )


def store(session: Session, row: SchoolCalendar, dates: TermDates, now: datetime) -> None:
    """Replace a calendar's terms and days off with `dates`."""
    session.execute(delete(CalendarSpan).where(col(CalendarSpan.calendar_id) == row.id))
    for kind, spans in (("term", dates.terms), ("break", dates.breaks)):
        for span in spans:
            session.add(
                CalendarSpan(
                    calendar_id=row.id or 0, kind=kind, name=span.name, starts_on=span.starts_on, ends_on=span.ends_on
                )
            )
    row.last_day = dates.last
    row.loaded_at = now
    row.last_error = ""
    session.add(row)


def _nation(ctx: Context, actor: Actor, text: str) -> Message:
    nation = " ".join(text.lower().split())
    if nation not in NATIONS:
        raise CommandError(f"I know the school years of {', '.join(NATIONS.values())}. Say `calendar nation wales`.")
    _change_school(ctx, actor, "calendar nation", "nation", nation)
    return Message(
        title=f"{actor.school_name} now follows {NATIONS[nation]}'s bank holidays and typical term dates.",
        footer="Term dates you load yourself still come first.",
    )


def _change_school(ctx: Context, actor: Actor, action: str, field: str, value: str | int) -> None:
    setattr(actor.school, field, value)
    ctx.session.add(actor.school)
    detail: dict[str, Any] = {field: value}
    ctx.log(action, actor.school_name, **detail)


def _clear(ctx: Context, actor: Actor, whole_network: bool) -> Message:
    row = _row(ctx, actor, whole_network, "")
    ctx.session.execute(delete(CalendarSpan).where(col(CalendarSpan.calendar_id) == row.id))
    ctx.session.delete(row)
    ctx.log("calendar clear", row.name)
    return Message(title=f"Cleared. I'll use {calendar_for(ctx.session, actor.school_id).label}.")


def session_length(ctx: Context, args: str) -> Message:
    """`session-length 90 minutes`: how long the school's joint sessions last when no one says (leads)."""
    actor = ctx.require_lead("set how long your school's joint sessions usually last")
    found = re.fullmatch(r"\s*(\d{1,3}(?:\.\d)?)\s*(hours?|hrs?|h|minutes?|mins?|m)?\s*", args, re.IGNORECASE)
    if not found:
        raise CommandError("Say how long, e.g. `session-length 90 minutes` or `session-length 2 hours`.")
    amount, unit = float(found.group(1)), (found.group(2) or "m").lower()
    minutes = round(amount * 60 if unit.startswith("h") else amount)
    if not 15 <= minutes <= 720:
        raise CommandError("A joint session should last between 15 minutes and 12 hours.")
    _change_school(ctx, actor, "session-length", "session_minutes", minutes)
    return Message(
        title=f"Joint sessions at {actor.school_name} now last {_minutes(minutes)} unless you say otherwise.",
        footer="Say `for 90 minutes` or `until 15:30` when you plan one to set its own.",
    )


def _minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    said = f"{hours} hour{'s' * (hours != 1)}"
    return said + (f" {rest} minutes" if rest else "")


# ------------------------------------------------------------------------------------------ the scheduler's side


def claim_due_links(session: Session, now: datetime) -> list[tuple[int, str]]:
    """Calendars whose link is due a fetch, held for FETCH_LEASE so another replica leaves them alone."""
    rows = session.exec(
        select(SchoolCalendar)
        .where(col(SchoolCalendar.refresh_at).is_not(None), col(SchoolCalendar.refresh_at) <= now)
        .order_by(col(SchoolCalendar.refresh_at))
        .limit(20)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.refresh_at = now + FETCH_LEASE
        session.add(row)
    return [(row.id or 0, row.source) for row in rows]


def apply_fetched(session: Session, calendar_id: int, content: bytes | None, problem: str, now: datetime) -> None:
    """Load what a link gave (or note why it gave nothing), and tell the lead who gave the link, privately.

    A link that fails keeps the dates it had; the lead hears once per run of failures, not every time.
    """
    row = session.get(SchoolCalendar, calendar_id)
    if row is None:
        return
    first_time = row.loaded_at is None
    try:
        if content is None:
            raise SourceError(problem or "I couldn't fetch it.")
        dates = read(content)
    except SourceError as exc:
        failing_already = bool(row.last_error)
        row.last_error, row.refresh_at = exc.reason[:300], now + RETRY_AFTER
        session.add(row)
        if not failing_already:
            _tell(session, row, f"calendar-failed:{row.id}:{now:%Y%m%d%H%M}", _failed(row, exc.reason), now)
        return
    store(session, row, dates, now)
    row.refresh_at = now + REFRESH_EVERY
    if first_time:
        title = f"Loaded the {_lower_first(row.name)}: {dates.summary()}."
        _tell(
            session,
            row,
            f"calendar-loaded:{row.id}:{now:%Y%m%d%H%M}",
            Message(title=title, footer=_coverage_note(dates)),
            now,
        )


def _failed(row: SchoolCalendar, reason: str) -> Message:
    return Message(
        title="I couldn't load your term dates from the link you gave",
        text=f"{reason}\nI'll keep using the dates I had, and try again in a few hours.",
        fields=(Field("Link", row.source),),
    )


def _tell(session: Session, row: SchoolCalendar, key: str, message: Message, now: datetime) -> None:
    for lead in _leads(session, row):
        notices.tell(session, lead, f"{key}:{lead}", message, now, kind=kinds.CALENDAR_NEWS)


def _leads(session: Session, row: SchoolCalendar) -> list[int]:
    """Who hears about a calendar: the lead who loaded it, else the leads of the schools it is for."""
    if row.loaded_by is not None:
        return [row.loaded_by]
    schools = (
        [row.school_id]
        if row.school_id
        else list(session.exec(select(School.id).where(School.network_id == row.network_id)))
    )
    return [lead.id for lead in leads_of(session, [s for s in schools if s]) if lead.id is not None]


def watch_coverage(session: Session, now: datetime) -> int:
    """Tell leads privately, a term ahead, that their loaded term dates are running out. Returns how many calendars."""
    today = now.date()
    rows = session.exec(
        select(SchoolCalendar).where(
            col(SchoolCalendar.last_day).is_not(None), col(SchoolCalendar.last_day) <= today + RUN_OUT_NOTICE
        )
    ).all()
    for row in rows:
        assert row.last_day is not None
        ends = describe_date(row.last_day, with_year=True)
        message = Message(
            title=f"Your term dates run out on {ends}",
            text=f"{row.name} go no further than {ends}. After that I'll use typical dates for nudges, holidays and "
            "`end of term`. When your local authority publishes next year's, say `calendar link <link>` or "
            "`calendar csv` with the rows.",
        )
        _tell(session, row, f"calendar-ends:{row.id}:{row.last_day}", message, now)
    return len(rows)


def load_file(session: Session, school_name: str, content: bytes, now: datetime, *, whole_network: bool) -> str:
    """`kept calendar FILE --school NAME [--network]`: the operator loads term dates from a file on the server."""
    schools = session.exec(select(School).where(School.name_key == name_key(school_name))).all()
    if len(schools) != 1:
        found = "no school" if not schools else "more than one school"
        raise CommandError(f"I found {found} called `{school_name[:60]}`. Check the name in `kept export`.")
    school = schools[0]
    dates = read(content)
    row = calendar_row(session, school.network_id, None if whole_network else school, "a file", None)
    row.refresh_at = None
    store(session, row, dates, now)
    return f"Loaded the {_lower_first(row.name)}: {dates.summary()}."
