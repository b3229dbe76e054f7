"""Answer a question from the person's documents, citing the passages used: :func:`ask`.

Like the other services it is a Qt-free job: give it an engine, the knowledge store, an
:class:`AskRequest` (and the embedder the collection was indexed with, if any) and
iterate. It yields :class:`Retrieved` (the passages and whether they cover the
question), the answer's text as it streams, and :class:`AskDone` with the
:class:`AnswerResult` (text, :class:`~llmasos.services.knowledge.citations.Citation`
records mapped from the markers the answer used). Cancelling ends it early with what
was written so far.

The steps:

1. **Cross-language queries.** When the question is English and the collections hold
   Chinese (or the reverse), the model first translates the question, and both are
   searched. The vector side alone does not bridge the languages well with small
   embedders (bench/knowledge.py measures both).
2. **Retrieval**: hybrid search per query; a passage ranks by its best fused score
   over the queries and keeps its best term coverage and cosine.
3. **Relevance** (:data:`RELEVANCE`, calibrated on bench/data/knowledge): when no
   passage clears it, the answer is "the documents do not cover this" in the
   question's language — no model call — and, only if asked (``general``), a general
   answer follows under a label saying it is not from the documents. The model may also
   say so itself (:data:`NOT_FOUND`); that reply is held back and replaced the same way.
4. **Prompt**: the passages numbered ``[1]``… with file and heading or page, the
   question, and the rule to cite after each sentence; passages are dropped from the
   end until the prompt fits the context. The prompt has one worked example; an answer
   that copies it (:func:`~llmasos.services.knowledge.prompt.echoes_example`, judged on
   its first sentence, which is held back until then) is never shown: the question is
   asked once more without the example, and if that answer copies nothing but says
   nothing either, the model is taken to have declined.
5. **Citations**: :func:`~llmasos.services.knowledge.citations.cite`.

The texts and prompts are in :mod:`~llmasos.services.knowledge.prompt`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from llmasos.errors import InvalidInputError
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import GenerationStats, TextStream
from llmasos.services.knowledge.citations import Citation, cite
from llmasos.services.knowledge.prompt import (
    GENERAL_LABEL,
    GENERAL_SYSTEM,
    NOT_COVERED,
    build_messages,
    echoes_example,
    is_not_found,
    language_name,
    may_be_not_found,
    question_language,
    translation_request,
    ui_language,
)
from llmasos.services.knowledge.search import Passage, Relevance, Searcher
from llmasos.services.knowledge.store import KnowledgeStore

if TYPE_CHECKING:
    from llmasos.foundation.engine.embedding import Embedder

__all__ = [
    "DEFAULT_SAMPLING",
    "GENERAL_LABEL",
    "NOT_COVERED",
    "RELEVANCE",
    "AnswerResult",
    "AskDone",
    "AskRequest",
    "Asking",
    "Retrieved",
    "ask",
    "holds_other_language",
    "question_language",
    "retrieve",
    "translate_question",
]

log = logging.getLogger(__name__)


#: Calibrated with m3e-small on bench/data/knowledge: every unanswerable question's best
#: cosine was < 0.75 and its best term coverage <= 0.33; answerable ones in the
#: documents' language reached 0.75 or half their terms, and across languages the
#: translated question does (bench/README.md, knowledge.py). A rule that also took the
#: passage both retrievers rank first (at a third of the terms) let "What is the capital
#: city of Australia?" through to a hotel allowance "in capitals": dropped.
RELEVANCE = Relevance(min_vector=0.75, min_coverage=0.5)
DEFAULT_SAMPLING = SamplingParams(
    temperature=0.0, top_p=1.0, top_k=40, min_p=0.0, repeat_penalty=1.05, seed=0, max_tokens=256
)
_TRANSLATE_PARAMS = replace(DEFAULT_SAMPLING, max_tokens=64, stop=("</text>", "\n"))
_POOL = 20  # passages taken from each query's search before fusing
# the end of an answer's first sentence (not the point of "1.5", nor a point at the end of
# what has streamed so far: "costs 9." may go on "5 euros")
_SENTENCE_END = re.compile(r"[!?。！？\n]|\.(?=[^\d])")


class AnswerEngine(Protocol):
    """What answering needs of an engine (a part of
    :class:`~llmasos.foundation.engine.protocol.Engine`)."""

    @property
    def n_ctx(self) -> int: ...

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> TextStream[str]: ...


@dataclass(frozen=True)
class AskRequest:
    """A question over one or more collections.

    ``general``: when the documents do not cover it, also answer from general knowledge
    (labelled). ``translate_query``: search a translation of the question too (None: when
    the collections hold the other language of en/zh). ``history``: earlier turns of a
    conversation, sent before the passages' message (the oldest are left out first when
    the prompt does not fit); only the question is searched."""

    question: str
    collections: tuple[str, ...]
    k: int = 3
    general: bool = False
    translate_query: bool | None = None
    relevance: Relevance = field(default_factory=lambda: RELEVANCE)
    params: SamplingParams | None = None
    history: tuple[ChatMessage, ...] = ()


@dataclass(frozen=True)
class Retrieved:
    """The passages the answer will be built from, and whether they cover the question."""

    passages: tuple[Passage, ...]
    covered: bool
    queries: tuple[str, ...]  # the question, then its translation if one was searched
    language: str


@dataclass(frozen=True)
class AnswerResult:
    """The finished (or cancelled) answer.

    ``covered``: the answer comes from the documents (False: the "not covered" text,
    possibly followed by a labelled general answer when ``general``). ``unknown_markers``
    are the marker numbers that named no passage (removed from ``text``);
    ``model_declined``: retrieval found passages but the model said they do not answer
    (or only copied the prompt's example); ``echoed_example``: an answer copied the
    example and was dropped."""

    question: str
    text: str
    language: str
    covered: bool
    general: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    queries: tuple[str, ...]
    unknown_markers: tuple[int, ...] = ()
    model_declined: bool = False
    cancelled: bool = False
    echoed_example: bool = False

    def to_json(self) -> dict[str, Any]:
        """The answer's fields shared by ``llmasos ask --json`` and ``POST /v1/ask`` (a
        stable shape; each adds its own envelope and usage)."""
        from llmasos.services.knowledge.citations import citation_json

        return {
            "question": self.question,
            "answer": self.text,
            "covered": self.covered,
            "general": self.general,
            "language": self.language,
            "queries": list(self.queries),
            "citations": [citation_json(c) for c in self.citations],
            "unknown_markers": list(self.unknown_markers),
            "model_declined": self.model_declined,
        }


@dataclass(frozen=True)
class AskDone:
    result: AnswerResult


def _fuse(lists: Sequence[Sequence[Passage]], k: int) -> list[Passage]:
    """The lists of the question and its translation as one: each passage ranks by its
    best score in any list, and keeps its best signals.

    Max, not a sum: each query is a whole alternative, and in a small collection the
    vector side lists every chunk for both, so a sum would rank passages found moderately
    by both above the one passage the translation finds first."""
    best: dict[int, Passage] = {}
    for passages in lists:
        for p in passages:
            seen = best.get(p.chunk_id)
            if seen is None:
                best[p.chunk_id] = p
                continue
            best[p.chunk_id] = replace(
                seen,
                fused=max(seen.fused, p.fused),
                coverage=max(seen.coverage, p.coverage),
                vector=_max(seen.vector, p.vector),
                lexical=_max(seen.lexical, p.lexical),
                lexical_rank=_min(seen.lexical_rank, p.lexical_rank),
                vector_rank=_min(seen.vector_rank, p.vector_rank),
            )
    order = sorted(best.values(), key=lambda p: (-p.fused, p.chunk_id))[:k]
    return [replace(p, rank=r) for r, p in enumerate(order, start=1)]


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def retrieve(
    searcher: Searcher,
    collections: Sequence[str],
    queries: Sequence[str],
    k: int,
    embedder: Embedder | None = None,
    *,
    mode: str = "hybrid",
) -> list[Passage]:
    """The ``k`` best passages for any of ``queries`` (hybrid with an embedder; ``mode``
    as in :meth:`Searcher.search`, for comparisons such as bench/knowledge.py's)."""
    lists = [
        searcher.search(collections, q, _POOL, mode=mode, embedder=embedder)
        for q in queries
        if q.strip()
    ]
    return _fuse(lists, k)


def holds_other_language(store: KnowledgeStore, collections: Sequence[str], code: str) -> bool:
    """Whether the collections hold text in the other one of English and Chinese."""
    ids = [store.collection(name).id for name in collections]
    # Han characters, or a run of four Latin letters (a word, not a model number)
    pattern = "*[A-Za-z][A-Za-z][A-Za-z][A-Za-z]*" if ui_language(code) == "zh" else "*[一-鿿]*"
    marks = ", ".join("?" * len(ids))
    rows = store.read(
        "SELECT 1 FROM chunks c JOIN files f ON f.id = c.file_id"
        f" WHERE f.collection_id IN ({marks}) AND c.text GLOB ? LIMIT 1",
        (*ids, pattern),
    )
    return bool(rows)


def translate_question(
    engine: AnswerEngine, question: str, language: str, cancel: CancelToken | None = None
) -> str:
    """``question`` in the other one of English and Chinese, by ``engine`` ("" if none)."""
    stream = engine.chat(translation_request(question, language), _TRANSLATE_PARAMS, cancel)
    return "".join(stream).strip().strip("\"'“”「」")


def ask(
    engine: AnswerEngine,
    store: KnowledgeStore,
    request: AskRequest,
    embedder: Embedder | None = None,
    cancel: CancelToken | None = None,
    *,
    searcher: Searcher | None = None,
) -> Asking:
    """Start answering; iterate the returned :class:`Asking` (see the module doc).

    ``searcher``: one kept between questions keeps the vectors in memory (the first
    search after the index changed reads them all).

    Raises:
        InvalidInputError: the question is empty or no collection is named.
        CollectionNotFound: a collection does not exist (before anything runs).
    """
    if not request.question.strip():
        raise InvalidInputError("The question is empty: ask something.")
    if not request.collections:
        raise InvalidInputError("Name at least one collection to answer from.")
    for name in request.collections:
        store.collection(name)
    return Asking(engine, searcher or Searcher(store), request, embedder, cancel or CancelToken())


class Asking(TextStream[Any]):
    """A running answer: iterate for :class:`Retrieved`, text and :class:`AskDone`;
    ``result`` and ``stats`` are set at the end. Runs on the thread that iterates it."""

    def __init__(
        self,
        engine: AnswerEngine,
        searcher: Searcher,
        request: AskRequest,
        embedder: Embedder | None,
        cancel: CancelToken,
    ) -> None:
        self.request = request
        self.language = question_language(request.question)
        self.result: AnswerResult | None = None
        self.stats: GenerationStats | None = None
        self._engine, self._searcher, self._embedder = engine, searcher, embedder
        self._store = searcher.store
        self._cancel = cancel
        self._all_stats: list[GenerationStats] = []
        self._params = request.params or DEFAULT_SAMPLING
        self._history: list[ChatMessage] = list(request.history)  # what still fits
        self._example = True  # the worked example is in the prompt (until it is copied)
        self._echoed = False
        self._it = self._run()

    # -- steps ------------------------------------------------------------------------------
    def _queries(self) -> tuple[str, ...]:
        question, wanted = self.request.question.strip(), self.request.translate_query
        if wanted is None:
            wanted = holds_other_language(self._store, self.request.collections, self.language)
        if not wanted:
            return (question,)
        text = self._generate(translation_request(question, self.language), _TRANSLATE_PARAMS)
        text = text.strip().strip("\"'“”「」")
        return (question, text) if text and text != question else (question,)

    def _generate(self, messages: Sequence[ChatMessage], params: SamplingParams) -> str:
        stream = self._engine.chat(messages, params, self._cancel)
        text = "".join(stream)
        if stream.stats is not None:
            self._all_stats.append(stream.stats)
        return text

    def _fit(self, passages: list[Passage]) -> tuple[list[ChatMessage], list[Passage]]:
        """The prompt with as many passages (best first) as the context holds; earlier
        turns of a conversation go first, oldest first."""
        room = self._engine.n_ctx - self._params.max_tokens
        while True:
            messages = build_messages(
                self.request.question,
                passages,
                self.language,
                history=self._history,
                example=self._example,
            )
            if self._engine.count_chat_tokens(messages) <= room:
                return messages, passages
            if self._history:
                del self._history[0]
            elif len(passages) > 1:
                passages = passages[:-1]
            else:
                return messages, passages

    def _stream(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Iterator[str]:
        """The model's reply as it streams; text that may still become :data:`NOT_FOUND`
        is held back until it cannot, and dropped if it is."""
        stream = self._engine.chat(messages, params, self._cancel)
        held = ""
        for part in stream:
            held += part
            if may_be_not_found(held):
                continue
            yield held
            held = ""
        if held and not is_not_found(held):
            yield held
        if stream.stats is not None:
            self._all_stats.append(stream.stats)

    def _run(self) -> Iterator[Any]:
        queries = self._queries()
        found = retrieve(
            self._searcher, self.request.collections, queries, self.request.k, self._embedder
        )
        # only the relevant passages go to the model: with weaker ones beside the answer
        # the small models more often say it is not there
        passages = [p for p in found if self.request.relevance.is_relevant(p)]
        covered = bool(passages)
        yield Retrieved(tuple(passages), covered, queries, self.language)
        text, declined = "", False
        if covered and not self._cancel.is_cancelled:
            messages, passages = self._fit(passages)
            text = yield from self._answer(messages, passages)
            if self._echoed and not self._cancel.is_cancelled:
                self._example = False  # ask once more without anything to copy
                messages, passages = self._fit(passages)
                text = yield from self._answer(messages, passages)
            if not text.strip() and any(self._is_strong(p) for p in passages):
                # the model declined, but a passage clears both thresholds: ask once more
                # without the way out (the 0.5B model declines answerable questions now
                # and then); the citation check flags an answer the passages do not hold
                question = self.request.question
                retry = build_messages(
                    question,
                    passages,
                    self.language,
                    may_decline=False,
                    history=self._history,
                    example=self._example,
                )
                text = yield from self._answer(retry, passages)
            declined = not text.strip() and not self._cancel.is_cancelled
        if (not covered or declined) and not self._cancel.is_cancelled:
            text = yield from self._not_covered()
        self._finish(text, passages if covered and not declined else [], queries, declined)
        assert self.result is not None
        yield AskDone(self.result)

    def _answer(
        self, messages: Sequence[ChatMessage], passages: Sequence[Passage]
    ) -> Generator[str, None, str]:
        """The model's answer as it streams; "" when it copies the worked example. The
        first sentence is held back until it is complete and judged: a copy is not shown."""
        text, judged = "", False
        stream = self._stream(messages, self._params)
        for part in stream:
            text += part
            if judged:
                yield part
            elif _SENTENCE_END.search(text):
                if echoes_example(text, passages):
                    # read to its end: closing it would cancel the whole answer (one cancel token)
                    for _ in stream:
                        pass
                    return self._copied(text)
                judged = True
                yield text
        if not judged and text:
            if echoes_example(text, passages):
                return self._copied(text)
            yield text
        return text

    def _copied(self, text: str) -> str:
        log.info("the answer copied the prompt's example, dropped: %r", text[:200])
        self._echoed = True
        return ""

    def _is_strong(self, passage: Passage) -> bool:
        rule = self.request.relevance
        return passage.coverage >= rule.min_coverage and (passage.vector or 0.0) >= rule.min_vector

    def _not_covered(self) -> Generator[str, None, str]:
        lang = ui_language(self.language)
        text = NOT_COVERED[lang]
        yield text
        if self.request.general:
            label = f"\n\n{GENERAL_LABEL[lang]}\n"
            text += label
            yield label
            messages = [
                ChatMessage("system", GENERAL_SYSTEM.format(language=language_name(self.language))),
                ChatMessage("user", self.request.question),
            ]
            for part in self._stream(messages, self._params):
                text += part
                yield part
        return text

    def _finish(
        self, text: str, passages: list[Passage], queries: tuple[str, ...], declined: bool
    ) -> None:
        covered = bool(passages)
        cited = cite(text, passages) if covered else None
        self.stats = GenerationStats.combine(self._all_stats, self._cancel.is_cancelled)
        self.result = AnswerResult(
            question=self.request.question,
            text=cited.text if cited else text.strip(),
            language=self.language,
            covered=covered,
            general=self.request.general and not covered,
            citations=cited.citations if cited else (),
            passages=tuple(passages),
            queries=queries,
            unknown_markers=cited.unknown if cited else (),
            model_declined=declined,
            cancelled=self._cancel.is_cancelled,
            echoed_example=self._echoed,
        )
