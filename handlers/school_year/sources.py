"""Reading term dates from what local authorities and schools publish: an iCalendar file, or a simple CSV.

CSV, one row a term or a day off (a header row is optional; dates day-first or ISO; the end may be left empty for
a single day):

    kind,name,starts,ends
    term,Autumn term,02/09/2026,18/12/2026
    holiday,October half term,26/10/2026,30/10/2026
    inset,INSET day,05/01/2027,

iCalendar: events whose summary names a term ("Autumn term", or markers such as "Autumn term starts" and
"Autumn term ends") are terms; events that name a holiday, half term, break, INSET or training day, closure or
bank holiday are days off. Everything else is left out and counted. A file with holidays but no terms has its terms
worked out as the time between the long holidays (ten days or more).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from handlers.dates import describe_date
from handlers.errors import CommandError
from handlers.terms import Span

if TYPE_CHECKING:
    from icalendar.cal import Component

MAX_BYTES = 1_000_000
MAX_ROWS = 500
LONG_BREAK = 10  # days: a holiday this long separates terms; shorter ones are half terms and days off
DAY = timedelta(days=1)

_OFF = re.compile(r"holiday|half[\s-]?term|mid[\s-]?term|break|inset|training|closed|closure|staff day|in-service")
_TERM = re.compile(r"\bterm\b")
_STARTS = re.compile(r"\b(starts?|begins?|first day|opens?|returns?|start of)\b")
_ENDS = re.compile(r"\b(ends?|last day|finish(es)?|closes?|end of)\b")
_KINDS = {"term": "term", "holiday": "break", "half term": "break", "break": "break", "inset": "break"}
_KINDS |= {"closure": "break", "bank holiday": "break", "day off": "break", "training day": "break"}


class SourceError(CommandError):
    """Term dates that could not be read; the reason says where and how to put it right. Nothing was loaded."""


@dataclass(frozen=True)
class TermDates:
    """What a file said: its terms, the days off inside them, and how many entries were left out."""

    terms: tuple[Span, ...]
    breaks: tuple[Span, ...]
    left_out: int = 0

    @property
    def first(self) -> date:
        return min(t.starts_on for t in self.terms)

    @property
    def last(self) -> date:
        return max(t.ends_on for t in self.terms)

    def summary(self) -> str:
        """`3 terms and 4 breaks, from Wed 2 Sep 2026 to Wed 21 Jul 2027`."""
        counted = f"{len(self.terms)} term{'s' * (len(self.terms) != 1)}"
        counted += f" and {len(self.breaks)} day{'s' * (len(self.breaks) != 1)} off" if self.breaks else ""
        span = f"{describe_date(self.first, with_year=True)} to {describe_date(self.last, with_year=True)}"
        skipped = (
            f" ({self.left_out} other {'entry' if self.left_out == 1 else 'entries'} left out)" if self.left_out else ""
        )
        return f"{counted}, from {span}{skipped}"


def read(content: bytes | str) -> TermDates:
    """Term dates from an iCalendar file or a CSV, whichever `content` is. Raises SourceError."""
    data = content if isinstance(content, str) else content[: MAX_BYTES + 1].decode("utf-8-sig", errors="replace")
    if len(data) > MAX_BYTES:
        raise SourceError("That file is larger than I can read (1 MB). Term dates fit in far less.")
    if "BEGIN:VCALENDAR" in data[:2000].upper():
        return read_ics(data)
    return read_csv(data)


def read_ics(text: str) -> TermDates:
    """Term dates from an iCalendar file (what local authorities publish)."""
    from icalendar import Calendar as ICalendar

    try:
        calendar = ICalendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise SourceError("I couldn't read that as an iCalendar file. Is it the .ics link, not the web page?") from exc
    terms: list[Span] = []
    breaks: list[Span] = []
    markers: list[tuple[date, str, str]] = []  # (day, "start" or "end", summary)
    left_out = 0
    for event in calendar.walk("VEVENT"):
        summary = " ".join(str(event.get("SUMMARY", "")).split())
        starts, ends = _event_days(event)
        if starts is None or ends is None:
            left_out += 1
            continue
        kind = _kind_of(summary.lower())
        if kind in ("start", "end"):
            markers.append((starts if kind == "start" else ends, kind, summary))
        elif kind == "term":
            terms.append(Span(_term_name(summary, starts), starts, ends))
        elif kind == "break":
            breaks.append(Span(summary[:120] or "Day off", starts, ends))
        else:
            left_out += 1
    return assemble(terms + _paired(markers), breaks, left_out)


def _kind_of(summary: str) -> str:
    if _TERM.search(summary) and not re.search(r"half[\s-]?term|mid[\s-]?term", summary):
        if _STARTS.search(summary):
            return "start"
        if _ENDS.search(summary):
            return "end"
        return "term"
    return "break" if _OFF.search(summary) else ""


def _event_days(event: Component) -> tuple[date | None, date | None]:
    """An event's first and last day (an all-day DTEND is exclusive)."""
    start = event.decoded("DTSTART", None)
    if start is None:
        return None, None
    end = event.decoded("DTEND", None)
    if end is None and event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    first = start.date() if isinstance(start, datetime) else start
    if end is None:
        return first, first
    if isinstance(end, datetime):
        last = end.date() - (DAY if end.time() == datetime.min.time() and end.date() > first else timedelta())
    else:
        last = end - DAY if end > first else first
    return first, max(first, last)


def _paired(markers: list[tuple[date, str, str]]) -> list[Span]:
    """`Autumn term starts` ... `Autumn term ends` marker events as terms."""
    terms: list[Span] = []
    opened: tuple[date, str] | None = None
    for day, kind, summary in sorted(markers):
        if kind == "start":
            opened = (day, summary)
        elif opened is not None:
            terms.append(Span(_term_name(opened[1], opened[0]), opened[0], day))
            opened = None
    return terms


def _term_name(summary: str, starts: date) -> str:
    season = next((s for s in ("autumn", "spring", "summer") if s in summary.lower()), None)
    if season is None:
        season = "autumn" if starts.month >= 8 else "spring" if starts.month <= 2 or starts.month == 12 else "summer"
    return f"{season.capitalize()} term"


_ROW_START = re.compile(
    r"(?:(?<=\d)|(?<=,)|(?<=ends))\s+(?=(?:" + "|".join(_KINDS) + r"|kind),)|\s*;\s*", re.IGNORECASE
)


def read_csv(text: str) -> TermDates:
    """Term dates from CSV rows: `kind,name,starts,ends` (or `name,starts,ends`, the kind read from the name).

    Rows pasted into a chat that joins lines (Teams does) are split again before each kind, or at `;`.
    """
    if "\n" not in text.strip():
        text = _ROW_START.sub("\n", text)
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if len(rows) > MAX_ROWS:
        raise SourceError(f"That's more than {MAX_ROWS} rows. Please load one or two school years at a time.")
    terms: list[Span] = []
    breaks: list[Span] = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if number == 1 and any(cell.lower() in ("starts", "start", "from", "kind", "name") for cell in cells):
            continue  # a header row
        kind, span = _csv_row(cells, number)
        (terms if kind == "term" else breaks).append(span)
    return assemble(terms, breaks, 0)


def _csv_row(cells: list[str], number: int) -> tuple[str, Span]:
    if cells and cells[0].lower() in _KINDS:
        kind, rest = _KINDS[cells[0].lower()], cells[1:]
    else:
        rest = cells
        guessed = _kind_of(rest[0].lower()) if rest else ""
        kind = "term" if guessed in ("term", "start", "end") else "break"
    if len(rest) < 2 or not rest[0]:
        example = "holiday,October half term,26/10/2026,30/10/2026"
        raise SourceError(f"Row {number}: I need a name and a date, like `{example}`.")
    starts = _csv_date(rest[1], number)
    ends = _csv_date(rest[2], number) if len(rest) > 2 and rest[2] else starts
    if ends < starts:
        raise SourceError(f"Row {number}: `{rest[0][:40]}` ends before it starts.")
    name = _term_name(rest[0], starts) if kind == "term" and "term" not in rest[0].lower() else rest[0][:120]
    return kind, Span(name, starts, ends)


def _csv_date(text: str, number: int) -> date:
    found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})|(\d{4})-(\d{2})-(\d{2})", text)
    try:
        if found and found.group(4):
            return date(int(found.group(4)), int(found.group(5)), int(found.group(6)))
        if found:
            year = int(found.group(3))
            return date(year + 2000 if year < 100 else year, int(found.group(2)), int(found.group(1)))
    except ValueError:
        pass
    raise SourceError(f"Row {number}: I couldn't read `{text[:30]}` as a date. Write it day-first, like 02/09/2026.")


def assemble(terms: list[Span], breaks: list[Span], left_out: int) -> TermDates:
    """Terms and the days off inside them, checked: terms worked out from long holidays where none were given."""
    if not terms:
        terms, breaks = _terms_between(breaks)
    terms = sorted(terms, key=lambda t: t.starts_on)
    if not terms:
        raise SourceError(
            "I couldn't find any terms there. Give each term as a row (`term,Autumn term,02/09/2026,18/12/2026`) "
            "or as events such as `Autumn term starts` and `Autumn term ends`."
        )
    for earlier, later in zip(terms, terms[1:], strict=False):
        if later.starts_on <= earlier.ends_on:
            raise SourceError(f"Two terms overlap: {earlier.name} and {later.name} ({describe_date(later.starts_on)}).")
    if not all(2000 <= t.starts_on.year and t.ends_on.year <= 2100 for t in terms):
        raise SourceError("Those dates are outside the years I can plan (2000 to 2100).")
    inside = tuple(sorted((b for b in breaks if any(t.covers(b.starts_on) for t in terms)), key=lambda b: b.starts_on))
    return TermDates(tuple(terms), inside, left_out)  # days off between terms are holidays already


def _terms_between(breaks: list[Span]) -> tuple[list[Span], list[Span]]:
    """Terms as the time between long holidays (a file that lists only holidays)."""
    long = sorted(
        (b for b in breaks if (b.ends_on - b.starts_on).days + 1 >= LONG_BREAK and not _is_half(b)),
        key=lambda b: b.starts_on,
    )
    terms = [
        Span(_term_name("", before.ends_on + DAY), before.ends_on + DAY, after.starts_on - DAY)
        for before, after in zip(long, long[1:], strict=False)
        if after.starts_on > before.ends_on + DAY
    ]
    return terms, [b for b in breaks if b not in long]


def _is_half(span: Span) -> bool:
    return bool(re.search(r"half[\s-]?term|mid[\s-]?term|october|halloween", span.name.lower()))
