"""How a model is loaded (:class:`EngineSettings`) and how one request samples
(:class:`SamplingParams`): plain frozen data, shared by every engine."""

from __future__ import annotations

from dataclasses import dataclass

from llmasos.errors import SettingsError


@dataclass(frozen=True)
class EngineSettings:
    """How a model is loaded. ``None`` means "choose for this machine"."""

    n_ctx: int = 4096  # capped at the model's trained context length
    n_threads: int | None = None
    n_batch: int = 512
    n_gpu_layers: int | None = None  # None: all layers when the build can offload, else 0
    flash_attn: bool = False
    probe: bool = True  # run unknown files in a child process first (see probe.py)
    prompt_lookup: int = 0  # prompt-lookup decoding: draft tokens per step (0 = off)

    def validated(self) -> EngineSettings:
        """Return self, or raise :class:`SettingsError` naming the bad value."""
        checks = (
            (self.n_ctx >= 64, f"context length {self.n_ctx} is below 64 tokens"),
            (self.n_threads is None or self.n_threads >= 1, "threads must be at least 1"),
            (self.n_batch >= 1, "batch size must be at least 1"),
            (self.n_gpu_layers is None or self.n_gpu_layers >= -1, "GPU layers must be ≥ -1"),
            (self.prompt_lookup >= 0, "prompt-lookup draft tokens must be ≥ 0"),
        )
        for ok, message in checks:
            if not ok:
                raise SettingsError(f"Invalid engine setting: {message}.")
        return self


@dataclass(frozen=True)
class SamplingParams:
    """Sampling for one request. Same seed and settings give the same text."""

    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    seed: int | None = None
    max_tokens: int = 512
    stop: tuple[str, ...] = ()


__all__ = ["EngineSettings", "SamplingParams"]
