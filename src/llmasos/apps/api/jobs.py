"""The kernel jobs behind the API's endpoints (they run on the kernel's worker thread).

Each job wraps its stream in :class:`Guarded`, which turns an expected failure into
a :class:`JobFailure` item (an HTTP status and an OpenAI error type) instead of
the kernel's plain ``failed`` message, so the handler can answer with the right code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from llmasos.apps.api.protocol import ApiError, GenerateRequest, RewriteRequest, TranslateRequest
from llmasos.errors import (
    ContextOverflowError,
    LLMasOSError,
    NoModelLoaded,
    RemoteAuthError,
    RemoteEngineError,
    RemoteRateLimited,
)
from llmasos.foundation.engine.llama import CancelToken, Engine
from llmasos.kernel.kernel import JobFn
from llmasos.services.writing.service import WriteJob, WriteRequest


@dataclass(frozen=True)
class JobFailure:
    """An expected failure inside a job, as the HTTP answer it becomes."""

    status: int
    type: str
    code: str
    message: str

    def error(self) -> ApiError:
        return ApiError(self.status, self.message, type=self.type, code=self.code)


# most specific first: (exception class, HTTP status, error type, code)
_FAILURES: tuple[tuple[type[BaseException], int, str, str], ...] = (
    (ContextOverflowError, 400, "invalid_request_error", "context_length_exceeded"),
    (NoModelLoaded, 503, "server_error", "model_not_loaded"),
    (RemoteRateLimited, 429, "rate_limit_error", "rate_limit_exceeded"),
    (RemoteAuthError, 502, "upstream_error", "upstream_auth_failed"),
    (RemoteEngineError, 502, "upstream_error", "upstream_failed"),
    (ValueError, 400, "invalid_request_error", "invalid_value"),
    (LLMasOSError, 500, "server_error", "engine_error"),
)


def failure_for(exc: BaseException) -> JobFailure:
    """The :class:`JobFailure` for an expected exception."""
    for cls, status, kind, code in _FAILURES:
        if isinstance(exc, cls):
            return JobFailure(status, kind, code, str(exc))
    return JobFailure(500, "server_error", "engine_error", str(exc))


class Guarded(Iterator[Any]):
    """Runs ``start()``'s stream; an expected error becomes a final :class:`JobFailure`.

    Runs on the kernel's worker thread. ``stats`` is the inner stream's, once it ends.
    """

    def __init__(self, start: Callable[[], Iterator[Any]]) -> None:
        self.stats: Any = None
        self._it = self._run(start)

    def __next__(self) -> Any:
        return next(self._it)

    def _run(self, start: Callable[[], Iterator[Any]]) -> Iterator[Any]:
        inner: Iterator[Any] | None = None
        try:
            inner = start()
            yield from inner
        except (LLMasOSError, ValueError) as exc:
            yield failure_for(exc)
        finally:
            self.stats = getattr(inner, "stats", None)


def generate_job(req: GenerateRequest) -> JobFn:
    """Chat (``req.messages``) or plain completion (``req.prompt``)."""

    def job(engine: Engine, cancel: CancelToken) -> Iterator[Any]:
        if req.messages:
            return Guarded(lambda: engine.chat(req.messages, req.params, cancel))
        return Guarded(lambda: engine.complete(req.prompt, req.params, cancel))

    return job


def translate_job(req: TranslateRequest) -> JobFn:
    """Translate through :func:`llmasos.services.translation.service.translate` (protected spans,
    glossary-free, chunked); its final text arrives as a ``TranslationDone`` item."""

    def start(engine: Engine, cancel: CancelToken) -> Iterator[Any]:
        from llmasos.services.text.language import find_language
        from llmasos.services.translation.service import TranslationRequest, translate

        target = find_language(req.target)
        source = find_language(req.source) if req.source else None
        if target is None:
            raise ValueError(f"Unknown target language '{req.target}'.")
        request = TranslationRequest(
            req.text, target.code, source.code if source else "auto", params=req.params
        )
        return translate(engine, request, cancel)

    def job(engine: Engine, cancel: CancelToken) -> Iterator[Any]:
        return Guarded(lambda: start(engine, cancel))

    return job


def rewrite_job(req: RewriteRequest) -> JobFn:
    """A writing action through :class:`llmasos.services.writing.service.WriteJob`."""
    request = WriteRequest(req.action, req.text, req.tone, req.instruction)

    def job(engine: Engine, cancel: CancelToken) -> Iterator[Any]:
        return Guarded(lambda: WriteJob(engine, request, req.params, cancel))

    return job
