"""Threads that follow the machine's load: the counters, the rule, the engine's use of it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform import cpu_load
from llmasos.foundation.platform.cpu_load import ThreadAdvisor, others_busy, threads_for


@pytest.fixture
def busy_process() -> Iterator[subprocess.Popen[bytes]]:
    """A real second program keeping one core busy."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.3)  # let it start spinning
    yield proc
    proc.kill()
    proc.wait()


def test_rule_gives_up_a_core_per_busy_core() -> None:
    assert threads_for(8, 0.0) == 8
    assert threads_for(8, 0.2) == 8  # idle hum is ignored
    assert threads_for(8, 0.3) == 7  # part of a core taken costs a thread
    assert threads_for(8, 1.0) == 7
    assert threads_for(8, 2.6) == 5
    assert threads_for(2, 1.0) == 1
    assert threads_for(2, 5.0) == 1  # never fewer than one


def test_counters_see_another_program(busy_process: subprocess.Popen[bytes]) -> None:
    before = cpu_load.sample()
    assert before is not None
    time.sleep(1.0)
    after = cpu_load.sample()
    assert after is not None
    others = others_busy(before, after)
    assert others is not None and others >= 0.6  # the spinning child, plus whatever else runs


def test_counters_count_this_process_apart() -> None:
    before = cpu_load.sample()
    assert before is not None
    start = time.process_time()
    while time.process_time() - start < 0.3:  # 0.3 s of our own CPU, however busy the machine
        pass
    after = cpu_load.sample()
    assert after is not None
    assert after.own_ticks - before.own_ticks >= 20  # 100 ticks a second on Linux


def test_own_time_is_subtracted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu_load.os, "cpu_count", lambda: 2)
    before = cpu_load.CpuSample(at=0.0, busy_ticks=0, total_ticks=200, own_ticks=0)
    after = cpu_load.CpuSample(at=1.0, busy_ticks=150, total_ticks=400, own_ticks=50)
    # 150 busy ticks of 200 on 2 CPUs = 1.5 cores, 0.5 of them ours
    assert others_busy(before, after) == pytest.approx(1.0)


def test_too_short_a_window_says_nothing() -> None:
    first = cpu_load.sample()
    second = cpu_load.sample()
    assert first is not None and second is not None
    assert others_busy(first, second) is None


def test_advisor_drops_a_thread_while_another_program_runs(
    busy_process: subprocess.Popen[bytes],
) -> None:
    advisor = ThreadAdvisor(cores=2)
    time.sleep(0.8)
    assert advisor.choose() == 1
    assert advisor.others is not None and advisor.others >= 0.6


@pytest.mark.real_model
def test_engine_adapts_only_with_auto_threads(
    smollm2_path: Path, busy_process: subprocess.Popen[bytes]
) -> None:
    greedy = SamplingParams(temperature=0.0, max_tokens=4)
    auto = LlamaEngine(EngineSettings(n_ctx=512, n_threads=None, probe=False))
    fixed = LlamaEngine(EngineSettings(n_ctx=512, n_threads=2, probe=False))
    try:
        auto.load(smollm2_path)
        fixed.load(smollm2_path)
        assert auto._advisor is not None
        auto._advisor.cores = 2  # as on a 2-core machine, whatever this one has
        time.sleep(0.8)
        assert auto.complete("The sea is", greedy).text()
        assert auto.threads == 1
        assert fixed.complete("The sea is", greedy).text()
        assert fixed.threads == 2
    finally:
        auto.close()
        fixed.close()
