"""`kept demo`: a small, realistic network so a newcomer sees Kept at work at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.console.repl import caller_for
from handlers.dispatch import Kept

# (who, school, what they say): three schools, a partnership, offers, requests, promises, a session.
SCRIPT: tuple[tuple[str, str, str], ...] = (
    ("Sam Patel", "St Ada's School", "join St Ada's School"),
    ("Priya Shah", "Hopper Academy", "join Hopper Academy"),
    ("Tom Reed", "Lovelace Primary", "join Lovelace Primary"),
    ("Grace Okafor", "St Ada's School", "join St Ada's School"),
    ("Sam Patel", "", "partnership Physics Link with Hopper Academy, Lovelace Primary"),
    (
        "Grace Okafor",
        "",
        "offer [specialist staff] Two physics teachers for A-level practicals in the spring",
    ),
    ("Sam Patel", "", "offer Our minibus can bring Year 6 pupils on Thursdays"),
    ("Priya Shah", "", "request We need a Latin teacher for two GCSE pupils"),
    ("Priya Shah", "", "request A-level physics practical support for Year 12"),
    ("Tom Reed", "", "request Year 6 transition visit to a secondary science lab"),
    ("Priya Shah", "", "offer Our drama studio is free on Wednesday afternoons"),
    ("Grace Okafor", "", "promise two A-level physics practicals to Hopper Academy by {next_week}"),
    ("Sam Patel", "", "promise minibus for the Year 6 visit to Lovelace Primary by {in_2_weeks}"),
    ("Priya Shah", "", "promise drama workshop for Year 9 to St Ada's School by {in_5_weeks}"),
    (
        "Sam Patel",
        "",
        "session Year 6 science day on {in_10_days} 10am at St Ada's School with Lovelace Primary",
    ),
)


def seed(kept: Kept, progress: Callable[[int, int, str], None]) -> int:
    """Say each line of the script as its person; returns how many were refused (0 on a fresh database)."""
    today = kept.clock.now().date()
    dates = {
        name: f"{today + timedelta(days=days):%d/%m/%Y}"
        for name, days in (("next_week", 7), ("in_10_days", 10), ("in_2_weeks", 14), ("in_5_weeks", 35))
    }
    refused = 0
    for step, (who, _school, line) in enumerate(SCRIPT, start=1):
        said = line.format(**dates)
        reply = kept.handle(caller_for(who), said)
        refused += 0 if reply.ok else 1
        progress(step, len(SCRIPT), f"{who}: {said}" + ("" if reply.ok else f"  ({reply.title})"))
    return refused
