"""The one interface every engine offers: :class:`Engine`.

Two implement it: :class:`~llmasos.foundation.engine.llama.LlamaEngine` (a GGUF file run
by llama.cpp in this process) and :class:`~llmasos.foundation.engine.remote.RemoteEngine`
(any OpenAI-compatible server). Services, the kernel and the apps only ever name this
protocol; :func:`~llmasos.foundation.engine.factory.open_engine` decides which one runs.
A new engine (another runtime, another server protocol) implements this and is chosen there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.runtime import RunConfig
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.engine.stream import TextStream
from llmasos.foundation.gguf.model_info import ModelInfo


class Engine(Protocol):
    """One model at a time. Not thread-safe: one thread loads and generates; any thread
    may cancel a request through its :class:`CancelToken`."""

    @property
    def info(self) -> ModelInfo | None:
        """What is loaded (its ``source`` says file or remote server), or None."""

    @property
    def is_loaded(self) -> bool: ...

    @property
    def n_ctx(self) -> int:
        """Context length of the loaded model, in tokens."""

    @property
    def kv_tokens(self) -> int:
        """Tokens already evaluated that a follow-up request can reuse."""

    @property
    def run_config(self) -> RunConfig | None:
        """The llama.cpp paths a local model runs with (None for a server's model)."""

    @property
    def notice(self) -> str | None:
        """One line when loading had to turn something off, else None."""

    def load(
        self,
        target: str | os.PathLike[str],
        settings: EngineSettings | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> ModelInfo:
        """Load ``target`` (a file, or a server's model name) instead of the current one."""

    def close(self) -> None:
        """Free the model. Safe to call twice."""

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        """Token ids of ``text`` (a server's engine estimates)."""

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Prompt tokens ``messages`` take under the model's chat template."""

    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> TextStream[str]:
        """Start an assistant reply to ``messages``; iterate the result for text."""

    def complete(
        self, prompt: str, params: SamplingParams | None = None, cancel: CancelToken | None = None
    ) -> TextStream[str]:
        """Continue plain text ``prompt``; iterate the result for text."""


__all__ = ["Engine"]
