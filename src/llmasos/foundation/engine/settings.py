"""How a model is loaded (:class:`EngineSettings`) and how one request samples
(:class:`SamplingParams`): plain frozen data, shared by every engine.

Their defaults and ranges are the settings schema's
(:data:`~llmasos.foundation.settings.schema.FIELDS`, keys ``engine.*`` and ``sampling.*``),
the same the Settings page and the settings file use.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from llmasos.errors import SettingsError
from llmasos.foundation.settings.schema import default, problem


@dataclass(frozen=True)
class EngineSettings:
    """How a model is loaded. ``None`` means "choose for this machine"."""

    n_ctx: int = default("engine.n_ctx")  # capped at the model's trained context length
    n_threads: int | None = default("engine.n_threads")
    n_batch: int = default("engine.n_batch")
    n_gpu_layers: int | None = default("engine.n_gpu_layers")  # None: all when it can offload
    flash_attn: bool = default("engine.flash_attn")
    probe: bool = default("engine.probe")  # run unknown files in a child process first
    prompt_lookup: int = default("engine.prompt_lookup")  # draft tokens per step (0 = off)

    def validated(self) -> EngineSettings:
        """Return self, or raise :class:`SettingsError` naming each value out of its range."""
        found = [
            message
            for f in fields(self)
            if (message := problem(f"engine.{f.name}", getattr(self, f.name)))
        ]
        if found:
            raise SettingsError("Invalid engine setting: " + " ".join(found))
        return self


@dataclass(frozen=True)
class SamplingParams:
    """Sampling for one request. Same seed and settings give the same text."""

    temperature: float = default("sampling.temperature")
    top_p: float = default("sampling.top_p")
    top_k: int = default("sampling.top_k")
    min_p: float = default("sampling.min_p")
    repeat_penalty: float = default("sampling.repeat_penalty")
    seed: int | None = default("sampling.seed")
    max_tokens: int = default("sampling.max_tokens")
    stop: tuple[str, ...] = ()


__all__ = ["EngineSettings", "SamplingParams"]
