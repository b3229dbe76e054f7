"""How busy the CPU is with *other* programs, and how many threads llama.cpp should use.

llama.cpp's CPU threads wait for each other at every step of a token (OpenMP barriers,
spinning). When another program takes one of the cores, the thread that shares it falls
behind and every other thread spins waiting for it: on 2 cores with one busy background
process, 2 threads decode several times slower than 1 (figures in bench/README.md,
``bench/threads.py``). So with "Threads: Auto" the engine asks :class:`ThreadAdvisor`
before each request: cores this process may use, minus the cores other processes kept
busy since the previous request.

Linux reads ``/proc/stat`` (all CPUs) and ``/proc/self/stat`` (this process, every
thread) — two small files, ~50 µs. Elsewhere :func:`others_busy` returns None and the
engine keeps every core.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

from llmasos.foundation.platform.hardware import default_threads

_PROC_STAT = Path("/proc/stat")
_SELF_STAT = Path("/proc/self/stat")
# Other processes' load below this many cores is ignored: a desktop's idle hum
# (a browser tab, the compositor) costs less than giving up a thread.
SLACK_CORES = 0.25
# A shorter window than this says nothing about the load: keep the last choice.
MIN_WINDOW_S = 0.2


@dataclass(frozen=True)
class CpuSample:
    at: float  # time.monotonic()
    busy_ticks: int  # all CPUs, every process
    total_ticks: int  # all CPUs
    own_ticks: int  # this process, all its threads


def sample() -> CpuSample | None:
    """The CPU counters now, or None where the system does not publish them."""
    try:
        first = _PROC_STAT.read_text().split("\n", 1)[0].split()
        own = _SELF_STAT.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if not first or first[0] != "cpu":
        return None
    # user nice system idle iowait irq softirq steal (guest time is inside user)
    values = [int(v) for v in first[1:9]]
    total = sum(values)
    busy = total - values[3] - values[4]
    # after the ")" of the command name: state is field 3, utime 14 and stime 15
    own_ticks = int(own[11]) + int(own[12])
    return CpuSample(time.monotonic(), busy, total, own_ticks)


def others_busy(before: CpuSample, after: CpuSample) -> float | None:
    """Cores other processes kept busy on average between two samples (None: too short)."""
    if after.at - before.at < MIN_WINDOW_S:
        return None
    total = after.total_ticks - before.total_ticks
    if total <= 0:
        return None
    cpus = os.cpu_count() or 1
    others = (after.busy_ticks - before.busy_ticks) - (after.own_ticks - before.own_ticks)
    return max(0.0, others / total * cpus)


def threads_for(cores: int, others: float) -> int:
    """The rule: the cores we may use, minus every core (or part of one, beyond
    :data:`SLACK_CORES`) that other processes are using; at least 1."""
    taken = math.ceil(max(0.0, others - SLACK_CORES))
    return max(1, cores - taken)


class ThreadAdvisor:
    """Chooses the thread count before each request from the load since the last one.

    Not thread-safe: the engine's one thread calls :meth:`choose`."""

    def __init__(self, cores: int | None = None) -> None:
        self.cores = cores or default_threads()
        self._last = sample()
        self.threads = self.cores
        self.others: float | None = None

    def choose(self) -> int:
        now = sample()
        if now is None or self._last is None:
            self._last = now
            return self.threads
        others = others_busy(self._last, now)
        if others is not None:
            self._last, self.others = now, others
            self.threads = threads_for(self.cores, others)
        return self.threads


__all__ = [
    "MIN_WINDOW_S",
    "SLACK_CORES",
    "CpuSample",
    "ThreadAdvisor",
    "others_busy",
    "sample",
    "threads_for",
]
