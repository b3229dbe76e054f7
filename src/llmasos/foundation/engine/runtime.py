"""How llama.cpp is asked to run a model: the one place ``Llama()``'s arguments are built.

The engine (in this process) and the probe (in a child process) both load through
:func:`llama_kwargs` and :func:`llmasos.foundation.engine.llama_hooks.model_params`, so what the
probe proved safe is exactly what the app then runs. A :class:`RunConfig` holds the two
switches the probe may turn off when llama.cpp crashes with them on: its "extra buffer
types" (weights repacked for the CPU's special kernels, AMX among them) and GPU offload.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmasos.foundation.engine.settings import EngineSettings
from llmasos.foundation.platform import hardware


@dataclass(frozen=True)
class RunConfig:
    """The llama.cpp paths a model runs with on this machine."""

    extra_bufts: bool = True  # weight repacking into llama.cpp's extra CPU buffer types
    gpu: bool = True  # layers may go to the GPU (as the settings ask); False forces 0

    def describe(self) -> str:
        """A short label for logs and bench output, e.g. ``repack=off gpu=on``."""
        return f"repack={'on' if self.extra_bufts else 'off'} gpu={'on' if self.gpu else 'off'}"


FULL = RunConfig()


def safe_default() -> RunConfig:
    """The configuration to use when no probe ran: repacking off where it is known to crash.

    llama.cpp's AMX path (its repacked weights) segfaults on the first batched decode on
    some CPUs (ggml-org/llama.cpp#20824); without a probe there is no way to know it
    is fixed, so a CPU with AMX runs without it.
    """
    return RunConfig(extra_bufts=not hardware.cpu_has_amx())


@dataclass(frozen=True)
class ResolvedSettings:
    """Engine settings with every "auto" resolved for this machine and model."""

    n_ctx: int
    n_threads: int
    n_batch: int
    n_gpu_layers: int
    flash_attn: bool
    prompt_lookup: int

    def key(self) -> str:
        """The part of a probe cache key that depends on the settings."""
        return (
            f"ctx{self.n_ctx}|t{self.n_threads}|b{self.n_batch}|ngl{self.n_gpu_layers}"
            f"|fa{int(self.flash_attn)}|pl{self.prompt_lookup}"
        )

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResolvedSettings:
        return cls(
            int(data["n_ctx"]),
            int(data["n_threads"]),
            int(data["n_batch"]),
            int(data["n_gpu_layers"]),
            bool(data["flash_attn"]),
            int(data["prompt_lookup"]),
        )


def resolve(settings: EngineSettings, context_length: int | None) -> ResolvedSettings:
    """Resolve ``settings`` for a model trained on ``context_length`` tokens."""
    n_ctx = min(settings.n_ctx, context_length) if context_length else settings.n_ctx
    threads = settings.n_threads or hardware.default_threads()
    return ResolvedSettings(
        n_ctx=n_ctx,
        n_threads=threads,
        n_batch=min(settings.n_batch, n_ctx),
        n_gpu_layers=resolve_gpu_layers(settings.n_gpu_layers),
        flash_attn=settings.flash_attn,
        prompt_lookup=settings.prompt_lookup,
    )


def resolve_gpu_layers(requested: int | None) -> int:
    """``None`` (auto) → all layers when this llama.cpp build can offload, else 0."""
    if requested is not None:
        return requested
    return -1 if hardware.gpu_offload_supported() else 0


def llama_kwargs(path: Path, settings: ResolvedSettings, config: RunConfig) -> dict[str, Any]:
    """The keyword arguments of ``llama_cpp.Llama`` for ``path`` (imports llama_cpp's
    prompt-lookup drafter when asked for). Load inside ``model_params(extra_bufts=…)``."""
    kwargs: dict[str, Any] = dict(
        model_path=str(path),
        n_ctx=settings.n_ctx,
        n_batch=settings.n_batch,
        n_threads=settings.n_threads,
        n_threads_batch=settings.n_threads,
        n_gpu_layers=settings.n_gpu_layers if config.gpu else 0,
        flash_attn=settings.flash_attn,
        verbose=False,
    )
    if settings.prompt_lookup > 0:
        # Drafts continuations by matching the prompt's n-grams; llama.cpp verifies
        # them in one batch, which needs logits for every token (logits_all).
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        kwargs["draft_model"] = LlamaPromptLookupDecoding(num_pred_tokens=settings.prompt_lookup)
        kwargs["logits_all"] = True
    return kwargs


def embedding_kwargs(
    path: Path, settings: ResolvedSettings, config: RunConfig, pooling: int
) -> dict[str, Any]:
    """The keyword arguments of ``llama_cpp.Llama`` for ``path`` as an embedding model
    pooled by ``pooling`` (a ``llama_pooling_type``). One decode holds ``n_batch``
    tokens of many texts, and the physical batch is as large: a non-causal model (BERT)
    must see a whole text in one ubatch. Load inside ``model_params(extra_bufts=…)``."""
    return dict(
        model_path=str(path),
        embedding=True,
        pooling_type=pooling,
        n_ctx=settings.n_ctx,
        n_batch=settings.n_batch,
        n_ubatch=settings.n_batch,
        n_threads=settings.n_threads,
        n_threads_batch=settings.n_threads,
        n_gpu_layers=settings.n_gpu_layers if config.gpu else 0,
        flash_attn=settings.flash_attn,
        verbose=False,
    )


__all__ = [
    "FULL",
    "ResolvedSettings",
    "RunConfig",
    "embedding_kwargs",
    "llama_kwargs",
    "resolve",
    "resolve_gpu_layers",
    "safe_default",
]
