"""How long a joint session lasts: `for 90 minutes`, `for an hour and a half`, `until 15:30`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.dates import split_time
from handlers.errors import BadDate

_LENGTH = re.compile(
    r"\s+for\s+(an?|one|half an|\d{1,3}(?:\.\d)?)\s*(?:(and a half)\s+)?(hours?|hrs?|h|minutes?|mins?|m)\b"
    r"(?:\s+and\s+a\s+half)?",
    re.IGNORECASE,
)
_UNTIL = re.compile(r"\s+(?:until|till|til)\s+(\S+(?:\s*[ap]\.?m\.?)?)", re.IGNORECASE)
MAX_SESSION = timedelta(hours=12)


@dataclass(frozen=True)
class Length:
    """How long a session lasts: a duration (`for 90 minutes`) or an end time (`until 15:30`)."""

    duration: timedelta | None = None
    until: time | None = None

    def end(self, starts_at: datetime, zone: ZoneInfo) -> datetime:
        """When a session that starts at `starts_at` ends. Raises BadDate for an end before the start."""
        if self.duration is not None:
            ends_at = starts_at + self.duration
        else:
            assert self.until is not None
            local = starts_at.astimezone(zone)
            ends_at = datetime.combine(local.date(), self.until, tzinfo=zone).astimezone(UTC)
        if not starts_at < ends_at <= starts_at + MAX_SESSION:
            raise BadDate("A session should end after it starts, and within twelve hours.")
        return ends_at


def split_length(text: str) -> tuple[str, Length | None]:
    """`4/12 10am for 90 minutes at St Ada's` -> (`4/12 10am at St Ada's`, 90 minutes); also `until 15:30`."""
    found = _LENGTH.search(text)
    if found:
        return text[: found.start()] + text[found.end() :], Length(duration=_duration(found))
    found = _UNTIL.search(text)
    if found:
        _, at = split_time(found.group(1).lower(), found.group(1))
        if at is None:
            raise BadDate(f"I couldn't read `{found.group(1)[:20]}` as a time. Try `until 15:30` or `until 3pm`.")
        return text[: found.start()] + text[found.end() :], Length(until=at)
    return text, None


def _duration(found: re.Match[str]) -> timedelta:
    amount = {"a": 1.0, "an": 1.0, "one": 1.0, "half an": 0.5}.get(found.group(1).lower())
    value = amount if amount is not None else float(found.group(1))
    if found.group(2) or found.group(0).lower().rstrip().endswith("and a half"):
        value += 0.5
    minutes = value if found.group(3).lower().startswith("m") else value * 60
    return timedelta(minutes=round(minutes))
