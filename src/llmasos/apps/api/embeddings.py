"""``POST /v1/embeddings``: the request, the kernel job and the answer (OpenAI's shape).

The server's embedding model is a GGUF file named when it starts (``llmasos serve
--embedding-model``); it is its own small model beside the chat model. Like every API
request, embedding runs as a background-priority job on the kernel's worker, so the
model is loaded there by the first request, used only there, and closed there when the
server stops (:meth:`EmbeddingModel.close`): one thread ever touches it.

``input`` is a string or a list of strings (token arrays are refused); the LLMasOS
extension ``input_type: "query"`` marks search questions for models that prefix them
(e5, bge, nomic, Qwen3-Embedding). Texts longer than the model's context are cut to
fit, as the embedder does, instead of refused.
"""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmasos.apps.api.protocol import ApiError, Limits, bad
from llmasos.errors import ModelFileError, ModelLoadError, NoModelLoaded
from llmasos.foundation.engine.cancel import Cancelled

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import numpy.typing as npt

    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
    from llmasos.foundation.engine.protocol import Engine
    from llmasos.kernel.kernel import JobFn, Kernel

log = logging.getLogger(__name__)

MAX_INPUTS = 2048  # texts per request, as OpenAI allows
INPUT_TYPES = ("query", "passage", "document")


@dataclass(frozen=True)
class EmbeddingsRequest:
    """A parsed ``/v1/embeddings`` body."""

    texts: tuple[str, ...]
    is_query: bool
    is_base64: bool
    single: bool  # ``input`` was one string


@dataclass(frozen=True)
class Embedded:
    """What the job yields: one row per text, the tokens read, the model's file name."""

    vectors: npt.NDArray[np.float32]
    tokens: int
    model: str


def parse_embeddings(body: dict[str, Any], limits: Limits) -> EmbeddingsRequest:
    """Check an embeddings body; raise a 400 :class:`ApiError` naming the bad field."""
    value = body.get("input")
    single = isinstance(value, str)
    texts = [value] if single else value
    if not isinstance(texts, list) or not texts:
        raise bad(
            "'input' must be a string or a non-empty list of strings.", "input", "invalid_type"
        )
    if len(texts) > MAX_INPUTS:
        raise bad(
            f"'input' holds {len(texts)} texts; the limit is {MAX_INPUTS}.", "input", "too_long"
        )
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise bad(
                f"input[{i}] is not a string; send text (token arrays are not accepted).",
                "input",
                "invalid_type",
            )
        if not text.strip():
            raise bad(f"input[{i}] is empty.", "input", "invalid_value")
        if len(text) > limits.max_text_chars:
            raise bad(
                f"input[{i}] is longer than {limits.max_text_chars:,} characters.",
                "input",
                "too_long",
            )
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise bad(
            "'encoding_format' must be 'float' or 'base64'.", "encoding_format", "invalid_value"
        )
    kind = body.get("input_type", "passage")
    if kind not in INPUT_TYPES:
        raise bad(
            f"'input_type' must be one of {', '.join(INPUT_TYPES)}.", "input_type", "invalid_value"
        )
    return EmbeddingsRequest(tuple(texts), kind == "query", encoding == "base64", single)


def response(req: EmbeddingsRequest, done: Embedded, dimensions: Any = None) -> dict[str, Any]:
    """The OpenAI ``list`` of ``embedding`` objects, floats or base64 little-endian float32."""
    if dimensions is not None and dimensions != done.vectors.shape[1]:
        raise bad(
            f"'dimensions' must be {done.vectors.shape[1]} for this model (it cannot shorten "
            "its vectors).",
            "dimensions",
            "invalid_value",
        )
    rows: list[Any]
    if req.is_base64:
        little = done.vectors.astype("<f4")
        rows = [base64.b64encode(row.tobytes()).decode("ascii") for row in little]
    else:
        rows = done.vectors.tolist()
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": row} for i, row in enumerate(rows)
        ],
        "model": done.model,
        "usage": {"prompt_tokens": done.tokens, "total_tokens": done.tokens},
    }


class EmbeddingModel:
    """The API server's embedding model: a path, and the model once a request loaded it.

    :meth:`job` builds kernel jobs; the model is created, used and closed on the kernel's
    worker only. ``path`` None: no model, and requests get a 503 saying how to name one.
    """

    def __init__(self, path: Path | None, *, max_tokens: int | None = None) -> None:
        self.path = path
        self.max_tokens = max_tokens
        self._model: LlamaEmbedder | None = None
        self._lock = threading.Lock()  # guards _model between the worker and close()

    def require(self) -> Path:
        """The model's path, or a 503 :class:`ApiError` saying how to set one."""
        if self.path is None:
            raise ApiError(
                503,
                "This server has no embedding model. Start it with "
                "'llmasos serve --embedding-model PATH_OR_NAME' (a GGUF embedding model such as "
                "bge-m3 or multilingual-e5).",
                type="server_error",
                code="model_not_loaded",
            )
        return self.path

    def job(self, req: EmbeddingsRequest) -> JobFn:
        """A kernel job that embeds ``req.texts`` and yields one :class:`Embedded`."""

        def run(_engine: Engine, cancel: CancelToken) -> Iterator[Any]:
            model = self._loaded()
            try:
                vectors = model.embed(req.texts, query=req.is_query, cancel=cancel)
            except Cancelled:
                return  # the kernel reports it as cancelled: its token is set
            yield Embedded(vectors, model.last_tokens, model.info.path.name)

        return run

    def close(self, kernel: Kernel) -> None:
        """Free the model on the kernel's worker (at once if the kernel has stopped)."""
        if self._model is None:
            return

        def close_job(_engine: Engine, _cancel: CancelToken) -> Iterator[Any]:
            self._close_now()
            return iter(())

        from llmasos.kernel.kernel import Priority

        try:
            kernel.submit(close_job, owner="api", priority=Priority.BACKGROUND)
        except RuntimeError:  # the kernel is shut down: no worker can be using it
            self._close_now()

    def _close_now(self) -> None:
        with self._lock:
            model, self._model = self._model, None
        if model is not None:
            model.close()

    def loaded(self) -> LlamaEmbedder:
        """The model, loaded by the first call. Call it on the kernel's worker only."""
        return self._loaded()

    def _loaded(self) -> LlamaEmbedder:  # the kernel's worker
        with self._lock:
            if self._model is not None:
                return self._model
        from llmasos.foundation.engine.llama_embedder import DEFAULT_MAX_TOKENS, LlamaEmbedder

        path = self.require()
        try:
            model = LlamaEmbedder(path, max_tokens=self.max_tokens or DEFAULT_MAX_TOKENS)
        except (ModelFileError, ModelLoadError) as exc:
            # the server's model, not the request, is at fault: a 503, not a 400
            raise NoModelLoaded(f"The embedding model {path.name} cannot be used: {exc}") from exc
        with self._lock:
            self._model = model
        log.info("Embedding model %s loaded (%s)", path.name, model.model_id)
        return model


__all__ = [
    "Embedded",
    "EmbeddingModel",
    "EmbeddingsRequest",
    "parse_embeddings",
    "response",
]
