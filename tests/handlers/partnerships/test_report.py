"""The termly impact report (Markdown and CSV) and the term names it understands."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import cli
from handlers.clock import MovableClock
from handlers.errors import CommandError
from handlers.partnerships.report import termly_report
from handlers.terms import easter_sunday, term_named, term_of
from storage.db import Database
from storage.models import Mou
from tests.harness.term import term_of_work
from tests.harness.world import World, build_world


def test_term_names_map_to_contiguous_date_ranges() -> None:
    autumn, spring, summer = term_named("autumn-2026"), term_named("Spring 2027"), term_named("summer-2027")
    assert (autumn.starts, autumn.ends) == (date(2026, 9, 1), date(2026, 12, 31))
    assert (spring.starts, spring.ends) == (date(2027, 1, 1), date(2027, 3, 28))
    assert (summer.starts, summer.ends) == (date(2027, 3, 29), date(2027, 8, 31))
    assert easter_sunday(2027) == date(2027, 3, 28) and easter_sunday(2026) == date(2026, 4, 5)
    assert term_of(date(2026, 11, 23)).name == "autumn-2026"
    with pytest.raises(CommandError):
        term_named("michaelmas-2026")


def test_the_report_sets_the_success_criteria_beside_the_evidence(world: World) -> None:
    term_of_work(world)
    with world.db.transaction() as session:
        text = termly_report(session, "physics link", "autumn-2026", now=world.now)
    assert text.startswith("# Physics Link: Autumn term 2026\n")
    assert "3 commitments delivered (1 confirmed by the receiving school); 1 joint sessions reaching 28 pupils" in text
    assert "| Specialist staff | St Ada's School | 2 | 1 |" in text
    assert "| Joint purchasing and shared services | Hopper Academy | 1 | 0 |" in text
    assert "| Mon 16 Nov 2026 | Year 6 science day | 28 | 3 | Every pupil built a circuit |" in text
    assert "Next review: Mon 1 Mar 2027." in text
    assert "- St Ada's School gave 2, Hopper Academy gave 1" in text
    assert "**Success criteria:** Every Year 12 completes the required practicals" in text
    assert "- Hopper Academy on Two A-level physics practicals: “The Year 12s loved them”" in text
    assert "Last year's visit" not in text


def test_the_csv_export_reads_back_and_is_safe_in_a_spreadsheet(world: World) -> None:
    pid = term_of_work(world)
    with world.db.transaction() as session:
        session.get(Mou, pid).success_criteria = '=HYPERLINK("http://example.invalid")'
    with world.db.transaction() as session:
        rows = list(
            csv.DictReader(io.StringIO(termly_report(session, "Physics Link", "autumn-2026", now=world.now, csv=True)))
        )
    delivered = {(r["school"], r["category"]): r["delivered"] for r in rows if r["section"] == "delivered"}
    assert delivered == {
        ("St Ada's School", "Specialist staff"): "2",
        ("Hopper Academy", "Joint purchasing and shared services"): "1",
    }
    (held,) = [r for r in rows if r["section"] == "session"]
    assert (held["pupils"], held["staff"], held["date"]) == ("28", "3", "2026-11-16")
    (criteria,) = [r for r in rows if r["section"] == "criteria"]
    assert criteria["delivered"] == "3" and criteria["pupils"] == "28"
    assert criteria["title"].startswith("'=HYPERLINK")


def test_an_unknown_partnership_or_term_is_refused_kindly(world: World) -> None:
    term_of_work(world)
    with world.db.transaction() as session, pytest.raises(CommandError) as unknown:
        termly_report(session, "Chess Club", "autumn-2026", now=world.now)
    assert unknown.value.reason == "I can't find a partnership called `Chess Club`."
    with world.db.transaction() as session, pytest.raises(CommandError):
        termly_report(session, "Physics Link", "autumn", now=world.now)


def test_a_term_with_nothing_yet_still_reports(world: World) -> None:
    world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    world.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=UTC))
    with world.db.transaction() as session:
        text = termly_report(session, "Physics Link", "spring-2027", now=world.now)
    assert "| none yet | | 0 | 0 |" in text and "No success criteria agreed yet." in text


def test_kept_report_prints_the_report_for_governors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEPT_DATABASE_URL", f"sqlite:///{tmp_path}/kept.db")
    assert cli.main(["migrate"]) == 0
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    term_of_work(build_world(Database.from_url(f"sqlite:///{tmp_path}/kept.db"), clock))
    capsys.readouterr()
    assert cli.main(["report", "--partnership", "Physics Link", "--term", "autumn-2026"]) == 0
    assert capsys.readouterr().out.startswith("# Physics Link: Autumn term 2026")
    assert cli.main(["report", "--partnership", "Physics Link", "--term", "autumn-2026", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("section,date,school,partner,category")
    assert cli.main(["report", "--partnership", "Chess Club", "--term", "autumn-2026"]) == 1
    assert "I can't find a partnership called `Chess Club`." in capsys.readouterr().err
