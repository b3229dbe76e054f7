"""Replies grounded in the knowledge collections attached to a conversation.

A conversation may name collections (``Conversation.collections``). Then each reply
is the knowledge service's answer (:func:`~llmasos.services.knowledge.answer.ask`) to
the person's last message: the passages are searched for that message, the model
answers from them with numbered markers, the markers are checked (``citations.cite``)
and, when no passage is relevant, the reply is the fixed "the documents do not cover
this" in the question's language without a model call. The earlier turns go along as
the conversation (their markers removed: their numbers named other passages), so a
follow-up reads in context; only the last message is searched.

The cited passages are stored with the reply as JSON (:func:`sources_json`) and read
back as :class:`Source` records (:func:`sources`), which is what windows show under a
reply and open.

Plain Python; runs on the thread that iterates the reply (the kernel's worker).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from llmasos.errors import CollectionNotFound
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import GenerationStats, TextStream

if TYPE_CHECKING:
    from llmasos.foundation.engine.embedding import Embedder
    from llmasos.foundation.engine.protocol import Engine
    from llmasos.services.chat.records import StoredMessage
    from llmasos.services.knowledge.answer import Asking
    from llmasos.services.knowledge.citations import Citation
    from llmasos.services.knowledge.search import Searcher
    from llmasos.services.knowledge.store import KnowledgeStore

__all__ = [
    "Answered",
    "GroundedStream",
    "Grounding",
    "Source",
    "grounded_reply",
    "sources",
    "sources_json",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grounding:
    """What a grounded reply reads: the knowledge index, the searcher kept between
    questions (its vectors stay in memory; None: a new one) and the embedding model the
    collections were indexed with (None: full-text search only). Made on the thread that
    runs the reply."""

    store: KnowledgeStore
    searcher: Searcher | None = None
    embedder: Embedder | None = None


@dataclass(frozen=True)
class Source:
    """One passage a stored reply cites, as ``[number]``: its file, page (PDFs, 1-based)
    or headings, its span in the file's extracted text and the quoted text.
    ``supported``, ``inferred`` and ``missing`` as in
    :class:`~llmasos.services.knowledge.citations.Citation`."""

    number: int
    file: str
    page: int | None
    heading: tuple[str, ...]
    start: int
    end: int
    passage: str
    supported: bool | None = None
    inferred: bool = False
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answered:
    """The end of a grounded answer: its final text (markers that named no passage
    removed) and its citations as :func:`sources_json` text."""

    text: str
    citations: str


class GroundedStream(TextStream["str | Answered"]):
    """A grounded reply: the answer's text as it streams, then :class:`Answered`.
    ``stats`` is set at the end (None when no model ran: "not covered")."""

    def __init__(self, asking: Asking, cancel: CancelToken) -> None:
        self.stats: GenerationStats | None = None
        self._asking, self._cancel = asking, cancel
        self._it = self._run()

    def _run(self) -> Any:
        from llmasos.services.knowledge.answer import AskDone

        for item in self._asking:
            if isinstance(item, str):
                yield item
            elif isinstance(item, AskDone):
                self.stats = self._asking.stats
                yield Answered(item.result.text, sources_json(item.result.citations))


def sources_json(citations: Sequence[Citation]) -> str:
    """The citations of an answer as the JSON text stored with the reply ("" for none)."""
    if not citations:
        return ""
    from llmasos.services.knowledge.citations import citation_json

    return json.dumps([citation_json(c) for c in citations], ensure_ascii=False)


def sources(message: StoredMessage) -> tuple[Source, ...]:
    """The passages ``message`` cites (none for a reply without collections). A damaged
    record reads as none, logged: the reply itself is still shown."""
    if not message.citations:
        return ()
    try:
        return tuple(
            Source(
                number=int(d["number"]),
                file=str(d["file"]),
                page=int(d["page"]) if d.get("page") else None,
                heading=tuple(str(h) for h in d.get("heading") or ()),
                start=int(d.get("start") or 0),
                end=int(d.get("end") or 0),
                passage=str(d.get("passage") or ""),
                supported=d.get("supported"),
                inferred=bool(d.get("inferred")),
                missing=tuple(str(m) for m in d.get("missing") or ()),
            )
            for d in json.loads(message.citations)
        )
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("the citations of message %s are unreadable: %r", message.id, exc)
        return ()


def _history(messages: Sequence[ChatMessage]) -> tuple[ChatMessage, ...]:
    from llmasos.services.knowledge.citations import strip_markers

    return tuple(
        ChatMessage(m.role, strip_markers(m.content) if m.role == "assistant" else m.content)
        for m in messages
        if m.role != "system"
    )


def grounded_reply(
    engine: Engine,
    grounding: Grounding,
    collections: Sequence[str],
    messages: Sequence[ChatMessage],
    params: SamplingParams,
    cancel: CancelToken,
) -> GroundedStream | None:
    """The answer to the last of ``messages`` (the planned conversation, a user message
    last) from ``collections``, or None when none of them exists any more (the reply is
    then an ordinary one). Collections that were removed are left out, logged.

    Sampling is the answering step's (greedy, calibrated on bench/data/knowledge) with
    the conversation's answer length."""
    from llmasos.services.knowledge.answer import DEFAULT_SAMPLING, AskRequest, ask

    names = []
    for name in collections:
        try:
            grounding.store.collection(name)
        except CollectionNotFound:
            log.info("collection %r is attached to a conversation but no longer exists", name)
            continue
        names.append(name)
    if not names or not messages or messages[-1].role != "user":
        return None
    request = AskRequest(
        question=messages[-1].content,
        collections=tuple(names),
        params=replace(DEFAULT_SAMPLING, max_tokens=params.max_tokens),
        history=_history(messages[:-1]),
    )
    asking = ask(
        engine, grounding.store, request, grounding.embedder, cancel, searcher=grounding.searcher
    )
    return GroundedStream(asking, cancel)
