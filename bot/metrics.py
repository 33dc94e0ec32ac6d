"""Figures for an operator, in Prometheus's text format at `/metrics`: commands, refusals, deliveries, ticks, outbox.

Every label comes from a fixed set (platform, verb, kind, status, outcome), never from what people typed or who
they are, so a scrape holds no personal data. Commands are counted in one place, `MeasuredKept`, which the
composition root builds instead of `Kept`: Slack, Teams and the console all go through it. The delivery loop tells
`Metrics` its outcomes as its `Watch`. The outbox is counted when scraped, by one grouped query. With
PROMETHEUS_MULTIPROC_DIR set (several `kept serve` processes on one port), the scrape adds up every process's
counts from that folder.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import datetime
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from handlers import grammar
from handlers.clock import Clock
from handlers.context import Caller
from handlers.dispatch import Kept
from handlers.messages import Message
from handlers.outbound.kinds import KINDS
from scheduler.delivery import TickReport
from storage import outbox
from storage.db import Database

log = logging.getLogger("kept.metrics")

PLATFORMS = frozenset({"slack", "teams", "console"})
OUTCOMES = frozenset(f.name for f in fields(TickReport))
OTHER = "other"
# The classic text format, which every Prometheus reads (Kept's names and labels need none of 1.0.0's escaping).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Every word that names a verb, to the verb's own name: an unknown word is "other", never the word itself.
VERBS = frozenset(verb.name for verb in grammar.VERBS)
_COMMAND_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_TICK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def verb_of(text: str) -> str:
    """The verb a command's text names, from the grammar's fixed set, or "other"."""
    command = grammar.parse(text[:200])
    return command.verb.name if command.verb is not None else OTHER


def platform_of(platform: str) -> str:
    return platform if platform in PLATFORMS else OTHER


class Metrics:
    """One process's counters and timings. `command`, `delivered` and `ticked` are the hot path: a dictionary
    look-up, an observe and an increment or two."""

    def __init__(self, multiprocess_dir: str = "") -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        labels = ("platform", "verb")
        self.command_seconds = Histogram(
            "kept_command_duration_seconds",
            "Time Kept's core took over a command, from reading it to its reply, transaction included.",
            labels,
            buckets=_COMMAND_BUCKETS,
            registry=self.registry,
        )
        self.commands = Counter(
            "kept_commands", "Commands, form submissions and button presses.", labels, registry=self.registry
        )
        self.refusals = Counter(
            "kept_refusals", "Commands answered with a refusal rather than done.", labels, registry=self.registry
        )
        self.deliveries = Counter(
            "kept_deliveries",
            "Outbox rows settled by the delivery loop, by outcome and the platform they went to ('' before any).",
            ("platform", "outcome"),
            registry=self.registry,
        )
        self.retries = Counter(
            "kept_delivery_retries",
            "Deliveries that failed and will be tried again.",
            ("platform",),
            registry=self.registry,
        )
        self.tick_seconds = Histogram(
            "kept_tick_duration_seconds",
            "How long one scheduler tick took.",
            buckets=_TICK_BUCKETS,
            registry=self.registry,
        )
        self._children: dict[tuple[str, str], tuple[Histogram, Counter, Counter]] = {}

    def command(self, platform: str, verb: str, ok: bool, seconds: float) -> None:
        """One command answered on `platform` (refused unless `ok`), in `seconds`."""
        key = (platform, verb)
        children = self._children.get(key)
        if children is None:
            labels = (platform_of(platform), verb if verb in VERBS else OTHER)
            children = self._children[key] = (
                self.command_seconds.labels(*labels),
                self.commands.labels(*labels),
                self.refusals.labels(*labels),
            )
        timing, count, refusals = children
        timing.observe(seconds)
        count.inc()
        if not ok:
            refusals.inc()

    def delivered(self, outcome: str, platform: str) -> None:
        """The delivery loop's Watch: a row settled."""
        where = platform_of(platform) if platform else "none"
        if outcome == "retrying":
            self.retries.labels(where).inc()
        else:
            self.deliveries.labels(where, outcome if outcome in OUTCOMES else OTHER).inc()

    def ticked(self, seconds: float) -> None:
        self.tick_seconds.observe(seconds)

    def exposition(self, waiting: list[outbox.Waiting] | None, now: datetime) -> bytes:
        """The scrape: every process's figures (this one's, or all in the multiprocess folder), then the outbox
        as it stands (`None`: the database could not be read)."""
        if self.multiprocess_dir:
            counted = CollectorRegistry()
            MultiProcessCollector(counted, path=self.multiprocess_dir)
        else:
            counted = self.registry
        snapshot = CollectorRegistry()
        snapshot.register(OutboxFigures(waiting, now))
        return generate_latest(counted) + generate_latest(snapshot)


class OutboxFigures:
    """A collector for one scrape: what waits in the outbox by kind and state, and how long the oldest of it has
    been due."""

    def __init__(self, waiting: list[outbox.Waiting] | None, now: datetime) -> None:
        self.waiting = waiting
        self.now = now

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("kept_database_up", "1 when this scrape could read the outbox, else 0.")
        up.add_metric([], 0 if self.waiting is None else 1)
        yield up
        if self.waiting is None:
            return
        rows = GaugeMetricFamily(
            "kept_outbox_rows", "Outbox rows waiting, by kind and state.", labels=["kind", "status"]
        )
        age = GaugeMetricFamily(
            "kept_outbox_oldest_due_seconds",
            "How long ago the oldest waiting row fell due (0 while none is due yet).",
            labels=["kind", "status"],
        )
        for (kind, status), (count, oldest) in _grouped(self.waiting).items():
            rows.add_metric([kind, status], count)
            age.add_metric([kind, status], max(0.0, (self.now - oldest).total_seconds()))
        yield rows
        yield age


def _grouped(waiting: Iterable[outbox.Waiting]) -> dict[tuple[str, str], tuple[int, datetime]]:
    """Rows by a known kind (any other as "other") and state, with the earliest due moment of each group."""
    groups: dict[tuple[str, str], tuple[int, datetime]] = {}
    for row in waiting:
        key = (row.kind if row.kind in KINDS else OTHER, row.status)
        count, oldest = groups.get(key, (0, row.oldest_due))
        groups[key] = (count + row.rows, min(oldest, row.oldest_due))
    return groups


class MeasuredKept(Kept):
    """Kept, counting and timing every command and submission it answers, whichever platform brought it."""

    def __init__(self, metrics: Metrics, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    def handle(self, caller: Caller, text: str, *, inbound_id: str = "") -> Message:
        started = time.perf_counter()
        reply = super().handle(caller, text, inbound_id=inbound_id)
        self.metrics.command(caller.platform, verb_of(text), reply.ok, time.perf_counter() - started)
        return reply

    def submit(
        self, caller: Caller, form_id: str, context: str, values: dict[str, str], *, inbound_id: str = ""
    ) -> Message:
        started, ok = time.perf_counter(), False  # a form sent back with fields to correct is a refusal
        try:
            reply = super().submit(caller, form_id, context, values, inbound_id=inbound_id)
            ok = reply.ok
            return reply
        finally:
            verb = form_id if form_id in grammar.FORMS else OTHER
            self.metrics.command(caller.platform, verb, ok, time.perf_counter() - started)


def mount(app: web.Application, metrics: Metrics, db: Database, clock: Clock, token: str = "") -> None:
    """Serve `/metrics`; with a `token`, only to `Authorization: Bearer <token>`."""
    expected = f"Bearer {token}".encode()

    async def scrape(request: web.Request) -> web.Response:
        if token and not hmac.compare_digest(
            request.headers.get("Authorization", "").encode(errors="replace"), expected
        ):
            return web.Response(status=401, text="A bearer token is needed.\n", headers={"WWW-Authenticate": "Bearer"})
        try:
            waiting: list[outbox.Waiting] | None = await db.run(_waiting, db)
        except Exception as exc:  # noqa: BLE001  (the figures still answer; kept_database_up says what is missing)
            log.warning("metrics: could not read the outbox (%s)", type(exc).__name__)
            waiting = None
        body = metrics.exposition(waiting, clock.now())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/metrics", scrape)


def _waiting(db: Database) -> list[outbox.Waiting]:
    with db.transaction() as session:
        return outbox.waiting(session)
