"""The bank holidays of the UK's four nations, from the `holidays` library, without holding the library.

The library's United Kingdom calendar loads every calendar the library knows (lunar and Hebrew tables among
them): 11 MiB resident and over 100 ms on the first date a process checks, for a few dozen dates a year. So a
serving process asks a short-lived Python process for the coming years' dates once, as it starts (`read_ahead`,
called by `kept serve` and `kept worker`), and keeps only the dates. Any other year, or a process that did not
read ahead, is answered by the library in-process, so the answer never depends on it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import date
from functools import lru_cache

log = logging.getLogger("kept")

SUBDIVISIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern ireland": "NIR"}
_known: dict[tuple[str, int], dict[date, str]] = {}

# Run in the short-lived process: every nation's bank holidays over the years asked, as one JSON line.
_READER = """
import json, sys, holidays
first, last, *subdivisions = sys.argv[1:]
years = range(int(first), int(last) + 1)
print(json.dumps({
    subdivision: {day.isoformat(): name for day, name in holidays.country_holidays("GB", subdiv=subdivision,
    years=years).items()}
    for subdivision in subdivisions
}))
"""


@lru_cache(maxsize=512)
def bank_holidays(nation: str, year: int) -> dict[date, str]:
    """The bank holidays of `nation` in `year`, from the `holidays` library (kept up to date upstream)."""
    subdivision = SUBDIVISIONS.get(nation)
    if subdivision is None or not 1900 < year < 9990:
        return {}
    known = _known.get((nation, year))
    if known is not None:
        return known
    import holidays

    return dict(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def read_ahead(first_year: int, last_year: int) -> bool:
    """Learn every nation's bank holidays from `first_year` to `last_year` from a short-lived process; False
    (and the library is read in-process when asked) if that process fails."""
    command = [sys.executable, "-I", "-c", _READER, str(first_year), str(last_year), *SUBDIVISIONS.values()]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
        found = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.info("bank holidays will be read in this process (reading ahead failed: %s)", type(exc).__name__)
        return False
    by_year: dict[tuple[str, int], dict[date, str]] = {}
    for nation, subdivision in SUBDIVISIONS.items():
        for year in range(first_year, last_year + 1):
            by_year[(nation, year)] = {}
        for day, name in found[subdivision].items():
            when = date.fromisoformat(day)
            by_year[(nation, when.year)][when] = name
    _known.update(by_year)
    return True
