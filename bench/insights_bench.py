"""Partnership insight at network scale: one digest, all digests, one `health`, one `match`.

A synthetic network of 2,000 schools, 500 partnerships, 200,000 commitments and 20,000 open offers and
requests is bulk-loaded into PostgreSQL (a fresh schema) and SQLite (a temp file), at 1/10 and full scale.
Each measure runs through Kept's own code (the digest builder, and `health` and `match` as typed commands
through Kept.handle) beside a minimal peer that loads every row and loops over it in Python. Targets: a digest
or `health` under 50 ms, all 500 digests under 10 s, `match` for one request under 100 ms.

    .venv/bin/python bench/insights_bench.py [--scales 0.1,1] [--backends sqlite,postgres] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import stores  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402
from stores import fresh_database  # noqa: E402

from handlers import categories  # noqa: E402
from handlers.board import fit, glossary, wording  # noqa: E402
from handlers.clock import MovableClock  # noqa: E402
from handlers.context import Caller  # noqa: E402
from handlers.dispatch import Kept  # noqa: E402
from handlers.partnerships.digest import weekly_digest  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    ChatTenant,
    Commitment,
    Identity,
    JointSession,
    Listing,
    Member,
    Network,
    Partnership,
    PartnershipSchool,
    School,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FULL = {"schools": 2000, "partnerships": 500, "commitments": 200_000, "listings": 20_000, "sessions": 5_000}
TARGETS_MS = {"one digest": 50.0, "all digests": 10_000.0, "one health": 50.0, "one match": 100.0}
BATCH = 10_000
TOPICS = 400
SUBJECTS = [
    "A-level physics",
    "GCSE Latin",
    "Year 6 transition",
    "chemistry lab",
    "choir",
    "debating",
    "careers advice",
    "minibus",
    "sixth-form ambassadors",
    "Year 9 maths",
    "music technology",
    "drama studio",
    "sports hall",
    "UCAS interviews",
    "moderation of coursework",
    "ECT mentoring",
]
VERBS = ["practicals for", "visits for", "workshop for", "lessons for", "support for", "taster day for"]
GROUPS = ["Year 5", "Year 6", "Year 9", "Year 12", "sixth formers", "new staff", "parents"]
CATS = [c for c in categories.CATEGORIES if c != "other"]


@dataclass
class Measure:
    name: str
    kept_ms: float
    peer_ms: float | None = None


@dataclass
class Run:
    backend: str
    scale: float
    load_s: float = 0.0
    measures: list[Measure] = field(default_factory=list)


def phrase(rng: random.Random) -> str:
    """Common words (year, practical) shared by thousands of listings, and one of 400 distinctive topic words."""
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(GROUPS)} on topic-{rng.randint(1, TOPICS)}"


def rows_in_batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk(db: Database, model: Any, rows: Iterator[dict[str, Any]], total: int, label: str) -> None:
    """executemany in batches of 10,000 (psycopg pipelines them; SQLite takes them in one transaction)."""
    done = 0
    started = time.perf_counter()
    with db.engine.begin() as connection:
        for batch in rows_in_batches(rows):
            connection.execute(insert(model), batch)
            done += len(batch)
            if done % 50_000 < BATCH or done == total:
                rate = done / max(time.perf_counter() - started, 1e-9)
                print(f"    {label}: {done:>7,}/{total:,}  ({rate:,.0f} rows/s)", flush=True)


@dataclass
class World:
    network_id: int
    partnerships: dict[int, list[int]]
    members: dict[int, list[int]]  # school -> members, lead first


def load(db: Database, scale: float, rng: random.Random) -> World:
    n = {k: max(2, int(v * scale)) for k, v in FULL.items()}
    with db.transaction() as session:
        network = Network(name="Synthetic network", created_at=NOW)
        session.add(network)
        session.flush()
        network_id = network.id or 0
        session.add(ChatTenant(platform="slack", tenant_id="T-BENCH", network_id=network_id, created_at=NOW))
    bulk(
        db,
        School,
        (
            {
                "id": i,
                "network_id": network_id,
                "name": f"School {i}",
                "name_key": f"school {i}",
                "timezone": "Europe/London",
                "created_at": NOW,
            }
            for i in range(1, n["schools"] + 1)
        ),
        n["schools"],
        "schools",
    )
    members = {s: [3 * s - 2, 3 * s - 1, 3 * s] for s in range(1, n["schools"] + 1)}
    bulk(
        db,
        Member,
        (
            {
                "id": m,
                "school_id": s,
                "name": f"Colleague {m}",
                "role": "lead" if k == 0 else "staff",
                "timezone": "Europe/London",
                "erased": False,
                "created_at": NOW,
            }
            for s, ms in members.items()
            for k, m in enumerate(ms)
        ),
        3 * n["schools"],
        "members",
    )
    bulk(
        db,
        Identity,
        (
            {
                "platform": "slack",
                "tenant_id": "T-BENCH",
                "user_id": f"U{m}",
                "member_id": m,
                "display_name": "",
                "active": True,
                "created_at": NOW,
            }
            for ms in members.values()
            for m in ms
        ),
        3 * n["schools"],
        "identities",
    )
    partnerships = {
        p: rng.sample(range(1, n["schools"] + 1), rng.randint(2, 5)) for p in range(1, n["partnerships"] + 1)
    }
    bulk(
        db,
        Partnership,
        (
            {
                "id": p,
                "network_id": network_id,
                "name": f"Partnership {p}",
                "name_key": f"partnership {p}",
                "stage": "co-ordination",
                "timezone": "Europe/London",
                "digest_weekday": 0,
                "digest_hour": 8,
                "created_at": NOW,
            }
            for p in partnerships
        ),
        n["partnerships"],
        "partnerships",
    )
    bulk(
        db,
        PartnershipSchool,
        ({"partnership_id": p, "school_id": s} for p, ss in partnerships.items() for s in ss),
        sum(len(s) for s in partnerships.values()),
        "partnership schools",
    )
    bulk(
        db,
        Commitment,
        commitments(rng, network_id, partnerships, members, n["commitments"]),
        n["commitments"],
        "commitments",
    )
    board = list(listings(rng, network_id, members, n["listings"]))
    bulk(db, Listing, iter(board), n["listings"], "offers and requests (the database indexes their text)")
    bulk(
        db,
        JointSession,
        sessions(rng, network_id, partnerships, members, n["sessions"]),
        n["sessions"],
        "joint sessions",
    )
    if db.is_postgres:
        for table in ("school", "member", "identity", "partnership", "listing", "jointsession"):
            with db.engine.begin() as connection:
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    # A table that has been there a while has been vacuumed (autovacuum does it after inserts): measure that state.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if db.is_postgres else "ANALYZE"))
    return World(network_id, partnerships, members)


def commitments(
    rng: random.Random, network_id: int, partnerships: dict[int, list[int]], members: dict[int, list[int]], total: int
) -> Iterator[dict[str, Any]]:
    keys = list(partnerships)
    for _ in range(total):
        giver, receiver = rng.sample(partnerships[rng.choice(keys)], 2)
        owner = rng.choice(members[giver])
        roll = rng.random()
        due = NOW + timedelta(days=rng.uniform(-365, 30))
        status = "done" if roll < 0.7 else "released" if roll < 0.8 else "missed" if roll < 0.85 else "open"
        if status == "open":
            due = NOW + timedelta(days=rng.uniform(-10, 30))
        done_at = due + timedelta(days=rng.uniform(-5, 3)) if status in ("done", "released") else None
        if done_at is not None and done_at > NOW:
            done_at = NOW - timedelta(hours=rng.uniform(1, 160))
        yield {
            "network_id": network_id,
            "from_school_id": giver,
            "to_school_id": receiver,
            "owner_id": owner,
            "what": phrase(rng),
            "category": rng.choice(CATS),
            "size": rng.randint(1, 3),
            "due_at": due,
            "status": status,
            "done_at": done_at,
            "release_reason": "",
            "confirmed_at": done_at if status == "done" and rng.random() < 0.5 else None,
            "thanks": "Thank you, the pupils loved it" if status == "done" and rng.random() < 0.1 else "",
            "created_by": owner,
            "created_at": due - timedelta(days=30),
        }


def listings(
    rng: random.Random, network_id: int, members: dict[int, list[int]], total: int
) -> Iterator[dict[str, Any]]:
    schools = list(members)
    for i in range(total):
        school = rng.choice(schools)
        yield {
            "id": i + 1,
            "kind": "offer" if i % 2 else "request",
            "network_id": network_id,
            "school_id": school,
            "member_id": rng.choice(members[school]),
            "text": phrase(rng),
            "category": rng.choice(CATS),
            "status": "open",
            "expires_on": date(2026, 12, 18) if rng.random() < 0.8 else None,
            "created_at": NOW - timedelta(days=rng.uniform(0, 60)),
        }


def sessions(
    rng: random.Random, network_id: int, partnerships: dict[int, list[int]], members: dict[int, list[int]], total: int
) -> Iterator[dict[str, Any]]:
    keys = list(partnerships)
    for i in range(total):
        p = rng.choice(keys)
        starts = NOW + timedelta(days=rng.uniform(-120, 30))
        held = starts < NOW
        yield {
            "id": i + 1,
            "network_id": network_id,
            "partnership_id": p,
            "title": phrase(rng),
            "starts_at": starts,
            "venue": "Main hall",
            "organiser_id": members[partnerships[p][0]][0],
            "status": "held" if held else "planned",
            "pupils_reached": rng.randint(5, 60) if held else None,
            "staff_involved": rng.randint(1, 6) if held else None,
            "impact": "",
            "created_at": NOW,
        }


def timed(work: Callable[[], object], repeat: int, warm: bool = True) -> float:
    """The median wall time of `work`, in milliseconds (after one warm-up run, unless told not to)."""
    if warm:
        work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def naive_digest(db: Database, partnership_id: int) -> int:
    """The minimal peer: read every commitment and session, filter in a Python loop."""
    with db.transaction() as session:
        ids = set(
            session.exec(
                select(PartnershipSchool.school_id).where(PartnershipSchool.partnership_id == partnership_id)
            ).all()
        )
        week_ago, week_ahead = NOW - timedelta(days=7), NOW + timedelta(days=7)
        found = 0
        for c in session.exec(select(Commitment)).all():
            if c.from_school_id in ids and c.to_school_id in ids:
                if c.status == "done" and c.done_at and week_ago <= c.done_at < NOW:
                    found += 1
                elif c.status == "open" and NOW <= c.due_at < week_ahead:
                    found += 1
        for s in session.exec(select(JointSession)).all():
            found += s.partnership_id == partnership_id and NOW <= s.starts_at < week_ahead
        return found


def naive_health(db: Database, partnership_id: int) -> int:
    """The minimal peer: read every commitment, add up deliveries and open work per pair in a Python loop."""
    with db.transaction() as session:
        ids = set(
            session.exec(
                select(PartnershipSchool.school_id).where(PartnershipSchool.partnership_id == partnership_id)
            ).all()
        )
        flows: dict[tuple[int, int], int] = {}
        owners: dict[int, int] = {}
        for c in session.exec(select(Commitment)).all():
            if c.from_school_id in ids and c.to_school_id in ids:
                if c.status == "done":
                    pair = (c.from_school_id, c.to_school_id)
                    flows[pair] = flows.get(pair, 0) + c.size
                elif c.status == "open":
                    owners[c.owner_id] = owners.get(c.owner_id, 0) + 1
        return len(flows) + len(owners)


def naive_match(db: Database, request_id: int) -> int:
    """The minimal peer: read every listing, count how many mention each idea of the request, and score each
    open offer in Python (no full-text index)."""
    with db.transaction() as session:
        request = session.get(Listing, request_id)
        assert request is not None
        vocabulary = glossary.vocabulary(session, request.network_id)
        wants = wording.read(vocabulary, request.text)
        rows = session.exec(select(Listing)).all()
        readings = {row.id: wording.read(vocabulary, row.text) for row in rows}
        weight = {
            idea.name: fit.rarity(len(rows), sum(idea.name in r.offered for r in readings.values()))
            for idea in wants.whats
        }
        weight |= {i.name: fit.WHO if i.role == "who" else fit.WHEN for i in wants.ideas.values() if i.role != "what"}
        offers = [o for o in rows if o.kind == "offer" and o.status == "open" and o.school_id != request.school_id]
        found = [fit.fit(request, wants, o, readings[o.id], weight) for o in offers]
        return sum(f is not None and f.score >= fit.THRESHOLD for f in found)


def measure(db: Database, world: World, rng: random.Random) -> list[Measure]:
    kept = Kept(db, MovableClock(NOW))
    sample = rng.sample(list(world.partnerships), 20)
    turn = iter(range(10**9))

    def one_digest() -> None:
        pid = sample[next(turn) % len(sample)]
        with db.transaction() as session:
            weekly_digest(session, pid, NOW)

    def all_digests() -> None:
        for pid in world.partnerships:
            with db.transaction() as session:
                weekly_digest(session, pid, NOW)

    def as_lead_of(pid: int) -> Caller:
        lead = world.members[world.partnerships[pid][0]][0]
        return Caller(platform="slack", tenant_id="T-BENCH", user_id=f"U{lead}")

    def one_health() -> None:
        pid = sample[next(turn) % len(sample)]
        reply = kept.handle(as_lead_of(pid), f"health Partnership {pid}")
        assert reply.ok, reply.title

    with db.transaction() as session:
        requests = session.exec(
            select(Listing.id, Listing.member_id).where(Listing.kind == "request").order_by(Listing.id).limit(20)
        ).all()

    def one_match() -> None:
        request_id, member_id = requests[next(turn) % len(requests)]
        reply = kept.handle(
            Caller(platform="slack", tenant_id="T-BENCH", user_id=f"U{member_id}"), f"match R{request_id}"
        )
        assert reply.ok, reply.title

    pid, request_id = sample[0], requests[0][0]
    return [
        Measure("one digest", timed(one_digest, 20), timed(lambda: naive_digest(db, pid), 3, warm=False)),
        Measure("all digests", timed(all_digests, 1), None),
        Measure("one health", timed(one_health, 20), timed(lambda: naive_health(db, pid), 3, warm=False)),
        Measure("one match", timed(one_match, 20), timed(lambda: naive_match(db, request_id), 3, warm=False)),
    ]


def run(backend: str, scale: float, postgres_url: str) -> Run:
    rng = random.Random(2026)
    result = Run(backend, scale)
    print(f"\n== {backend}, scale {scale:g} ==", flush=True)
    with fresh_database(backend, postgres_url) as db:
        started = time.perf_counter()
        world = load(db, scale, rng)
        result.load_s = time.perf_counter() - started
        print(f"    loaded in {result.load_s:.1f} s; measuring…", flush=True)
        result.measures = measure(db, world, rng)
    return result


def report(runs: list[Run]) -> None:
    print("\n| backend | scale | measure | Kept (ms) | target (ms) | naive peer (ms) | peer / Kept |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in runs:
        for m in r.measures:
            peer = f"{m.peer_ms:,.1f}" if m.peer_ms is not None else "–"
            ratio = f"{m.peer_ms / m.kept_ms:,.0f}×" if m.peer_ms is not None else "–"
            ok = "" if m.kept_ms <= TARGETS_MS[m.name] else " (over)"
            print(
                f"| {r.backend} | {r.scale:g} | {m.name} | {m.kept_ms:,.1f}{ok} | {TARGETS_MS[m.name]:,.0f} "
                f"| {peer} | {ratio} |"
            )
    print("\nGrowth from 1/10 to full scale (10× the data):")
    for backend in dict.fromkeys(r.backend for r in runs):
        small = next((r for r in runs if r.backend == backend and r.scale < 1), None)
        full = next((r for r in runs if r.backend == backend and r.scale == 1), None)
        if small and full:
            pairs = list(zip(small.measures, full.measures, strict=True))
            growth = ", ".join(f"{a.name} {b.kept_ms / a.kept_ms:.1f}×" for a, b in pairs)
            peers = ", ".join(
                f"{a.name} peer {b.peer_ms / a.peer_ms:.1f}×" for a, b in pairs if a.peer_ms and b.peer_ms
            )
            print(f"  {backend}: {growth}; {peers}")
    print("\n(all digests covers every partnership in the run: 50 at 1/10 scale, 500 at full scale)")
    print(f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of 20 runs)")


def every_run(description: str, run: Callable[[str, float, str], Run]) -> list[Run]:
    """`run` for each backend and scale asked for on the command line (shared with bench/review_bench.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scales", default="0.1,1")
    stores.add_arguments(parser)
    args = parser.parse_args()
    return [run(b, float(s), args.postgres_url) for b in args.backends.split(",") for s in args.scales.split(",")]


def main() -> int:
    report(every_run(__doc__.splitlines()[0], run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
