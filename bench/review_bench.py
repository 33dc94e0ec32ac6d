"""The partnership review at network scale: one review page and one governors' PDF for a lead's link.

The same synthetic network as bench/insights_bench.py (2,000 schools, 500 partnerships, 200,000 commitments,
5,000 joint sessions; and a tenth of that) is loaded into SQLite and PostgreSQL. Kept's measure is what the web
route does for a genuine link: open it (the link, the lead, the term's figures in a handful of queries) and
render the page (four ReportLab charts as inline SVG, Jinja2) or the PDF. The naive peer reads every commitment
and joint session of the network, works out the same figures in Python loops, and renders them the same way, so
the ratio is the cost of reading the network against reading the partnership. Targets: page under 300 ms, PDF
under 2 s.

    .venv/bin/python bench/review_bench.py [--scales 0.1,1] [--backends sqlite,postgres] [--postgres-url URL]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from time import process_time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from insights_bench import NOW, Measure, Run, every_run, fresh_database, load, timed  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.review.content import review_of  # noqa: E402
from bot.review.page import review_page  # noqa: E402
from bot.review.pdf import governors_pdf  # noqa: E402
from handlers.partnerships.figures import LONDON, Depth, TermFigures, Week, bounds  # noqa: E402
from handlers.partnerships.health import Flow, Pair, stage_from  # noqa: E402
from handlers.partnerships.review import ReviewView, open_review  # noqa: E402
from handlers.terms import term_of  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Commitment, JointSession, Mou, Partnership, PartnershipSchool, ReviewLink, School  # noqa: E402

TARGETS_MS = {"review page": 300.0, "governors' PDF": 2000.0}
TERM = term_of(NOW.date())


def add_link(db: Database, partnership_id: int, lead_id: int) -> int:
    with db.transaction() as session:
        link = ReviewLink(
            partnership_id=partnership_id,
            member_id=lead_id,
            term=TERM.name,
            nonce="0" * 32,
            created_at=NOW,
            expires_at=NOW + timedelta(days=14),
        )
        session.add(link)
        session.flush()
        return link.id or 0


def kept_view(db: Database, link_id: int) -> ReviewView:
    with db.transaction() as session:
        view = open_review(session, link_id, NOW, lambda link: True)
    assert isinstance(view, ReviewView), view
    return view


def naive_view(db: Database, link_id: int) -> ReviewView:
    """The minimal peer: every commitment and session of the network read, the term's figures found in loops."""
    view = kept_view(db, link_id)  # for the link and lead checks; its figures are replaced below
    pid = view.figures.partnership.id
    with db.transaction() as session:
        ids = sorted(session.exec(select(PartnershipSchool.school_id).where(PartnershipSchool.partnership_id == pid)))
        names = {s.id or 0: s.name for s in session.exec(select(School)).all() if s.id in ids}
        mine = [c for c in session.exec(select(Commitment)).all() if c.from_school_id in ids and c.to_school_id in ids]
        joint = [s for s in session.exec(select(JointSession)).all() if s.partnership_id == pid]
        partnership, mou = session.get(Partnership, pid), session.get(Mou, pid)
    assert partnership is not None
    since, until = bounds(TERM)
    as_of = min(NOW, until)
    delivered = sorted((c for c in mine if c.status == "done" and c.done_at and since <= c.done_at < as_of), key=_done)
    released = sorted(
        (c for c in mine if c.status == "released" and c.done_at and since <= c.done_at < as_of), key=_done
    )
    sessions = sorted((s for s in joint if since <= s.starts_at < until and s.status != "cancelled"), key=_start)
    first = TERM.starts - timedelta(days=TERM.starts.weekday())
    starts = [first + timedelta(weeks=n) for n in range((as_of.astimezone(LONDON).date() - first).days // 7 + 1)]
    weeks, depth = [], []
    for start in starts:
        begin = datetime.combine(start, time(0), LONDON)
        end = min(as_of, begin + timedelta(days=7))
        made = sum(1 for c in mine if max(begin, since) <= c.created_at < end)
        kept = sum(1 for c in delivered if c.done_at and begin <= c.done_at < end)
        weeks.append(Week(start, made, kept))
        done = [c for c in mine if c.status == "done" and c.done_at and c.done_at < end]
        held = sum(1 for s in joint if s.starts_at < end and s.status != "cancelled")
        depth.append(Depth(start, partnership.stage, stage_from(_pairs(ids, done), held, mou)[0]))
    done_now = [c for c in mine if c.status == "done" and c.done_at and c.done_at < as_of]
    held_now = sum(1 for s in joint if s.starts_at < as_of and s.status != "cancelled")
    figures = TermFigures(
        partnership=partnership,
        term=TERM,
        as_of=as_of,
        names=names,
        delivered=delivered,
        released=released,
        sessions=sessions,
        pairs=_pairs(ids, delivered),
        stage=stage_from(_pairs(ids, done_now), held_now, mou),
        mou=mou,
        weeks=weeks,
        depth=depth,
    )
    return replace(view, figures=figures)


def _settled(c: Commitment, status: str, since: datetime, until: datetime) -> bool:
    return c.status == status and c.done_at is not None and since <= c.done_at < until


def _done(c: Commitment) -> datetime:
    return c.done_at or c.due_at


def _start(s: JointSession) -> datetime:
    return s.starts_at


def _pairs(ids: list[int], delivered: list[Commitment]) -> list[Pair]:
    counts: dict[tuple[int, int], int] = {}
    for c in delivered:
        counts[(c.from_school_id, c.to_school_id)] = counts.get((c.from_school_id, c.to_school_id), 0) + 1
    return [
        Pair(a, b, Flow(counts.get((a, b), 0)), Flow(counts.get((b, a), 0)))
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    ]


def page(view: ReviewView) -> str:
    return review_page(review_of(view), pdf_url="/review/1-x/governors.pdf", css_url="/review/review.css")


def pdf(view: ReviewView) -> bytes:
    return governors_pdf(review_of(view))


CPU: dict[tuple[str, float], dict[str, float]] = {}


def cpu_ms(work: Callable[[], object], repeat: int) -> float:
    """The median CPU time of `work` in this process, in milliseconds: steadier than wall time on a busy machine."""
    samples = []
    for _ in range(repeat):
        started = process_time()
        work()
        samples.append((process_time() - started) * 1000)
    return statistics.median(samples)


def run(backend: str, scale: float, postgres_url: str) -> Run:
    rng = random.Random(2026)
    result = Run(backend, scale)
    print(f"\n== {backend}, scale {scale:g} ==", flush=True)
    with fresh_database(backend, postgres_url) as db:
        world = load(db, scale, rng)
        pid = rng.choice(sorted(world.partnerships))
        link_id = add_link(db, pid, world.members[world.partnerships[pid][0]][0])
        view = kept_view(db, link_id)
        print(
            f"    partnership {pid}: {len(view.figures.names)} schools, {len(view.figures.delivered)} delivered and "
            f"{len(view.figures.sessions)} sessions this term; measuring…",
            flush=True,
        )
        result.measures = [
            Measure(
                "review page",
                timed(lambda: page(kept_view(db, link_id)), 20),
                timed(lambda: page(naive_view(db, link_id)), 3, warm=False),
            ),
            Measure(
                "governors' PDF",
                timed(lambda: pdf(kept_view(db, link_id)), 10),
                timed(lambda: pdf(naive_view(db, link_id)), 3, warm=False),
            ),
        ]
        CPU[(backend, scale)] = {
            "review page": cpu_ms(lambda: page(kept_view(db, link_id)), 20),
            "governors' PDF": cpu_ms(lambda: pdf(kept_view(db, link_id)), 10),
        }
    return result


def report(runs: list[Run]) -> None:
    print("\n| backend | scale | measure | Kept (ms) | Kept CPU (ms) | target (ms) | naive peer (ms) | peer / Kept |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in runs:
        for m in r.measures:
            over = "" if m.kept_ms <= TARGETS_MS[m.name] else " (over)"
            peer = m.peer_ms or 0.0
            print(
                f"| {r.backend} | {r.scale:g} | {m.name} | {m.kept_ms:,.1f}{over} "
                f"| {CPU[(r.backend, r.scale)][m.name]:,.1f} | {TARGETS_MS[m.name]:,.0f} "
                f"| {peer:,.1f} | {peer / m.kept_ms:,.1f}× |"
            )
    print(f"\n(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print("(medians of 20 pages and 10 PDFs for Kept, of 3 each for the peer)")


def main() -> int:
    report(every_run(__doc__.splitlines()[0], run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
