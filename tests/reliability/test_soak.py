"""Soak: generations through the kernel on the real engine with random cancels (prefill and
decode) and model switches (SmolLM2 ↔ gemma3): no deadlock, no leaked thread, bounded memory.

The report (``scripts/reliability_report.py``) runs 300 generations switching every 50 and
reports the growth against the 5% goal; here 60 generations switching every 15 (four
segments, so that RSS after warm-up — both models loaded once — and at the end are taken
with the same model loaded), and the bound is generous (10% + 20 MB): it catches a leak
per generation or per switch, not allocator noise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from soak import run_soak

pytestmark = [pytest.mark.real_model, pytest.mark.slow]


def test_soak_cancels_and_switches(qtbot, smollm2_path: Path, gemma3_path: Path) -> None:
    result = run_soak([smollm2_path, gemma3_path], generations=60, switch_every=15, seed=3)
    assert result.deadlocks == 0 and result.failed == 0, result
    assert result.generations == 60 and result.switches == 3, result
    assert result.cancelled_prefill and result.cancelled_decode and result.finished, result
    assert result.workers_after == 0 and result.threads_after <= result.threads_before, result
    assert result.rss_warm and result.rss_end <= result.rss_warm * 1.10 + (20 << 20), result
