"""One port served by several processes: `kept serve --processes N` (or KEPT_PROCESSES=N).

Python runs one thread of Python at a time, so one `kept serve` uses about one core however many it is given.
This parent starts N children, each a whole `kept serve` listening on the same port with SO_REUSEPORT, and the
kernel spreads new connections across them. Children are spawned, not forked, so each builds its own database
engine and threads. Only the first runs the scheduler's tick: the outbox is safe with several (each delivery is
claimed), but one tick is enough and keeps the database's polling flat.

The parent restarts a child that dies, gives up (exit 1) if children keep dying as they start (a port already
taken, a bad setting), and on SIGTERM or Ctrl-C stops them all and waits for them to finish what they hold.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger("kept")

EARLY_EXIT_SECONDS = 10.0  # a child that stops sooner than this after starting did not really start
EARLY_EXITS_ALLOWED = 3
STOP_SECONDS = 30.0  # how long a child may take to finish its requests after SIGTERM


class Supervisor:
    """N children running `target(index)`, kept running until the parent is told to stop."""

    def __init__(self, target: Callable[[int], None], processes: int) -> None:
        self.target = target
        self.processes = processes
        self.children: dict[int, BaseProcess] = {}
        self.started_at: dict[int, float] = {}
        self.stopping = False
        self._context = multiprocessing.get_context("spawn")

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT (exit 0), or until children can't start (exit 1)."""
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for index in range(self.processes):
                self._start(index)
            log.info("serving from %d processes", self.processes)
            return self._watch()
        finally:
            self._stop_all()
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _watch(self) -> int:
        early_exits = 0
        while not self.stopping:
            wait([child.sentinel for child in self.children.values()], timeout=1.0)
            for index, child in list(self.children.items()):
                if child.is_alive() or self.stopping:
                    continue
                early = time.monotonic() - self.started_at[index] < EARLY_EXIT_SECONDS
                early_exits = early_exits + 1 if early else 0
                if early_exits >= EARLY_EXITS_ALLOWED:
                    log.error("process %d keeps stopping as it starts (exit %s): stopping Kept", index, child.exitcode)
                    return 1
                log.warning("process %d stopped (exit %s): starting it again", index, child.exitcode)
                self._start(index)
        return 0

    def _start(self, index: int) -> None:
        child = self._context.Process(target=self.target, args=(index,), name=f"kept-serve-{index}")
        child.start()
        self.children[index] = child
        self.started_at[index] = time.monotonic()

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        for child in self.children.values():
            if child.is_alive():
                child.terminate()  # SIGTERM: aiohttp finishes the requests in hand, then exits
        deadline = time.monotonic() + STOP_SECONDS
        for child in self.children.values():
            child.join(timeout=max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                log.warning("%s did not stop within %.0f s: killing it", child.name, STOP_SECONDS)
                child.kill()
                child.join()
