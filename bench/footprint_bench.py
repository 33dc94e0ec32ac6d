"""Footprint: idle RSS of `kept serve` (Slack settings only) against a minimal Bolt + botbuilder app, and how fast
a freshly started Kept acks its first command.

    .venv/bin/python bench/footprint_bench.py [--starts 3]

Each start is a fresh `kept serve` on a new SQLite file, with a Slack Web API stand-in on loopback. Idle RSS is
VmRSS from /proc, read after /healthz answers and a second of settling, before any command. The baseline,
bench/minimal_two_platforms.py, is an aiohttp app that builds a Bolt AsyncApp and a botbuilder CloudAdapter, no
database. First-command ack: from the ready server, two people join two schools (the first join timed), then the first
`/partner promise ...` is timed on one start and the first `/partner offer ...` on another, so neither warms the
other. Figures are medians over `--starts`. Progress on stderr; a Markdown table on stdout. Targets (issue 14):
RSS ratio at most 1.3x, first-command ack under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slack_ack_bench import (  # noqa: E402
    Server,
    Target,
    free_port,
    kept_target,
    signed,
    start_stand_in,
    started,
)

RSS_TARGET = 1.3
FIRST_ACK_TARGET_MS = 50.0
COMMANDS = {
    "promise": ("promise two physics practicals to Turing Primary by Friday", re.compile(r"\bC\d+\b")),
    "offer": ("offer maths tutoring for Year 9 on Thursdays", re.compile(r"\(O\d+\)")),
}


def rss_mib(pid: int) -> float:
    """VmRSS of a process, in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def timed(session: aiohttp.ClientSession, port: int, user: str, text: str, expect: re.Pattern[str]) -> float:
    """One signed slash command; its ack time in ms (the reply checked for `expect`)."""
    body, headers = signed(user, text, f"first-{time.time_ns()}")
    began = time.perf_counter()
    async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as response:
        answer = await response.text()
    elapsed = (time.perf_counter() - began) * 1000
    if response.status != 200 or not expect.search(answer):
        raise SystemExit(f"unexpected answer {response.status} to {text!r}: {answer[:300]}")
    return elapsed


async def idle(target: Target, session: aiohttp.ClientSession, workdir: Path) -> tuple[Server, float]:
    server = await started(target, session, workdir)
    await asyncio.sleep(1.0)  # settling
    return server, rss_mib(server.process.pid)


async def kept_start(verb: str, api_url: str, workdir: Path, n: int) -> tuple[float, float, float]:
    """A fresh `kept serve`: its idle RSS, then the ack times (ms) of its first command (a join: Alan at Turing
    Primary) and, after Sam joins St Ada's, of the first `verb`."""
    target = kept_target("SQLite", f"sqlite:///{workdir}/{verb}-{n}.db", api_url)
    async with aiohttp.ClientSession() as session:
        server, rss = await idle(target, session, workdir)
        try:
            join = await timed(session, target.port, "U0002", "join Turing Primary", re.compile("Welcome"))
            await timed(session, target.port, "U0001", "join St Ada's School", re.compile("Welcome"))
            text, expect = COMMANDS[verb]
            first = await timed(session, target.port, "U0001", text, expect)
        finally:
            server.stop()
    print(
        f"  kept serve, start {n + 1} ({verb}): idle {rss:.1f} MiB, join {join:.1f} ms, first {verb} {first:.1f} ms",
        file=sys.stderr,
    )
    return rss, join, first


async def minimal_start(workdir: Path, n: int) -> float:
    port = free_port()
    command = [sys.executable, str(Path(__file__).with_name("minimal_two_platforms.py")), "--port", str(port)]
    target = Target("minimal Bolt + botbuilder", "-", command, {}, port, "bolt")
    async with aiohttp.ClientSession() as session:
        server, rss = await idle(target, session, workdir)
        server.stop()
    print(f"  minimal Bolt + botbuilder, start {n + 1}: idle {rss:.1f} MiB", file=sys.stderr)
    return rss


async def bench(starts: int) -> None:
    runner, api_url = await start_stand_in()
    workdir = Path(tempfile.mkdtemp(prefix="kept-footprint-"))
    kept: dict[str, list[tuple[float, float, float]]] = {verb: [] for verb in COMMANDS}
    minimal: list[float] = []
    try:
        for n in range(starts):
            minimal.append(await minimal_start(workdir, n))
            for verb in COMMANDS:
                kept[verb].append(await kept_start(verb, api_url, workdir, n))
    finally:
        await runner.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    kept_rss = statistics.median(r for runs in kept.values() for r, _, _ in runs)
    base = statistics.median(minimal)
    ratio = kept_rss / base
    print(
        f"\nFootprint, {time.strftime('%d %B %Y')}: median of {starts} starts each (`kept serve` with Slack settings"
        f" only, SQLite; Python {sys.version.split()[0]}).\n"
    )
    print("| measure | Kept | minimal Bolt + botbuilder | ratio or target | met |")
    print("| --- | ---: | ---: | ---: | :---: |")
    print(
        f"| idle RSS, MiB | {kept_rss:.1f} | {base:.1f} | {ratio:.2f}x (≤ {RSS_TARGET}x) | "
        f"{'yes' if ratio <= RSS_TARGET else 'no'} |"
    )
    joins = [j for runs in kept.values() for _, j, _ in runs]
    print(f"| first command (join) ack, ms | {statistics.median(joins):.1f} | - | - | - |")
    for verb, runs in kept.items():
        first = statistics.median(f for _, _, f in runs)
        print(
            f"| first `{verb}` ack after a join, ms | {first:.1f} | - | < {FIRST_ACK_TARGET_MS:g} ms "
            f"| {'yes' if first < FIRST_ACK_TARGET_MS else 'no'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(bench(args.starts))


if __name__ == "__main__":
    main()
