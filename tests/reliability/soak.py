"""The soak run: many generations through the kernel on the real engine, cancelled at random
points (prefill and decode), switching models; shared by the test and the report."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from gui_faults import wait_until

from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform import hardware
from llmasos.kernel.kernel import Kernel, running_workers

SETTINGS = EngineSettings(n_ctx=512, n_batch=64, n_threads=1, probe=False)
WAIT_S = 120.0  # a bounded wait for any one request: longer means a deadlock


@dataclass
class SoakResult:
    generations: int = 0
    finished: int = 0
    cancelled_prefill: int = 0
    cancelled_decode: int = 0
    failed: int = 0
    switches: int = 0
    deadlocks: int = 0
    rss_by_segment: list[tuple[str, int]] = field(default_factory=list)  # (model, bytes at end)
    rss_warm: int = 0
    rss_end: int = 0
    threads_before: int = 0
    threads_after: int = 0
    workers_after: int = 0
    seconds: float = 0.0

    @property
    def rss_growth(self) -> float:
        return (self.rss_end - self.rss_warm) / self.rss_warm if self.rss_warm else 0.0


class _Ends:
    """Collects the kernel's end signals by request id."""

    def __init__(self, kernel: Kernel) -> None:
        self.ended: dict[int, tuple[str, object]] = {}
        self.tokens: set[int] = set()
        self.started: set[int] = set()
        kernel.started.connect(self.started.add)
        kernel.tokens.connect(lambda i, _t: self.tokens.add(i))
        kernel.finished.connect(lambda i, s: self.ended.setdefault(i, ("finished", s)))
        kernel.cancelled.connect(lambda i, s: self.ended.setdefault(i, ("cancelled", s)))
        kernel.failed.connect(lambda i, m: self.ended.setdefault(i, ("failed", m)))


def _load(kernel: Kernel, ends: _Ends, path: Path) -> bool:
    rid = kernel.load_model(path, SETTINGS)
    return wait_until(lambda: rid in ends.ended, WAIT_S) and ends.ended[rid][0] == "finished"


def _one(kernel: Kernel, ends: _Ends, rng: random.Random, i: int, result: SoakResult) -> None:
    how = rng.choice(("finish", "prefill", "decode"))
    # a fresh number first, so no prefix is reused and every prefill does real work
    prompt = f"{rng.randint(0, 10**9)}. " + "Tell me about rivers and the sea. " * 8
    params = SamplingParams(temperature=0.8, max_tokens=24 if how == "finish" else 200, seed=i)
    rid = kernel.chat([ChatMessage("user", prompt)], params, owner="soak")
    if how == "prefill":
        wait_until(lambda: rid in ends.started or rid in ends.ended, WAIT_S)
        time.sleep(rng.uniform(0.0, 0.02))
        kernel.cancel(rid)
    elif how == "decode":
        wait_until(lambda: rid in ends.tokens or rid in ends.ended, WAIT_S)
        wait_until(lambda: False, rng.uniform(0.0, 0.3))
        kernel.cancel(rid)
    if not wait_until(lambda: rid in ends.ended, WAIT_S):
        result.deadlocks += 1
        return
    kind, stats = ends.ended.pop(rid)
    result.generations += 1
    if kind == "failed":
        result.failed += 1
    elif kind == "finished":
        result.finished += 1
    elif getattr(stats, "completion_tokens", 0) == 0:
        result.cancelled_prefill += 1
    else:
        result.cancelled_decode += 1


def run_soak(
    models: list[Path], generations: int, switch_every: int, seed: int = 0, warm_segments: int = 2
) -> SoakResult:
    """Run the soak; RSS is compared from the end of the first ``warm_segments`` segments
    to the end of the run, both measured with the same model loaded."""
    result = SoakResult(threads_before=_threads())
    t0 = time.perf_counter()
    rng = random.Random(seed)
    prev = models[0]
    kernel = Kernel()
    ends = _Ends(kernel)
    try:
        for i in range(generations):
            if i % switch_every == 0:
                model = models[(i // switch_every) % len(models)]
                if i:
                    result.rss_by_segment.append((prev.name, hardware.process_rss()))
                    result.switches += 1
                if not _load(kernel, ends, model):
                    raise RuntimeError(f"could not load {model}")
                prev = model
            _one(kernel, ends, rng, i, result)
            if result.deadlocks:
                break
        result.rss_by_segment.append((prev.name, hardware.process_rss()))
    finally:
        kernel.cancel_all()
        stopped = kernel.shutdown(60)
    result.deadlocks += 0 if stopped else 1
    _rss(result, warm_segments)
    wait_until(lambda: _threads() <= result.threads_before, 10)
    result.threads_after = _threads()
    result.workers_after = running_workers()
    result.seconds = time.perf_counter() - t0
    return result


def _threads() -> int:
    """Python threads alive, not counting foreign (Qt, ggml) threads that once ran Python."""
    return sum(1 for t in threading.enumerate() if not isinstance(t, threading._DummyThread))


def _rss(result: SoakResult, warm_segments: int) -> None:
    """Warm RSS: end of the last warm-up segment; end: the last segment with that model."""
    segs = result.rss_by_segment
    if len(segs) <= warm_segments:
        return
    model, result.rss_warm = segs[warm_segments - 1]
    result.rss_end = next(rss for name, rss in reversed(segs) if name == model)
