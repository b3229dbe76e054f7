"""``POST /v1/ask``: answer a question from document collections, with citations.

Body: ``question`` and ``collection`` (a name) or ``collections`` (a list); optional
``general`` (a labelled general answer when the documents do not cover it), ``k``
(passages to answer from), ``stream`` and the sampling fields of the other endpoints.
The answer is :func:`~llmasos.services.knowledge.answer.ask` run as a background job on
the kernel's worker with the app's loaded model, over the app's knowledge index.

Design choice: the question's embedder is the one each collection was indexed with.
When it is the server's own embedding model (``llmasos serve --embedding-model``) that
loaded model is used; otherwise it is loaded for the request and closed after it (a
small embedder loads in well under a second), so the server holds no model nobody
configured. The index and its in-memory vectors are kept between requests
(:class:`KnowledgeAccess`), so only the first question after a change reads them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmasos.apps.api.protocol import Limits, bad, sampling, usage
from llmasos.foundation.engine.stream import TextStream

if TYPE_CHECKING:
    from llmasos.apps.api.embeddings import EmbeddingModel
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.embedding import Embedder
    from llmasos.foundation.engine.protocol import Engine
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.kernel.kernel import JobFn
    from llmasos.services.knowledge.answer import AnswerResult, Asking, AskRequest
    from llmasos.services.knowledge.search import Searcher
    from llmasos.services.knowledge.store import KnowledgeStore

MAX_COLLECTIONS = 16
MAX_K = 10
MAX_QUESTION_CHARS = 4000


def parse_ask(
    body: dict[str, Any], base: SamplingParams, limits: Limits
) -> tuple[AskRequest, bool]:
    """Check an ask body; the request and whether to stream. A 400 names the bad field."""
    from llmasos.services.knowledge.answer import DEFAULT_SAMPLING, AskRequest

    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise bad("'question' is required: a non-empty string.", "question", "missing_required")
    if len(question) > MAX_QUESTION_CHARS:
        raise bad(
            f"'question' is longer than {MAX_QUESTION_CHARS:,} characters.", "question", "too_long"
        )
    names = body.get("collections", body.get("collection"))
    names = [names] if isinstance(names, str) else names
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) and n.strip() for n in names)
    ):
        raise bad(
            "Name the collections to answer from: 'collection' (a name) or 'collections' "
            "(a list of names; `llmasos docs list` shows them).",
            "collections",
            "missing_required",
        )
    if len(names) > MAX_COLLECTIONS:
        raise bad(f"At most {MAX_COLLECTIONS} collections.", "collections", "too_long")
    k = body.get("k", 3)
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise bad(f"'k' must be an integer from 1 to {MAX_K}.", "k", "invalid_value")
    flags = {}
    for key in ("general", "stream"):
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise bad(f"'{key}' must be true or false.", key, "invalid_type")
        flags[key] = value
    defaults = replace(base, temperature=DEFAULT_SAMPLING.temperature, seed=DEFAULT_SAMPLING.seed)
    params = sampling(body, defaults, limits)
    request = AskRequest(question, tuple(dict.fromkeys(names)), k, flags["general"], params=params)
    return request, flags["stream"]


class KnowledgeAccess:
    """The server's knowledge index and searcher, opened by the first ``/v1/ask``.

    Used on the kernel's worker only (jobs run there one at a time); :meth:`close` runs
    when the server stops, after its last request."""

    def __init__(self, embeddings: EmbeddingModel, path: Path | None = None) -> None:
        self.embeddings = embeddings
        self.path = path  # None: the app's own index
        self._lock = threading.Lock()
        self._store: KnowledgeStore | None = None
        self._searcher: Searcher | None = None

    def searcher(self) -> Searcher:
        """The searcher over the index, opened on first use."""
        from llmasos.services.knowledge.search import Searcher
        from llmasos.services.knowledge.store import KnowledgeStore

        with self._lock:
            if self._searcher is None:
                self._store = KnowledgeStore(self.path)
                self._searcher = Searcher(self._store)
            return self._searcher

    def close(self) -> None:
        with self._lock:
            store, self._store, self._searcher = self._store, None, None
        if store is not None:
            store.close()

    def job(self, request: AskRequest) -> JobFn:
        """A kernel job that answers ``request`` (the service's stream: text and events)."""

        def run(engine: Engine, cancel: CancelToken) -> Iterator[Any]:
            from llmasos.services.knowledge.answer import ask

            searcher = self.searcher()
            for name in request.collections:  # a wrong name fails before any model work
                searcher.store.collection(name)
            embedder, owned = self._embedder(searcher.store, request.collections)
            asking = ask(engine, searcher.store, request, embedder, cancel, searcher=searcher)
            return _Answering(asking, cancel, embedder if owned else None)

        return run

    def _embedder(
        self, store: KnowledgeStore, names: tuple[str, ...]
    ) -> tuple[Embedder | None, bool]:
        """The collections' embedder and whether this request owns (must close) it."""
        from llmasos.foundation.engine.llama_embedder import LlamaEmbedder

        path = next(
            (store.collection(n).embedder for n in names if store.collection(n).embedder), ""
        )
        if not path:
            return None, False
        mine = self.embeddings.path
        if mine is not None and Path(path).resolve() == mine.resolve():
            return self.embeddings.loaded(), False
        return LlamaEmbedder(Path(path)), True


class _Answering(TextStream[Any]):
    """The answer's stream for the kernel (which reads its ``stats``), closing the
    embedder the request loaded when it ends."""

    def __init__(self, asking: Asking, cancel: CancelToken, owned: Embedder | None) -> None:
        self._cancel = cancel
        self._it = self._run(asking, owned)

    def _run(self, asking: Asking, owned: Embedder | None) -> Iterator[Any]:
        try:
            yield from asking
        finally:
            self.stats = asking.stats
            if owned is not None:
                owned.close()


def openapi_schemas() -> dict[str, Any]:
    """``AskRequest`` and ``AskResponse`` for the OpenAPI document."""
    citation = {
        "type": "object",
        "properties": {
            "number": {"type": "integer", "description": "The [n] marker in the answer."},
            "file": {"type": "string"},
            "page": {"type": ["integer", "null"]},
            "heading": {"type": "array", "items": {"type": "string"}},
            "start": {"type": "integer", "description": "Offset in the file's text."},
            "end": {"type": "integer"},
            "score": {"type": "number", "description": "Reciprocal-rank-fusion score."},
            "vector": {"type": ["number", "null"], "description": "Cosine similarity."},
            "coverage": {"type": "number", "description": "Share of the question's terms."},
            "passage": {"type": "string", "description": "The quoted passage."},
            "supported": {
                "type": ["boolean", "null"],
                "description": "The amounts the answer cites are in the passage (null: none).",
            },
            "inferred": {"type": "boolean", "description": "The model wrote no marker."},
        },
    }
    names = {"type": "string", "minLength": 1}
    return {
        "AskRequest": {
            "type": "object",
            "required": ["question"],
            "properties": {
                "question": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS},
                "collection": names,
                "collections": {"type": "array", "items": names, "maxItems": MAX_COLLECTIONS},
                "general": {
                    "type": "boolean",
                    "default": False,
                    "description": "When the documents do not cover it, add a general answer "
                    "labelled as not from them.",
                },
                "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 3},
                "stream": {
                    "type": "boolean",
                    "default": False,
                    "description": "Server-sent events: ask.sources, ask.delta…, the ask "
                    "object, [DONE].",
                },
                "max_tokens": {"type": "integer", "minimum": 1},
            },
        },
        "AskResponse": {
            "type": "object",
            "properties": {
                "object": {"const": "ask"},
                "model": {"type": "string"},
                "question": {"type": "string"},
                "answer": {"type": "string"},
                "covered": {
                    "type": "boolean",
                    "description": "False: the documents do not cover the question.",
                },
                "general": {"type": "boolean"},
                "language": {"type": "string"},
                "queries": {"type": "array", "items": {"type": "string"}},
                "citations": {"type": "array", "items": citation},
                "unknown_markers": {"type": "array", "items": {"type": "integer"}},
                "model_declined": {"type": "boolean"},
                "usage": {"type": "object"},
            },
        },
    }


def response(result: AnswerResult, stats: Any, model: str, rid: str) -> dict[str, Any]:
    """The ``/v1/ask`` answer (and the last event of a stream)."""
    return {
        "id": rid,
        "object": "ask",
        "model": model,
        **result.to_json(),
        "usage": usage(stats),
    }


__all__ = ["KnowledgeAccess", "openapi_schemas", "parse_ask", "response"]
