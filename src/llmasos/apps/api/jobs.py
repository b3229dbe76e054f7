"""The kernel jobs behind the API's endpoints (they run on the kernel's worker thread),
and :func:`failure_for`, which maps the typed error of a failed job to its HTTP answer.

A job just returns its stream. An expected failure reaches the handler through the
kernel's ``failed`` signal as a :class:`~llmasos.kernel.kernel.Failure` carrying the typed
error; only those become 4xx/5xx answers with an OpenAI error type. A bug (any other
exception) is a 500 whose details go to the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from llmasos.apps.api.protocol import ApiError, GenerateRequest, RewriteRequest, TranslateRequest
from llmasos.errors import (
    CollectionNotFound,
    ContextOverflowError,
    LLMasOSError,
    NoModelLoaded,
    RemoteAuthError,
    RemoteEngineError,
    RemoteRateLimited,
    UnknownLanguageError,
)
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.protocol import Engine
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
    (CollectionNotFound, 404, "invalid_request_error", "collection_not_found"),
    (NoModelLoaded, 503, "server_error", "model_not_loaded"),
    (RemoteRateLimited, 429, "rate_limit_error", "rate_limit_exceeded"),
    (RemoteAuthError, 502, "upstream_error", "upstream_auth_failed"),
    (RemoteEngineError, 502, "upstream_error", "upstream_failed"),
    (ValueError, 400, "invalid_request_error", "invalid_value"),  # typed ones only (LLMasOSError)
    (LLMasOSError, 500, "server_error", "engine_error"),
)


def failure_for(exc: LLMasOSError) -> JobFailure:
    """The HTTP answer for an expected (typed) failure."""
    for cls, status, kind, code in _FAILURES:
        if isinstance(exc, cls):
            return JobFailure(status, kind, code, str(exc))
    return JobFailure(500, "server_error", "engine_error", str(exc))


def generate_job(req: GenerateRequest) -> JobFn:
    """Chat (``req.messages``) or plain completion (``req.prompt``)."""

    def job(engine: Engine, cancel: CancelToken) -> Iterator[Any]:
        if req.messages:
            return engine.chat(req.messages, req.params, cancel)
        return engine.complete(req.prompt, req.params, cancel)

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
            raise UnknownLanguageError(f"Unknown target language '{req.target}'.")
        request = TranslationRequest(
            req.text, target.code, source.code if source else "auto", params=req.params
        )
        return translate(engine, request, cancel)

    return start


def rewrite_job(req: RewriteRequest) -> JobFn:
    """A writing action through :class:`llmasos.services.writing.service.WriteJob`."""
    request = WriteRequest(req.action, req.text, req.tone, req.instruction)

    def job(engine: Engine, cancel: CancelToken) -> Iterator[Any]:
        return WriteJob(engine, request, req.params, cancel)

    return job
