"""The engine: the one place in LLMasOS that talks to llama.cpp.

A :class:`LlamaEngine` holds at most one model. It is not thread-safe: one thread (the
kernel's worker) loads and generates; any thread may cancel through a
:class:`CancelToken`. Generation is a :class:`Generation`, an iterator of text
pieces whose :attr:`Generation.stats` is filled in when it ends.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from llmasos.errors import (
    ContextOverflowError,
    InvalidInputError,
    ModelLoadError,
    NoModelLoaded,
)
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatFormat, ChatMessage, RenderedPrompt
from llmasos.foundation.engine.llama_hooks import model_params, route_llama_logs, top_k_first
from llmasos.foundation.engine.runtime import RunConfig, resolve, resolve_gpu_layers, safe_default
from llmasos.foundation.engine.session import LlamaSession
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.engine.stream import (
    FINISH_CANCELLED,
    FINISH_LENGTH,
    FINISH_STOP,
    GenerationStats,
    TextStream,
)
from llmasos.foundation.engine.streaming import Generation, Prepared
from llmasos.foundation.gguf.model_info import ModelInfo
from llmasos.foundation.platform.cpu_load import ThreadAdvisor

if TYPE_CHECKING:
    from llmasos.foundation.engine.probe import Verdict

log = logging.getLogger(__name__)


class LlamaEngine:
    """One llama.cpp model at a time, with validation, chat formatting and streaming."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = (settings or EngineSettings()).validated()
        self._session: LlamaSession | None = None
        self._advisor: ThreadAdvisor | None = None
        self._info: ModelInfo | None = None
        self._format: ChatFormat | None = None
        self.run_config: RunConfig | None = None  # what the loaded model runs with
        self.notice: str | None = None  # one line when the probe had to turn something off

    # -- loading -----------------------------------------------------------
    @property
    def info(self) -> ModelInfo | None:
        """Metadata of the loaded model, or None."""
        return self._info

    @property
    def is_loaded(self) -> bool:
        return self._session is not None

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
        self,
        path: str | os.PathLike[str],
        settings: EngineSettings | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> ModelInfo:
        """Validate ``path`` and load it, replacing any loaded model.

        The new file is validated (and run in a child process by the probe when it
        has not been before, see :mod:`.probe`: a configuration that crashes llama.cpp
        is replaced by one that does not, and :attr:`notice` says so) while the old
        model is still loaded; only then is the
        old one freed, so two models are never in memory together. If llama.cpp
        still fails, the previous model is loaded again before the error is raised.

        ``progress`` is called with llama.cpp's loading progress (0.0 to 1.0) on the
        loading thread, a few dozen times per load.

        Raises:
            ModelFileError: the file is missing, unreadable, not GGUF, truncated...
            ModelFileInvalid: llama.cpp crashed running the file in every configuration.
            ModelLoadError: llama.cpp refused the file.
        """
        from llmasos.foundation.gguf.file import read_model_info  # gguf + numpy: on first load

        new_settings = (settings or self.settings).validated()
        info = read_model_info(path)
        verdict = self._verdict(info, new_settings)
        previous = self._info, self.settings, self.run_config
        self.close()
        try:
            with model_params(progress, extra_bufts=verdict.config.extra_bufts):
                self._open(info, new_settings, verdict.config)
        except ModelLoadError:
            old_info, old_settings, old_config = previous
            if old_info is not None and old_config is not None:
                log.warning("Load of %s failed; reloading %s", info.path, old_info.path)
                with model_params(extra_bufts=old_config.extra_bufts):
                    self._open(old_info, old_settings, old_config)
            raise
        self.notice = verdict.notice
        return info

    @staticmethod
    def _verdict(info: ModelInfo, settings: EngineSettings) -> Verdict:
        """Probe ``info`` in a child (or recall the verdict); without probing, the safe
        default for this CPU unless a probe already ran the file."""
        from llmasos.foundation.engine import probe

        resolved = resolve(settings, info.context_length)
        if settings.probe:
            return probe.probe(info.path, resolved)
        return probe.cached(info.path, resolved) or probe.Verdict(safe_default())

    def _open(self, info: ModelInfo, settings: EngineSettings, config: RunConfig) -> None:
        import llama_cpp

        from llmasos.foundation.engine.runtime import llama_kwargs

        route_llama_logs()
        kwargs = llama_kwargs(info.path, resolve(settings, info.context_length), config)
        try:
            llm = llama_cpp.Llama(**kwargs)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(
                f"llama.cpp could not load {info.path.name} ({exc}). The file may need a newer "
                "llama.cpp, or there is not enough memory: try a smaller model or context length."
            ) from exc
        top_k_first(llm)
        self._session = LlamaSession(llm, info.path.name)
        # "Threads: Auto" follows the machine's load from request to request
        self._advisor = ThreadAdvisor(int(llm.n_threads)) if settings.n_threads is None else None
        self._info, self.settings, self.run_config = info, settings, config
        self._format = ChatFormat(info)

    def close(self) -> None:
        """Free the model (and its memory). Safe to call twice."""
        if self._session is not None:
            self._session.close()
        self._session = self._advisor = None
        self._info = self._format = None
        self.run_config = self.notice = None

    def _require(self) -> Any:
        """The loaded ``llama_cpp.Llama``."""
        return self._require_session().llm

    def _require_session(self) -> LlamaSession:
        if self._session is None:
            raise NoModelLoaded("No model is loaded. Open a GGUF file or download one first.")
        return self._session

    # -- tokens --------------------------------------------------------------
    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        """Token ids of ``text`` (special tokens parsed only when ``special``)."""
        data = text.encode("utf-8")
        return list(self._require().tokenize(data, add_bos=add_bos, special=special))

    def detokenize(self, tokens: Sequence[int]) -> str:
        """Text of ``tokens``; undecodable bytes become U+FFFD."""
        session = self._require_session()
        return b"".join(session.piece(t) for t in tokens).decode("utf-8", "replace")

    def render_chat(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        """The prompt text ``messages`` become under this model's chat format."""
        return self.chat_format.render(messages)

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Exact number of prompt tokens ``messages`` take under the model's template."""
        return len(self.tokenize(self.render_chat(messages).text, special=True))

    # -- generation --------------------------------------------------------
    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> Generation:
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

    def complete(
        self, prompt: str, params: SamplingParams | None = None, cancel: CancelToken | None = None
    ) -> Generation:
        """Continue plain text ``prompt`` (no chat template); iterate for text."""
        params = params or SamplingParams()
        info = self._info
        add_bos = bool(info and info.bos_token and info.architecture.startswith("gemma"))
        return self._start(self.tokenize(prompt, add_bos=add_bos), params, cancel)

    def _start(
        self, tokens: list[int], params: SamplingParams, cancel: CancelToken | None
    ) -> Generation:
        n_ctx = self.n_ctx
        if not tokens:
            raise InvalidInputError("The prompt is empty. Type or paste some text first.")
        room = n_ctx - len(tokens)
        if room < 1:
            raise ContextOverflowError(
                f"The prompt is {len(tokens)} tokens but the model's context holds {n_ctx}. "
                "Shorten the text, start a new conversation, or raise the context length "
                "in Settings.",
                prompt_tokens=len(tokens),
                n_ctx=n_ctx,
            )
        prep = Prepared(tokens, params.stop, max(1, min(params.max_tokens, room)))
        session = self._require_session()
        if self._advisor is not None:
            session.use_threads(self._advisor.choose())
        return Generation(session, prep, params, cancel or CancelToken())

    @property
    def threads(self) -> int | None:
        """CPU threads the next request runs with (None: no model)."""
        return self._session.threads if self._session is not None else None


__all__ = [
    "FINISH_CANCELLED",
    "FINISH_LENGTH",
    "FINISH_STOP",
    "CancelToken",
    "ChatMessage",
    "EngineSettings",
    "Generation",
    "GenerationStats",
    "LlamaEngine",
    "SamplingParams",
    "TextStream",
    "resolve_gpu_layers",
]
