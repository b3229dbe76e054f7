"""The endpoints: each reads its request, queues a kernel job and answers from its events.

Handlers run on the HTTP server's request threads and wait on their ticket's queue
(see :mod:`llmasos.apps.api.bridge`). While waiting they check every
:data:`~llmasos.apps.api.server.POLL_S` whether the client went away; a client that
leaves — or a failed write on an event stream — cancels its generation.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from llmasos.apps.api import protocol as p
from llmasos.apps.api.ask import parse_ask
from llmasos.apps.api.ask import response as ask_response
from llmasos.apps.api.bridge import Ended, Item, Started, Text, Ticket
from llmasos.apps.api.embeddings import Embedded, parse_embeddings
from llmasos.apps.api.embeddings import response as embeddings_response
from llmasos.apps.api.jobs import failure_for, generate_job, rewrite_job, translate_job
from llmasos.apps.api.ocr import ocr
from llmasos.apps.api.openapi import openapi_document
from llmasos.apps.api.server import POLL_S, ClientGone, Handler, Route
from llmasos.kernel.kernel import JobFn
from llmasos.services.knowledge.answer import AskDone, Retrieved
from llmasos.services.translation.service import TranslationDone
from llmasos.services.writing.service import WriteDone

Event = Started | Text | Item | Ended


def model_id(h: Handler) -> str:
    """The loaded model's id ("" when none): a file name, or the remote model's id."""
    info = h.server.bridge.kernel.model_info
    if info is None:
        return ""
    return info.display_name


def _events(h: Handler, job: JobFn) -> Generator[Event, None, None]:
    """Queue ``job`` and yield its events up to and including :class:`Ended`.

    Closing the iterator early (the client left, a write failed) cancels the request.
    """
    bridge = h.server.bridge
    try:
        ticket = bridge.submit(job)
    except RuntimeError as exc:
        raise p.ApiError(503, str(exc), type="server_error", code="unavailable") from exc
    ended = False
    try:
        while not ended:
            event = _next(h, ticket)
            ended = isinstance(event, Ended)
            yield event
    finally:
        if not ended:
            bridge.cancel(ticket)


def _next(h: Handler, ticket: Ticket) -> Event:
    while True:
        try:
            return ticket.events.get(timeout=POLL_S)
        except queue.Empty:
            if h.client_gone():
                raise ClientGone from None


def _ended_error(end: Ended) -> p.ApiError:
    """The error for a request that ended other than by finishing."""
    if end.kind == "failed" and end.error is not None:
        return failure_for(end.error).error()
    if end.kind == "failed":  # a bug: the details are in the log
        return p.ApiError(500, end.message, type="server_error", code="engine_error")
    why = end.message or "The request was cancelled on the server (e.g. the app stopped all work)."
    return p.ApiError(503, why, type="server_error", code="cancelled")


@dataclass
class _Outcome:
    """What a request produced: its text, items and how it ended."""

    text: list[str] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    end: Ended | None = None

    def raise_for_failure(self) -> None:
        if self.end is None or self.end.kind != "finished":
            raise _ended_error(self.end or Ended("stopped"))


def _collect(h: Handler, job: JobFn) -> _Outcome:
    out = _Outcome()
    with contextlib.closing(_events(h, job)) as events:
        for event in events:
            if isinstance(event, Text):
                out.text.append(event.text)
            elif isinstance(event, Item):
                out.items.append(event.value)
            elif isinstance(event, Ended):
                out.end = event
    out.raise_for_failure()
    return out


# --- generation endpoints -------------------------------------------------------------------


def _generate(h: Handler, req: p.GenerateRequest, shape: p.Shape) -> None:
    job = generate_job(req)
    rid = p.new_id(shape.id_prefix)
    if not req.stream:
        out = _collect(h, job)
        assert out.end is not None
        h.send_json(200, p.response(shape, rid, model_id(h), "".join(out.text), out.end.stats))
        return
    with contextlib.closing(_events(h, job)) as events:
        _stream(h, events, shape, rid, req.include_usage)


def _first(events: Iterator[Event]) -> Event:
    """Skip to the first event that is not :class:`Started`."""
    for event in events:
        if not isinstance(event, Started):
            return event
    raise p.ApiError(503, "The request ended without an answer.", type="server_error")


def _stream(
    h: Handler, events: Iterator[Event], shape: p.Shape, rid: str, include_usage: bool
) -> None:
    """Answer as server-sent events. Headers wait for the first text, so an error
    before any text still gets its proper HTTP status."""
    event = _first(events)
    if isinstance(event, Ended) and event.kind != "finished":
        raise _ended_error(event)
    model = model_id(h)
    h.start_events({})
    if shape is p.CHAT:
        h.send_event(
            {
                **p.chunk(shape, rid, model, ""),
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": ""},
                        "logprobs": None,
                        "finish_reason": None,
                    }
                ],
            }
        )
    while True:
        if isinstance(event, Text):
            h.send_event(p.chunk(shape, rid, model, event.text))
        elif isinstance(event, Ended):
            break
        event = next(events)
    if event.kind != "finished":
        h.send_event(_ended_error(event).body())
        return
    h.send_event(p.chunk(shape, rid, model, None, p.finish_reason(event.stats)))
    if include_usage:
        h.send_event(p.usage_chunk(shape, rid, model, event.stats))
    h.send_event("[DONE]")


def chat_completions(h: Handler) -> None:
    cfg = h.config
    _generate(h, p.parse_chat(h.read_json(), cfg.sampling, cfg.limits), p.CHAT)


def completions(h: Handler) -> None:
    cfg = h.config
    _generate(h, p.parse_completion(h.read_json(), cfg.sampling, cfg.limits), p.COMPLETION)


# --- LLMasOS services -----------------------------------------------------------------------


def translate(h: Handler) -> None:
    cfg = h.config
    req = p.parse_translate(h.read_json(), cfg.sampling, cfg.limits)
    out = _collect(h, translate_job(req))
    assert out.end is not None
    done = next((i for i in reversed(out.items) if isinstance(i, TranslationDone)), None)
    text = done.result.text if done is not None else "".join(out.text)
    h.send_json(
        200,
        {
            "id": p.new_id("tr"),
            "object": "translation",
            "model": model_id(h),
            "text": text.strip(),
            "target_language": req.target,
            "source_language": req.source or None,
            "usage": p.usage(out.end.stats),
        },
    )


def rewrite(h: Handler) -> None:
    cfg = h.config
    req = p.parse_rewrite(h.read_json(), cfg.sampling, cfg.limits)
    out = _collect(h, rewrite_job(req))
    assert out.end is not None
    done = next((i for i in reversed(out.items) if isinstance(i, WriteDone)), None)
    if done is None:
        raise p.ApiError(500, "The writing job ended without a result.", type="server_error")
    h.send_json(
        200,
        {
            "id": p.new_id("rw"),
            "object": "rewrite",
            "model": model_id(h),
            "action": req.action,
            "tone": req.tone,
            "text": done.text,
            "changed": done.is_changed,
            "problems": list(done.problems),
            "usage": p.usage(out.end.stats),
        },
    )


def embeddings(h: Handler) -> None:
    body = h.read_json()
    req = parse_embeddings(body, h.config.limits)
    model = h.server.embeddings
    model.require()
    out = _collect(h, model.job(req))
    done = next((i for i in out.items if isinstance(i, Embedded)), None)
    if done is None:
        raise p.ApiError(500, "The embedding job ended without vectors.", type="server_error")
    h.send_json(200, embeddings_response(req, done, body.get("dimensions")))


def ask(h: Handler) -> None:
    cfg = h.config
    request, stream = parse_ask(h.read_json(), cfg.sampling, cfg.limits)
    job = h.server.knowledge.job(request)
    rid = p.new_id("ask")
    if not stream:
        out = _collect(h, job)
        done = next((i for i in out.items if isinstance(i, AskDone)), None)
        if done is None:
            raise p.ApiError(500, "The answer ended without a result.", type="server_error")
        assert out.end is not None
        h.send_json(200, ask_response(done.result, out.end.stats, model_id(h), rid))
        return
    with contextlib.closing(_events(h, job)) as events:
        _ask_stream(h, events, rid)


def _ask_stream(h: Handler, events: Iterator[Event], rid: str) -> None:
    """Server-sent events: ``ask.sources`` (the passages found), ``ask.delta`` (text),
    then the whole ``ask`` object (as without streaming) and ``[DONE]``."""
    event = _first(events)
    if isinstance(event, Ended) and event.kind != "finished":
        raise _ended_error(event)
    model = model_id(h)
    h.start_events({})
    while not isinstance(event, Ended):
        if isinstance(event, Text):
            h.send_event({"id": rid, "object": "ask.delta", "text": event.text})
        elif isinstance(event, Item) and isinstance(event.value, Retrieved):
            found = event.value
            passages = [{"file": x.file, "page": x.page, "heading": list(x.heading),
                         "score": round(x.fused, 6)} for x in found.passages]  # fmt: skip
            h.send_event(
                {"id": rid, "object": "ask.sources", "covered": found.covered,
                 "queries": list(found.queries), "passages": passages}
            )  # fmt: skip
        elif isinstance(event, Item) and isinstance(event.value, AskDone):
            h.send_event(ask_response(event.value.result, None, model, rid))
        event = next(events)
    if event.kind != "finished":
        h.send_event(_ended_error(event).body())
        return
    h.send_event("[DONE]")


# --- documents --------------------------------------------------------------------------------


def models(h: Handler) -> None:
    name = model_id(h)
    kernel = h.server.bridge.kernel
    data = (
        [
            {
                "id": name,
                "object": "model",
                "created": 0,
                "owned_by": "llmasos",
                "context_length": kernel.n_ctx,
            }
        ]
        if name
        else []
    )
    h.send_json(200, {"object": "list", "data": data})


def openapi(h: Handler) -> None:
    h.send_json(200, openapi_document(h.config.limits))


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/v1/models"): models,
    ("POST", "/v1/chat/completions"): chat_completions,
    ("POST", "/v1/completions"): completions,
    ("POST", "/v1/translate"): translate,
    ("POST", "/v1/rewrite"): rewrite,
    ("POST", "/v1/embeddings"): embeddings,
    ("POST", "/v1/ocr"): ocr,
    ("POST", "/v1/ask"): ask,
    ("GET", "/openapi.json"): openapi,
}
