"""The engine: the one place in LLMasOS that talks to llama.cpp.

An :class:`Engine` holds at most one model. It is not thread-safe: one thread (the
kernel's worker) loads and generates; any thread may cancel through a
:class:`CancelToken`. Generation is a :class:`Generation`, an iterator of text
pieces whose :attr:`Generation.stats` is filled in when it ends.
"""

from __future__ import annotations

import ctypes
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from llmasos.errors import (
    ContextOverflowError,
    InvalidInputError,
    ModelLoadError,
    NoModelLoaded,
    SettingsError,
)
from llmasos.foundation import hardware
from llmasos.foundation.cancel import CancelToken
from llmasos.foundation.chat_format import ChatFormat, ChatMessage, RenderedPrompt
from llmasos.foundation.llama_hooks import abort_callback, load_progress, route_llama_logs
from llmasos.foundation.model_info import ModelInfo
from llmasos.foundation.streaming import (
    FINISH_CANCELLED,
    FINISH_LENGTH,
    FINISH_STOP,
    Generation,
    GenerationStats,
    Prepared,
    TextStream,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineSettings:
    """How a model is loaded. ``None`` means "choose for this machine"."""

    n_ctx: int = 4096  # capped at the model's trained context length
    n_threads: int | None = None
    n_batch: int = 512
    n_gpu_layers: int | None = None  # None: all layers when the build can offload, else 0
    flash_attn: bool = False
    probe: bool = True  # probe-load unknown files in a child process first
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


class Engine:
    """One llama.cpp model at a time, with validation, chat formatting and streaming."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = (settings or EngineSettings()).validated()
        self._llm: Any = None
        self._info: ModelInfo | None = None
        self._format: ChatFormat | None = None
        self._abort_cb: Any = None
        self._vocab: Any = None
        self._pieces: dict[int, bytes] = {}

    # -- loading -----------------------------------------------------------
    @property
    def info(self) -> ModelInfo | None:
        """Metadata of the loaded model, or None."""
        return self._info

    @property
    def is_loaded(self) -> bool:
        return self._llm is not None

    @property
    def chat_format(self) -> ChatFormat:
        self._require()
        assert self._format is not None
        return self._format

    @property
    def n_ctx(self) -> int:
        """Context length of the loaded model, in tokens."""
        return int(self._require().n_ctx())

    @property
    def kv_tokens(self) -> int:
        """Tokens currently evaluated in the context (what a follow-up can reuse)."""
        return int(self._require().n_tokens)

    def load(
        self, path: str | os.PathLike[str], settings: EngineSettings | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> ModelInfo:
        """Validate ``path`` and load it, replacing any loaded model.

        The new file is validated (and probe-loaded in a child process when it has
        not been before) while the old model is still loaded; only then is the
        old one freed, so two models are never in memory together. If llama.cpp
        still fails, the previous model is loaded again before the error is raised.

        ``progress`` is called with llama.cpp's loading progress (0.0 to 1.0) on the
        loading thread, a few dozen times per load.

        Raises:
            ModelFileError: the file is missing, unreadable, not GGUF, truncated...
            ModelLoadError: llama.cpp refused the file.
        """
        from llmasos.foundation.gguf_file import read_model_info  # gguf + numpy: on first load

        new_settings = (settings or self.settings).validated()
        info = read_model_info(path)
        if new_settings.probe:
            from llmasos.foundation.probe import probe_load

            probe_load(info.path)
        previous = (self._info, self.settings) if self._info is not None else None
        self.close()
        try:
            with load_progress(progress):
                self._open(info, new_settings)
        except ModelLoadError:
            if previous is not None:
                log.warning("Load of %s failed; reloading %s", info.path, previous[0].path)
                self._open(previous[0], previous[1])
            raise
        return info

    def _open(self, info: ModelInfo, settings: EngineSettings) -> None:
        import llama_cpp

        route_llama_logs()
        n_ctx = settings.n_ctx
        if info.context_length:
            n_ctx = min(n_ctx, info.context_length)
        kwargs: dict[str, Any] = dict(
            model_path=str(info.path), n_ctx=n_ctx, n_batch=min(settings.n_batch, n_ctx),
            n_threads=settings.n_threads or hardware.default_threads(),
            n_threads_batch=settings.n_threads or hardware.default_threads(),
            n_gpu_layers=resolve_gpu_layers(settings.n_gpu_layers),
            flash_attn=settings.flash_attn, verbose=False,
        )
        if settings.prompt_lookup > 0:
            # Drafts continuations by matching the prompt's n-grams; llama.cpp verifies
            # them in one batch, which needs logits for every token (logits_all).
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

            kwargs["draft_model"] = LlamaPromptLookupDecoding(
                num_pred_tokens=settings.prompt_lookup)
            kwargs["logits_all"] = True
        try:
            llm = llama_cpp.Llama(**kwargs)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(
                f"llama.cpp could not load {info.path.name} ({exc}). The file may need a newer "
                "llama.cpp, or there is not enough memory: try a smaller model or context length."
            ) from exc
        self._llm, self._info, self.settings = llm, info, settings
        self._vocab = llm._model.vocab
        self._format = ChatFormat(info)
        self._pieces = {}
        self._abort_cb = abort_callback()

    def close(self) -> None:
        """Free the model (and its memory). Safe to call twice."""
        if self._llm is not None:
            self._llm.close()
        self._llm = self._info = self._format = self._vocab = None
        self._pieces = {}

    def _require(self) -> Any:
        if self._llm is None:
            raise NoModelLoaded("No model is loaded. Open a GGUF file or download one first.")
        return self._llm

    # -- tokens --------------------------------------------------------------
    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        """Token ids of ``text`` (special tokens parsed only when ``special``)."""
        data = text.encode("utf-8")
        return list(self._require().tokenize(data, add_bos=add_bos, special=special))

    def detokenize(self, tokens: Sequence[int]) -> str:
        """Text of ``tokens``; undecodable bytes become U+FFFD."""
        self._require()
        return b"".join(self._piece(t) for t in tokens).decode("utf-8", "replace")

    def _piece(self, token: int) -> bytes:
        piece = self._pieces.get(token)
        if piece is None:
            import llama_cpp

            size = 64
            while True:
                buf = ctypes.create_string_buffer(size)
                n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, size, 0, False)
                if n >= 0:
                    break
                size = -n
            piece = self._pieces[token] = buf.raw[:n]
        return piece

    def _is_eog(self, token: int) -> bool:
        import llama_cpp

        return bool(llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def render_chat(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        """The prompt text ``messages`` become under this model's chat format."""
        return self.chat_format.render(messages)

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Exact number of prompt tokens ``messages`` take under the model's template."""
        return len(self.tokenize(self.render_chat(messages).text, special=True))

    # -- generation --------------------------------------------------------
    def chat(self, messages: Sequence[ChatMessage], params: SamplingParams | None = None,
             cancel: CancelToken | None = None) -> Generation:
        """Start an assistant reply to ``messages``; iterate the result for text.

        Raises:
            ContextOverflowError: the conversation leaves no room for an answer.
            InvalidInputError: ``messages`` is empty.
        """
        params = params or SamplingParams()
        if not messages:  # a typed error, so the kernel and the CLI show it as one
            raise InvalidInputError("There is nothing to answer: the chat has no messages.")
        rendered = self.render_chat(messages)
        tokens = self.tokenize(rendered.text, special=True)
        stop = tuple(dict.fromkeys((*rendered.stop, *params.stop)))
        return self._start(tokens, replace(params, stop=stop), cancel)

    def complete(self, prompt: str, params: SamplingParams | None = None,
                 cancel: CancelToken | None = None) -> Generation:
        """Continue plain text ``prompt`` (no chat template); iterate for text."""
        params = params or SamplingParams()
        info = self._info
        add_bos = bool(info and info.bos_token and info.architecture.startswith("gemma"))
        return self._start(self.tokenize(prompt, add_bos=add_bos), params, cancel)

    def _start(self, tokens: list[int], params: SamplingParams,
               cancel: CancelToken | None) -> Generation:
        n_ctx = self.n_ctx
        if not tokens:
            raise InvalidInputError("The prompt is empty. Type or paste some text first.")
        room = n_ctx - len(tokens)
        if room < 1:
            raise ContextOverflowError(
                f"The prompt is {len(tokens)} tokens but the model's context holds {n_ctx}. "
                "Shorten the text, start a new conversation, or raise the context length "
                "in Settings.", prompt_tokens=len(tokens), n_ctx=n_ctx,
            )
        prep = Prepared(tokens, params.stop, max(1, min(params.max_tokens, room)))
        return Generation(self, prep, params, cancel or CancelToken())

    # -- internals used by Generation ----------------------------------------
    def _common_prefix(self, tokens: list[int]) -> int:
        llm = self._require()
        n = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens, strict=False):
            if a != b:
                break
            n += 1
        return min(n, len(tokens) - 1)

    def _arm(self, cancel: CancelToken) -> None:
        import llama_cpp

        llama_cpp.llama_set_abort_callback(self._llm.ctx, self._abort_cb, cancel.address)

    def _disarm(self) -> None:
        import llama_cpp

        if self._llm is not None:
            llama_cpp.llama_set_abort_callback(self._llm.ctx, self._abort_cb, None)

    def _stats(self, n_prompt: int, cached: int, n_out: int, t0: float, t_first: float,
               finish: str) -> GenerationStats:
        now = time.perf_counter()
        ttft = (t_first - t0) if t_first else now - t0
        decode_s = now - t_first if t_first else 0.0
        tps = (n_out - 1) / decode_s if n_out > 1 and decode_s > 0 else 0.0
        name = self._info.path.name if self._info else ""
        return GenerationStats(n_prompt, n_out, cached, ttft, tps, now - t0, finish, name)


def resolve_gpu_layers(requested: int | None) -> int:
    """``None`` (auto) → all layers when this llama.cpp build can offload, else 0."""
    if requested is not None:
        return requested
    return -1 if hardware.gpu_offload_supported() else 0


__all__ = [
    "FINISH_CANCELLED",
    "FINISH_LENGTH",
    "FINISH_STOP",
    "CancelToken",
    "ChatMessage",
    "Engine",
    "EngineSettings",
    "Generation",
    "GenerationStats",
    "SamplingParams",
    "TextStream",
    "resolve_gpu_layers",
]
