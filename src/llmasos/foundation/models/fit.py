"""Will this model run on this machine? Memory estimates for the model manager.

Memory needed = weights + KV cache + runtime overhead, compared with available RAM:

* **weights**: the file size (llama.cpp maps the file; all of it is touched).
* **KV cache** from the GGUF metadata when the file is here:
  ``layers × context × (kv_heads × head_dim) × 2 (K and V) × 2 bytes (f16)``.
  Before download, the stated rule :data:`KV_BYTES_PER_TOKEN_PER_B` per billion
  parameters (typical of grouped-query-attention models such as Llama 3, Qwen 2.5,
  Gemma 2), the parameter count read from the name (``7B``, ``0.5b``) or, failing
  that, from the file size and the quantization's bits per weight.
* **overhead**: :data:`OVERHEAD_FIXED` plus :data:`OVERHEAD_SHARE` of the weights
  (compute buffers, the app itself).

The verdict is "fits" up to :data:`FITS_SHARE` of available RAM, "tight" up to all
of it, and "too_big" beyond. With a GPU build of llama.cpp the app puts every layer on
the GPU by default, so there the same verdict is taken against the GPUs' free memory
(VRAM, from ggml) instead, and the description says so.

**Speed.** Generating a token reads every weight once, so decode is bound by memory
bandwidth: tokens/s ≈ bandwidth × :data:`DECODE_EFFICIENCY` ÷ the weights' size. The
bandwidth is measured once per CPU (a ~0.1 s copy, :func:`speed_profile`) and kept in the
cache folder; real decode speeds of loaded models (:func:`record_observed_speed`) correct
the estimate by their ratio to it. A model is pleasant from :data:`PLEASANT_TOKENS_PER_S`.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from llmasos.foundation.gguf.model_info import ModelInfo
from llmasos.foundation.hub.types import GgufEntry

Verdict = Literal["fits", "tight", "too_big"]

KV_BYTES_PER_TOKEN_PER_B = 24 * 1024  # KV cache bytes per token per billion parameters
OVERHEAD_FIXED = 300 * 1024 * 1024
OVERHEAD_SHARE = 0.05
FITS_SHARE = 0.75
DEFAULT_CONTEXT = 4096
F16_BYTES = 2
# Approximate bits per weight of llama.cpp quantizations (whole file, embeddings included).
BITS_PER_WEIGHT: dict[str, float] = {
    "F32": 32.0, "F16": 16.0, "FP16": 16.0, "BF16": 16.0, "Q8_0": 8.5, "Q6_K": 6.56,
    "Q5_1": 6.0, "Q5_K_M": 5.69, "Q5_K_S": 5.54, "Q5_0": 5.5, "Q4_1": 5.0, "Q4_K_M": 4.85,
    "Q4_K_S": 4.58, "Q4_0": 4.55, "IQ4_NL": 4.5, "IQ4_XS": 4.25, "Q3_K_L": 4.27,
    "Q3_K_M": 3.91, "IQ3_M": 3.66, "Q3_K_S": 3.5, "IQ3_XS": 3.3, "IQ3_XXS": 3.06,
    "Q2_K": 3.0, "IQ2_M": 2.7, "IQ2_S": 2.5, "IQ2_XS": 2.31, "IQ2_XXS": 2.06, "IQ1_M": 1.75,
    "IQ1_S": 1.56,
}  # fmt: skip
# Which quantization to recommend first, best trade-off first. Small models lose more to
# quantization, so below SMALL_MODEL_B billion parameters Q8_0 leads.
PREFERRED_QUANTS = (
    "Q4_K_M",
    "Q5_K_M",
    "Q4_K_S",
    "IQ4_XS",
    "Q6_K",
    "Q4_0",
    "Q8_0",
    "Q3_K_M",
    "IQ3_M",
    "Q3_K_S",
    "Q2_K",
    "IQ2_M",
)
PREFERRED_SMALL = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_K_S", "IQ4_XS", "Q4_0", "Q3_K_M")
SMALL_MODEL_B = 2.0
_PARAMS_RE = re.compile(r"(?:^|[-_.\s])(\d+(?:\.\d+)?)([bm])(?=$|[-_.\s])", re.I)
_GB = 1e9


@dataclass(frozen=True)
class FitEstimate:
    """Memory needed by a model at a context length, against what is available."""

    weights: int
    kv_cache: int
    overhead: int
    context_length: int
    available: int
    verdict: Verdict
    basis: Literal["metadata", "rule"]  # KV cache from the GGUF header, or from the rule
    vram: int | None = None  # free GPU memory the verdict was taken against; None: RAM

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.overhead

    def describe(self) -> str:
        """One line with the numbers, e.g. for a tooltip or the command line."""
        label = {"fits": "fits", "tight": "tight", "too_big": "too big"}[self.verdict]
        how = "" if self.basis == "metadata" else " (estimated before download)"
        against = (
            f"{self.available / _GB:.2f} GB available"
            if self.vram is None
            else f"{self.vram / _GB:.2f} GB free GPU memory (all layers on the GPU; fewer "
            "GPU layers in Settings use RAM instead)"
        )
        return (
            f"{label}: {self.weights / _GB:.2f} GB weights + {self.kv_cache / _GB:.2f} GB "
            f"KV cache at {self.context_length} tokens + {self.overhead / _GB:.2f} GB "
            f"overhead = {self.total / _GB:.2f} GB of {against}{how}"
        )


def kv_cache_bytes(
    layers: int, context: int, kv_heads: int, head_dim: int, bytes_per_value: int = F16_BYTES
) -> int:
    """KV cache size: layers × context × (kv_heads × head_dim) × 2 (K and V) × bytes."""
    return layers * context * kv_heads * head_dim * 2 * bytes_per_value


def overhead_bytes(weights: int) -> int:
    """Runtime overhead besides weights and KV cache (stated rule, see module doc)."""
    return OVERHEAD_FIXED + int(weights * OVERHEAD_SHARE)


def judge(total: int, available: int) -> Verdict:
    """ "fits" up to FITS_SHARE of ``available``, "tight" up to all of it, else "too_big"."""
    if total <= available * FITS_SHARE:
        return "fits"
    return "tight" if total <= available else "too_big"


def _available(available: int | None) -> int:
    if available is not None:
        return available
    from llmasos.foundation.platform.hardware import available_ram

    return available_ram()


AUTO = -1  # ``vram=AUTO``: ask the llama.cpp build (None on a CPU-only build)


def _vram(vram: int | None) -> int | None:
    if vram != AUTO:
        return vram
    from llmasos.foundation.platform.hardware import gpu_memory

    return gpu_memory()


def _estimate(
    weights: int,
    kv: int,
    context: int,
    available: int | None,
    basis: Literal["metadata", "rule"],
    vram: int | None = AUTO,
) -> FitEstimate:
    avail = _available(available)
    gpu = _vram(vram)
    overhead = overhead_bytes(weights)
    total = weights + kv + overhead
    return FitEstimate(
        weights,
        kv,
        overhead,
        context,
        avail,
        judge(total, avail if gpu is None else gpu),
        basis,
        gpu,
    )


def estimate_for_model(
    info: ModelInfo,
    context: int = DEFAULT_CONTEXT,
    *,
    available: int | None = None,
    vram: int | None = AUTO,
) -> FitEstimate:
    """Estimate from a downloaded file's metadata (exact KV cache when the header has it)."""
    heads = info.head_count or 0
    layers = info.block_count or 0
    if heads and layers and info.embedding_length:
        kv = kv_cache_bytes(
            layers, context, info.head_count_kv or heads, info.embedding_length // heads
        )
        return _estimate(info.file_size, kv, context, available, "metadata", vram)
    return estimate_for_file(
        info.file_size,
        context,
        name=info.size_label or info.name,
        quantization=info.quantization,
        available=available,
        parameters=info.parameter_count,
        vram=vram,
    )


def guess_parameters(name: str | None, file_size: int, quantization: str | None) -> float:
    """Billions of parameters: from the name ("7B", "135M"), else size ÷ bits per weight."""
    if name:
        found = _PARAMS_RE.findall(name)
        if found:
            value, unit = found[-1]
            return float(value) / (1000.0 if unit.lower() == "m" else 1.0)
    bits = BITS_PER_WEIGHT.get((quantization or "").upper(), 4.85)
    return file_size * 8 / bits / 1e9


def estimate_for_file(
    file_size: int,
    context: int = DEFAULT_CONTEXT,
    *,
    name: str | None = None,
    quantization: str | None = None,
    available: int | None = None,
    parameters: int | None = None,
    vram: int | None = AUTO,
) -> FitEstimate:
    """Estimate before download, from the file size and the stated KV rule."""
    billions = parameters / 1e9 if parameters else guess_parameters(name, file_size, quantization)
    kv = int(KV_BYTES_PER_TOKEN_PER_B * billions * context)
    return _estimate(file_size, kv, context, available, "rule", vram)


def estimate_for_entry(
    entry: GgufEntry,
    context: int = DEFAULT_CONTEXT,
    *,
    repo_id: str | None = None,
    available: int | None = None,
    vram: int | None = AUTO,
) -> FitEstimate:
    """Estimate for a Hub file (the repository name usually carries the parameter count)."""
    name = f"{repo_id or ''} {entry.name}"
    return estimate_for_file(
        entry.size,
        context,
        name=name,
        quantization=entry.quantization,
        available=available,
        vram=vram,
    )


def recommend(
    entries: Sequence[GgufEntry],
    context: int = DEFAULT_CONTEXT,
    *,
    repo_id: str | None = None,
    available: int | None = None,
    vram: int | None = AUTO,
) -> GgufEntry | None:
    """The entry to suggest on this machine: the preferred quantization that fits.

    Falls back to the smallest "tight" entry; None when nothing fits at all.
    """
    avail, gpu = _available(available), _vram(vram)
    fits = {
        e.quantization: e
        for e in entries
        if estimate_for_entry(e, context, repo_id=repo_id, available=avail, vram=gpu).verdict
        == "fits"
    }
    if entries:
        sizes = [
            guess_parameters(f"{repo_id or ''} {e.name}", e.size, e.quantization) for e in entries
        ]
        order = PREFERRED_SMALL if min(sizes) < SMALL_MODEL_B else PREFERRED_QUANTS
        for quant in order:
            if quant in fits:
                return fits[quant]
    tight = [
        e
        for e in entries
        if estimate_for_entry(e, context, repo_id=repo_id, available=avail, vram=gpu).verdict
        != "too_big"
    ]
    return min(tight, key=lambda e: e.size) if tight else None


# -- speed -------------------------------------------------------------------------------

# People read about 4–5 words (≈ 5–7 tokens) a second; from 8 tokens/s the answer stays
# ahead of the reader, below it the reader waits for the words.
PLEASANT_TOKENS_PER_S = 8.0
# Share of the measured copy bandwidth that llama.cpp's decode achieves (compute, threads
# and per-token overhead). Calibrated on the development VM (2 cores, llama-cpp-python
# 0.3.36 CPU build, 2 threads): copy bandwidth 27–31 GB/s (measure_memory_bandwidth),
# SmolLM2-135M Q4_1 (98.4 MB) decoding at ~85–90 tok/s in everyday use → 87 × 0.0984 / 29
# ≈ 0.30. (The quiet-machine median in bench/README.md, 148 tok/s, would give 0.50; the
# lower figure is kept: under-promising speed only makes the recommendation smaller, and
# record_observed_speed() corrects it after the first real answer.) Tiny models are
# dominated by per-token overhead, so for large models this is conservative too.
DECODE_EFFICIENCY = 0.30
SPEED_FILE = "speed.json"
MAX_OBSERVATIONS = 8  # recent real speeds kept per CPU for the correction


@dataclass(frozen=True)
class SpeedProfile:
    """This machine's decode speed model: measured bandwidth × a correction from real runs."""

    bandwidth: float  # bytes per second, from hardware.measure_memory_bandwidth()
    correction: float = 1.0  # geometric mean of real ÷ estimated speed; 1.0 before any run

    def tokens_per_s(self, bytes_per_token: int) -> float:
        """Estimated decode speed of a model whose weights take ``bytes_per_token``."""
        return estimate_tokens_per_s(bytes_per_token, self.bandwidth, self.correction)


def estimate_tokens_per_s(bytes_per_token: int, bandwidth: float, correction: float = 1.0) -> float:
    """tokens/s ≈ bandwidth × DECODE_EFFICIENCY × correction ÷ bytes read per token (the
    weights' size for a dense model)."""
    return bandwidth * DECODE_EFFICIENCY * correction / max(bytes_per_token, 1)


def is_pleasant(tokens_per_s: float) -> bool:
    """Whether a decode speed is at least :data:`PLEASANT_TOKENS_PER_S`."""
    return tokens_per_s >= PLEASANT_TOKENS_PER_S


def _speed_path() -> Path:
    from llmasos.foundation.platform.paths import app_paths

    return app_paths().cache / SPEED_FILE


def _machine_key() -> str:
    from llmasos.foundation.platform.hardware import cpu_signature

    return cpu_signature()


def _read_speed_file() -> dict[str, Any]:
    try:
        data = json.loads(_speed_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _machine_record() -> dict[str, Any]:
    record = _read_speed_file().get(_machine_key())
    return record if isinstance(record, dict) else {}


def _write_machine_record(record: dict[str, Any]) -> None:
    path = _speed_path()
    data = _read_speed_file()
    data[_machine_key()] = record
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs a new measurement next time


def _profile(record: dict[str, Any]) -> SpeedProfile | None:
    bandwidth = record.get("bandwidth")
    if not isinstance(bandwidth, (int, float)) or bandwidth <= 0:
        return None
    observed = record.get("observed")
    ratios = []
    if isinstance(observed, dict):
        for size, tps in observed.items():
            try:
                real, estimate = float(tps), estimate_tokens_per_s(int(size), bandwidth)
            except (TypeError, ValueError):
                continue
            if real > 0 and estimate > 0:
                ratios.append(real / estimate)
    correction = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else 1.0
    return SpeedProfile(float(bandwidth), correction)


def cached_speed_profile() -> SpeedProfile | None:
    """This CPU's speed profile from the cache folder; None until it has been measured."""
    return _profile(_machine_record())


def speed_profile() -> SpeedProfile:
    """This CPU's speed profile, measuring the memory bandwidth once (~0.1 s; call it off
    the GUI thread) and caching it in the cache folder, keyed by the CPU signature."""
    cached = cached_speed_profile()
    if cached is not None:
        return cached
    from llmasos.foundation.platform.hardware import measure_memory_bandwidth

    record = _machine_record()
    record["bandwidth"] = measure_memory_bandwidth()
    _write_machine_record(record)
    profile = _profile(record)
    assert profile is not None
    return profile


def record_observed_speed(file_size: int, tokens_per_s: float) -> SpeedProfile | None:
    """Remember the real decode speed of a model of ``file_size`` bytes on this CPU (from
    the finished generation's ``GenerationStats.tokens_per_s``); later estimates are scaled
    by real ÷ estimated speed. Returns the corrected profile (None before a measurement)."""
    if file_size <= 0 or not tokens_per_s > 0 or not math.isfinite(tokens_per_s):
        return cached_speed_profile()
    record = _machine_record()
    observed = record.get("observed")
    observed = dict(observed) if isinstance(observed, dict) else {}
    observed.pop(str(file_size), None)  # re-insert: the newest stays, the oldest go first
    observed[str(file_size)] = float(tokens_per_s)
    while len(observed) > MAX_OBSERVATIONS:
        observed.pop(next(iter(observed)))
    record["observed"] = observed
    _write_machine_record(record)
    return _profile(record)
