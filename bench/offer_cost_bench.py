"""What logging an offer costs on the command path, and how much of it is the matching index.

Typed `offer` commands (the offers of bench/matching_set.yaml, in turn) go through Kept.handle on SQLite (a temp
file) and PostgreSQL (a fresh schema). Beside Kept runs the peer: the same commands on the same code with the
full-text index removed (SQLite's insert trigger dropped; PostgreSQL's generated column dropped), so the
difference is what the index adds to each offer. `--code DIR` adds another checkout of Kept to the same run (for
example main before issue 16, whose offers wrote their key words from Python). Each run is a process of its own,
and rounds take the runs in turn, a different one first each round, so they share the machine's noise.

    .venv/bin/python bench/offer_cost_bench.py [--offers 300] [--rounds 5] [--backends sqlite,postgres] [--code DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stores
import yaml
from stores import fresh_database

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def drop_index(db: Any) -> bool:
    """Remove the full-text index, if this code has one; True if it did."""
    from sqlalchemy import inspect, text

    with db.engine.begin() as connection:
        if db.is_postgres:
            if "search" not in {c["name"] for c in inspect(connection).get_columns("listing")}:
                return False
            connection.execute(text("ALTER TABLE listing DROP COLUMN search"))
            return True
        trigger = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'listing_fts_insert'"
        if connection.execute(text(trigger)).first() is None:
            return False  # since migration 0008 SQLite indexes new listings when searched, not as they are written
        connection.execute(text("DROP TRIGGER listing_fts_insert"))
        return True


def log_offers(kept: Any, caller: Any, texts: list[str], count: int) -> tuple[float, float]:
    """Median wall time and mean CPU time of one `offer`, in microseconds."""
    walls = []
    cpu = time.process_time()
    for i in range(count):
        started = time.perf_counter()
        reply = kept.handle(caller, f"offer {texts[i % len(texts)]}")
        walls.append((time.perf_counter() - started) * 1e6)
        assert reply.ok, reply.title
    return statistics.median(walls), (time.process_time() - cpu) * 1e6 / count


def worker(code: str, backend: str, variant: str, offers: int, postgres_url: str) -> None:
    """One run in this process: log `offers` offers on a fresh store and print the wall and CPU µs of one."""
    sys.path.insert(0, str(Path(code).resolve()))
    from handlers.clock import MovableClock
    from handlers.context import Caller
    from handlers.dispatch import Kept

    texts = [o["text"] for o in yaml.safe_load((HERE / "matching_set.yaml").read_text())["offers"].values()]
    with fresh_database(backend, postgres_url) as db:
        if variant == "no index" and not drop_index(db):
            print("- -")
            return
        kept = Kept(db, MovableClock(NOW))
        caller = Caller("slack", "T-OFFERS", "U1", "Sam Patel")
        kept.handle(caller, "join Kingsmead School")
        log_offers(kept, caller, texts, 30)  # warm up
        wall, cpu = log_offers(kept, caller, texts, offers)
        print(f"{wall} {cpu}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--code", default="", help="another Kept checkout to measure beside this one")
    stores.add_arguments(parser)
    parser.add_argument("--worker", nargs=3, metavar=("CODE", "BACKEND", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker, args.offers, args.postgres_url)
        return 0
    runs = [("this checkout", str(HERE.parent), "as is"), ("no index (peer)", str(HERE.parent), "no index")]
    if args.code:
        runs.append((f"{args.code}", args.code, "as is"))
    print(f"{args.rounds} rounds of {args.offers} offers per store and run, each run in its own process, in turn")
    print("\n| store | run | offer, median wall µs | offer, Kept's CPU µs | CPU ÷ peer |")
    print("| --- | --- | ---: | ---: | ---: |")
    for backend in args.backends.split(","):
        found: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in runs}
        for round_ in range(args.rounds):
            for name, code, variant in runs[round_ % len(runs) :] + runs[: round_ % len(runs)]:  # each goes first
                command = [sys.executable, __file__, "--worker", code, backend, variant, "--offers", str(args.offers)]
                out = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
                if out[0] != "-":
                    found[name].append((float(out[0]), float(out[1])))
        medians = {
            name: (statistics.median(w for w, _ in rows), statistics.median(c for _, c in rows))
            for name, rows in found.items()
            if rows
        }
        peer = medians.get("no index (peer)", (0.0, 0.0))[1]
        for name, (wall, cpu) in medians.items():
            ratio = f"{cpu / peer:.2f}×" if peer else "- (no index on the offer's path)"
            print(f"| {backend} | {name} | {wall:,.0f} | {cpu:,.0f} | {ratio} |")
    print(f"\n(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians over rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
