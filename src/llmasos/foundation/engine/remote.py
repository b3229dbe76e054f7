"""A remote engine: any OpenAI-compatible server (llama-server, vLLM, Ollama, a gateway).

:class:`RemoteEngine` offers the part of :class:`~llmasos.foundation.engine.protocol.Engine`'s
interface that the kernel and the services use — ``load``, ``close``, ``info``,
``is_loaded``, ``n_ctx``, ``kv_tokens``, ``chat``, ``complete``, ``tokenize``,
``count_chat_tokens`` — so the app runs unchanged on a bigger model elsewhere.

It speaks plain HTTP(S) with the standard library (``http.client``): every request
streams as server-sent events, and cancelling (from any thread) shuts the socket,
which ends the server's generation too. Failures become typed errors from
:mod:`llmasos.errors` that say what to do next.

Token counts: there is no local tokenizer, so :meth:`RemoteEngine.tokenize` and
:meth:`RemoteEngine.count_chat_tokens` *estimate* one token per
:data:`CHARS_PER_TOKEN` characters (plus a few per message). Finished generations
report the server's own ``usage`` when it sends one. The context length is the one
the server reports in ``/v1/models`` (``context_length``, ``max_model_len``,
``meta.n_ctx_train``…), else :data:`DEFAULT_N_CTX`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from llmasos.errors import (
    NoModelLoaded,
    RemoteModelNotFound,
    RemoteProtocolError,
    RemoteStreamBroken,
    RemoteTimeout,
)
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.remote_http import HttpClient, SseStream
from llmasos.foundation.engine.runtime import RunConfig
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import (
    FINISH_CANCELLED,
    FINISH_LENGTH,
    FINISH_STOP,
    GenerationStats,
    TextStream,
)
from llmasos.foundation.gguf.model_info import SOURCE_REMOTE, ModelInfo

log = logging.getLogger(__name__)

DEFAULT_N_CTX = 4096  # assumed when the server does not report its context length
CHARS_PER_TOKEN = 3  # the estimate used without a local tokenizer (English ≈ 4, Chinese ≈ 1.5)
MESSAGE_OVERHEAD_TOKENS = 4  # role markers per chat message, estimated
_CTX_KEYS = ("context_length", "max_model_len", "context_window", "n_ctx")
_CTX_META_KEYS = ("n_ctx", "n_ctx_train")


def estimate_tokens(text: str) -> int:
    """Estimated token count of ``text``: one per :data:`CHARS_PER_TOKEN` characters."""
    return -(-len(text) // CHARS_PER_TOKEN)


def _reported_ctx(entry: dict[str, Any]) -> int | None:
    candidates = [entry.get(k) for k in _CTX_KEYS]
    meta = entry.get("meta")
    if isinstance(meta, dict):
        candidates += [meta.get(k) for k in _CTX_META_KEYS]
    for value in candidates:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def remote_model_info(model: str, n_ctx: int | None) -> ModelInfo:
    """A :class:`ModelInfo` describing a server's model (``source`` is remote; no file)."""
    return ModelInfo(
        path=Path(model),
        file_size=0,
        gguf_version=0,
        architecture="remote",
        name=model,
        size_label=None,
        parameter_count=None,
        file_type=None,
        quantization="remote",
        context_length=n_ctx,
        block_count=None,
        embedding_length=None,
        head_count=None,
        head_count_kv=None,
        vocab_size=None,
        tokenizer_model=None,
        chat_template=None,
        bos_token=None,
        eos_token=None,
        tensor_count=0,
        source=SOURCE_REMOTE,
    )


class RemoteEngine:
    """One model on an OpenAI-compatible server, used like the local engine.

    Not thread-safe for generation (like every engine); any thread may cancel through a
    :class:`CancelToken`.
    """

    def __init__(
        self,
        url: str,
        api_key: str = "",
        *,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 300.0,
        default_n_ctx: int = DEFAULT_N_CTX,
        send_llama_params: bool = False,
    ) -> None:
        """Prepare a client for ``url`` (``http://host:port`` or ``…/v1``); nothing connects yet.

        Args:
            url: the server's address.
            api_key: sent as ``Authorization: Bearer``; empty sends none.
            connect_timeout_s: how long to wait for a connection.
            read_timeout_s: how long to wait for the next bytes of an answer.
            default_n_ctx: context length assumed when the server reports none.
            send_llama_params: also send llama.cpp's ``top_k``, ``min_p`` and
                ``repeat_penalty`` (strict servers such as OpenAI's reject them).
        """
        self.http = HttpClient(
            url, api_key, connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s
        )
        self.default_n_ctx = default_n_ctx
        self.send_llama_params = send_llama_params
        self._info: ModelInfo | None = None
        self._model = ""
        self.run_config: RunConfig | None = None  # the server decides how it runs models
        self.notice: str | None = None
        self._n_ctx = default_n_ctx

    @property
    def url(self) -> str:
        """The server's API base address (ends with ``/v1``)."""
        return self.http.base_url

    @property
    def info(self) -> ModelInfo | None:
        """The remote model as a :class:`ModelInfo`, or None before :meth:`load`."""
        return self._info

    @property
    def is_loaded(self) -> bool:
        return self._info is not None

    @property
    def model(self) -> str:
        """The model id requests are sent with."""
        self._require()
        return self._model

    @property
    def n_ctx(self) -> int:
        """The server's reported context length, else :data:`DEFAULT_N_CTX`."""
        self._require()
        return self._n_ctx

    @property
    def kv_tokens(self) -> int:
        """Always 0: the server's cache is not visible from here."""
        return 0

    def list_models(self) -> list[dict[str, Any]]:
        """The server's ``/v1/models`` entries (each has at least ``id``)."""
        data = self.http.get_json("/models")
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise RemoteProtocolError(
                f"{self.url}/models did not return an OpenAI model list. Check the address: "
                "it should be an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."
            )
        return [e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]

    def model_names(self) -> list[str]:
        """The ids of the models the server offers."""
        return [str(e["id"]) for e in self.list_models()]

    def load(
        self, model: str | os.PathLike[str] = "", settings: object = None, progress: object = None
    ) -> ModelInfo:
        """Choose ``model`` on the server (its first model when empty) and check it exists.

        ``settings`` and ``progress`` are accepted for the kernel's sake and ignored:
        the server decides how its models are loaded.

        Raises:
            RemoteUnreachable, RemoteAuthError, RemoteTimeout: talking to the server failed.
            RemoteModelNotFound: the server does not list ``model`` (or lists none).
        """
        wanted = os.fspath(model)
        if wanted == ".":  # Path("") as the kernel passes it: no model named
            wanted = ""
        entries = self.list_models()
        names = [str(e["id"]) for e in entries]
        if not wanted and not names:
            raise RemoteModelNotFound(
                f"The server at {self.url} lists no models. Load one "
                "there first, or name one with --remote-model."
            )
        chosen = wanted or names[0]
        entry = next((e for e in entries if e["id"] == chosen), None)
        if entry is None:
            shown = ", ".join(names[:10]) or "none"
            raise RemoteModelNotFound(
                f"The server at {self.url} has no model '{chosen}'. It serves: {shown}."
            )
        reported = _reported_ctx(entry)
        self._model, self._n_ctx = chosen, reported or self.default_n_ctx
        self._info = remote_model_info(chosen, reported)
        log.info(
            "Using remote model %s at %s (context %d%s)",
            chosen,
            self.url,
            self._n_ctx,
            "" if reported else ", assumed",
        )
        return self._info

    def close(self) -> None:
        """Forget the model (nothing is held open between requests). Safe to call twice."""
        self._info, self._model = None, ""

    def _require(self) -> None:
        if self._info is None:
            raise NoModelLoaded("No remote model is chosen. Pick one of the server's models first.")

    # -- tokens (estimates) --------------------------------------------------------
    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        """An *estimate*: a list of zeros as long as the text's estimated token count."""
        return [0] * estimate_tokens(text)

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Estimated prompt tokens of ``messages`` (see :data:`CHARS_PER_TOKEN`)."""
        return sum(estimate_tokens(m.content) + MESSAGE_OVERHEAD_TOKENS for m in messages)

    # -- generation ---------------------------------------------------------------
    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> RemoteGeneration:
        """Stream an assistant reply to ``messages`` from the server."""
        self._require()
        payload = self._payload(params or SamplingParams())
        payload["messages"] = [{"role": m.role, "content": m.content} for m in messages]
        return RemoteGeneration(
            self,
            "/chat/completions",
            payload,
            cancel or CancelToken(),
            self.count_chat_tokens(messages),
        )

    def complete(
        self, prompt: str, params: SamplingParams | None = None, cancel: CancelToken | None = None
    ) -> RemoteGeneration:
        """Stream a plain-text continuation of ``prompt`` from the server."""
        self._require()
        if not prompt:
            raise ValueError("The prompt is empty.")
        payload = self._payload(params or SamplingParams())
        payload["prompt"] = prompt
        return RemoteGeneration(
            self, "/completions", payload, cancel or CancelToken(), estimate_tokens(prompt)
        )

    def _payload(self, params: SamplingParams) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self._model,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
        }
        if params.seed is not None:
            payload["seed"] = params.seed
        if params.stop:
            payload["stop"] = list(params.stop)
        if self.send_llama_params:
            payload.update(
                top_k=params.top_k, min_p=params.min_p, repeat_penalty=params.repeat_penalty
            )
        return payload


class RemoteGeneration(TextStream[str]):
    """A streaming request to the server: iterate for text; ``stats`` is set once it ends.

    A stream that breaks midway keeps what arrived (already yielded) and then raises
    :class:`RemoteStreamBroken`; cancelling ends it quietly with finish reason
    ``"cancelled"``.
    """

    def __init__(
        self,
        engine: RemoteEngine,
        endpoint: str,
        payload: dict[str, Any],
        cancel: CancelToken,
        prompt_estimate: int,
    ) -> None:
        self._engine = engine
        self._cancel = cancel
        self.stats = None
        self.usage_reported = False  # True when the token counts came from the server
        self._it = self._run(endpoint, payload, prompt_estimate)

    def _run(self, endpoint: str, payload: dict[str, Any], prompt_estimate: int) -> Iterator[str]:
        t0 = time.perf_counter()
        chat = endpoint == "/chat/completions"
        state = _StreamTally()
        stream = self._engine.http.stream(endpoint, payload, self._cancel)
        try:
            for event in stream:
                piece = state.take(event, chat)
                if piece:
                    yield piece
        except (RemoteStreamBroken, RemoteTimeout) as exc:
            if not self._cancel.is_cancelled:
                self.stats = state.stats(t0, prompt_estimate, FINISH_STOP, self._engine)
                raise _with_partial(exc, state.text) from exc
        finally:
            stream.close()
        if self._cancel.is_cancelled:
            finish = FINISH_CANCELLED
        else:
            finish = FINISH_LENGTH if state.finish == "length" else FINISH_STOP
        self.stats = state.stats(t0, prompt_estimate, finish, self._engine)
        self.usage_reported = state.usage is not None
        if finish != FINISH_CANCELLED and not state.finish and not stream.done:
            raise RemoteStreamBroken(
                f"The server at {self._engine.url} closed the stream before the answer "
                "ended; the text that arrived is kept. Try again.",
                partial=state.text,
            )


def _with_partial(exc: RemoteStreamBroken | RemoteTimeout, partial: str) -> Exception:
    if isinstance(exc, RemoteStreamBroken):
        return RemoteStreamBroken(str(exc), partial=partial)
    if partial:
        return RemoteStreamBroken(f"{exc} The text that arrived is kept.", partial=partial)
    return exc


class _StreamTally:
    """Text, timing and usage gathered from a stream's events."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n_pieces = 0
        self.t_first = 0.0
        self.t_last = 0.0
        self.finish = ""
        self.usage: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def take(self, event: dict[str, Any], chat: bool) -> str:
        """Record one decoded SSE event; return its text (may be empty)."""
        if isinstance(event.get("usage"), dict):
            self.usage = event["usage"]
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            return ""
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish = str(choice["finish_reason"])
        if chat:
            delta = choice.get("delta")
            piece = delta.get("content") if isinstance(delta, dict) else None
        else:
            piece = choice.get("text")
        if not isinstance(piece, str) or not piece:
            return ""
        now = time.perf_counter()
        self.t_first = self.t_first or now
        self.t_last = now
        self.n_pieces += 1
        self.parts.append(piece)
        return piece

    def stats(
        self, t0: float, prompt_estimate: int, finish: str, engine: RemoteEngine
    ) -> GenerationStats:
        usage = self.usage or {}
        prompt = usage.get("prompt_tokens")
        completion = usage.get("completion_tokens")
        n_prompt = prompt if isinstance(prompt, int) else prompt_estimate
        n_out = completion if isinstance(completion, int) else self.n_pieces
        now = time.perf_counter()
        ttft = (self.t_first - t0) if self.t_first else now - t0
        span = self.t_last - self.t_first
        tps = (n_out - 1) / span if n_out > 1 and span > 0 else 0.0
        name = engine.info.name or "" if engine.info else ""
        return GenerationStats(n_prompt, n_out, 0, ttft, tps, now - t0, finish, name)


__all__ = [
    "CHARS_PER_TOKEN",
    "DEFAULT_N_CTX",
    "RemoteEngine",
    "RemoteGeneration",
    "SseStream",
    "estimate_tokens",
    "remote_model_info",
]
