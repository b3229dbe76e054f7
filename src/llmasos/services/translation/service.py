"""The translator: private, streaming, form-preserving translation on the local model.

:func:`translate` is a Qt-free job: give it an engine (the kernel's worker passes
one; the command line builds its own), a :class:`TranslationRequest` and a cancel
token, and iterate. It yields text as it streams (``str``, protected parts
already restored) and events: :class:`TranslationStarted`, one
:class:`ChunkTranslated` per chunk with that chunk's final, cleaned and repaired
text (the streamed text of the chunk is only a preview of it), :class:`LineByLine`
while a chunk whose reply joined lines is translated again (``keep_lines``), and
:class:`TranslationDone` with the :class:`TranslationResult`. Cancelling keeps
the chunks that were finished.

Example:
    >>> job = translate(engine, TranslationRequest("Bonjour {name}", target="en"))
    >>> for item in job: ...
    >>> job.result.text
    'Hello {name}'
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from llmasos.errors import InvalidInputError, UnknownLanguageError
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import GenerationStats, TextStream
from llmasos.services.text.language import Detection, Language, detect, find_language, same_language
from llmasos.services.text.notice import Notice
from llmasos.services.translation.finish import ChunkOutcome, Note, finish_chunk
from llmasos.services.translation.glossary import GlossaryEntry, applicable, glossary_hits
from llmasos.services.translation.lines import join_lines, lines_differ
from llmasos.services.translation.prompt import (
    FORMALITIES,
    Piece,
    build_messages,
    context_tail,
    has_words,
    plan_chunks,
)
from llmasos.services.translation.repair import Repairs
from llmasos.services.translation.text import StreamRestorer, protect, strip_sentinels

__all__ = [
    "DEFAULT_SAMPLING",
    "ChunkOutcome",
    "ChunkTranslated",
    "LineByLine",
    "Note",
    "Translation",
    "TranslationDone",
    "TranslationRequest",
    "TranslationResult",
    "TranslationStarted",
    "alternate_target",
    "finish_chunk",
    "resolve_languages",
    "translate",
]

log = logging.getLogger(__name__)

MAX_CHUNK_TOKENS = 480  # longer chunks make small models drift and lose lines
DEFAULT_SAMPLING = SamplingParams(
    temperature=0.1, top_p=0.9, top_k=40, min_p=0.05, repeat_penalty=1.05, seed=0
)
_STOP = ("</text>",)  # the model echoing the closing marker has finished


class ChatEngine(Protocol):
    """What the translator needs of an engine (a part of
    :class:`~llmasos.foundation.engine.protocol.Engine`, so tests can hand it a stand-in)."""

    @property
    def n_ctx(self) -> int: ...

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> TextStream[str]: ...


@dataclass(frozen=True)
class TranslationRequest:
    """What to translate and how.

    ``source`` is a language code or "auto"; when auto-detection is unsure,
    ``fallback_source`` (the person's last choice) is used. When the detected
    language already is ``target`` and ``alternate_target`` is set, the text is
    translated into that instead (zh → en, en → zh with one button).

    ``keep_lines``: the translation has exactly the source's lines (text from an image,
    a list, a poem): a chunk whose reply joined or split lines is translated again one
    line at a time (see :mod:`llmasos.services.translation.lines`).
    """

    text: str
    target: str
    source: str = "auto"
    fallback_source: str = "en"
    alternate_target: str | None = None
    glossary: tuple[GlossaryEntry, ...] = ()
    formality: str = ""  # "", "formal" or "informal"
    params: SamplingParams | None = None  # max_tokens caps each chunk's answer
    chunk_tokens: int | None = None  # None: fit to the context (at most MAX_CHUNK_TOKENS)
    keep_lines: bool = False


@dataclass(frozen=True)
class TranslationStarted:
    source: str  # the language translated from ("und" when unknown)
    target: str
    detection: Detection | None  # None when the source was chosen, not detected
    chunks: int


@dataclass(frozen=True)
class ChunkTranslated:
    index: int
    total: int
    text: str  # final text of this chunk; joined in order they make the translation
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class LineByLine:
    """Chunk ``index``'s reply joined the source's lines, so the chunk is being translated
    again one line at a time (``keep_lines``): ``done`` of its ``lines`` lines with words
    are translated. Sent with ``done`` 0 when the redo starts and after each line; the
    chunk's streamed reply is stale from the first one, and its :class:`ChunkTranslated`
    brings the lines."""

    index: int
    done: int
    lines: int


@dataclass(frozen=True)
class TranslationResult:
    """The finished (or cancelled) translation and what was checked."""

    text: str
    source: str
    target: str
    detection: Detection | None
    output_detection: Detection
    notes: tuple[Note, ...]
    glossary_used: tuple[GlossaryEntry, ...]
    glossary_hit: tuple[GlossaryEntry, ...]
    protected_total: int
    protected_kept: int
    chunks_done: int
    chunks_total: int
    cancelled: bool
    chatter: bool
    wrong_language: bool

    @property
    def glossary_hit_rate(self) -> float:
        """Share of the used glossary terms found in the translation (1.0 when none used)."""
        return len(self.glossary_hit) / len(self.glossary_used) if self.glossary_used else 1.0

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(n.message for n in self.notes if n.kind == "problem")


@dataclass(frozen=True)
class TranslationDone:
    result: TranslationResult


def resolve_languages(
    request: TranslationRequest,
) -> tuple[Language | None, Language, Detection | None]:
    """Source (None when unknown), target and, for "auto", the detection.

    Raises:
        UnknownLanguageError: a code is not one of
            :data:`~llmasos.services.text.language.LANGUAGES`.
        InvalidInputError: the formality is not "", "formal" or "informal".
    """
    if request.formality not in FORMALITIES:
        raise InvalidInputError(f"Formality must be formal or informal, not {request.formality!r}.")
    target = _language(request.target)
    if request.source.lower() != "auto":
        return _language(request.source), target, None
    detection = detect(request.text)
    code = detection.lang if detection.is_confident else request.fallback_source
    source = find_language(code) if code else None
    if source and request.alternate_target and same_language(source.code, target.code):
        target = _language(request.alternate_target)
    return source, target, detection


def alternate_target(last_source: str, target: str) -> str:
    """Where text already in ``target`` goes: back to ``last_source`` (the last language
    translated from), or, when that is ``target`` too, Chinese ↔ English."""
    if not same_language(last_source, target):
        return last_source
    return "zh-Hans" if same_language(target, "en") else "en"


def _language(code: str) -> Language:
    found = find_language(code)
    if found is None:
        raise UnknownLanguageError(
            f"Unknown language {code!r}. Use a code such as en, zh-Hans, zh-Hant, ja, fr "
            "(`llmasos translate --help` lists them)."
        )
    return found


def translate(
    engine: ChatEngine, request: TranslationRequest, cancel: CancelToken | None = None
) -> Translation:
    """Start translating; iterate the returned :class:`Translation` (see the module doc).

    Raises:
        UnknownLanguageError, InvalidInputError: before anything runs.
    """
    return Translation(engine, request, cancel or CancelToken())


class Translation(TextStream[Any]):
    """A running translation: iterate for text and events; ``result`` and ``stats`` at the end.

    Runs on the thread that iterates it (the kernel's worker, or the command line).
    """

    def __init__(
        self, engine: ChatEngine, request: TranslationRequest, cancel: CancelToken
    ) -> None:
        self.source, self.target, self.detection = resolve_languages(request)
        self.request = request
        self.stats: GenerationStats | None = None
        self.result: TranslationResult | None = None
        self._engine = engine
        self._cancel = cancel
        self._all_stats: list[GenerationStats] = []
        self._it = self._run()

    def _budget(self) -> int:
        if self.request.chunk_tokens:
            return self.request.chunk_tokens
        return max(32, min(MAX_CHUNK_TOKENS, (self._engine.n_ctx - 300) // 5))

    def _count(self, text: str) -> int:
        return len(self._engine.tokenize(text))

    def _run(self) -> Iterator[Any]:
        pieces = plan_chunks(self.request.text, self._budget(), self._count)
        yield TranslationStarted(
            self.source.code if self.source else "und",
            self.target.code,
            self.detection,
            len(pieces),
        )
        done: list[str] = []
        outcomes: list[ChunkOutcome] = []
        context = ""
        finished = 0
        for index, piece in enumerate(pieces):
            if self._cancel.is_cancelled:
                break
            if not piece.translate:
                yield piece.text
                done.append(piece.text)
                finished += 1
                yield ChunkTranslated(index, len(pieces), piece.text, ())
                continue
            outcome = yield from self._chunk(piece, context, index)
            if outcome is None:  # cancelled mid-chunk: only finished chunks are kept
                break
            text = _with_margins(piece.text, outcome.text)
            done.append(text)
            finished += 1
            outcomes.append(outcome)
            context = context_tail(outcome.text)
            yield ChunkTranslated(index, len(pieces), text, outcome.notes)
        self.stats = GenerationStats.combine(self._all_stats, self._cancel.is_cancelled)
        self.result = self._result("".join(done), outcomes, finished, len(pieces))
        yield TranslationDone(self.result)

    def _chunk(
        self, piece: Piece, context: str, index: int = 0
    ) -> Generator[Any, None, ChunkOutcome | None]:
        """Stream chunk ``index``; return its outcome, or None when it was cancelled.

        The streamed text is a preview: when the reply has a problem a model can fix
        (a dropped placeholder, a glossary term not used, words left untranslated, an
        amount changed in size, emphasis lost), the model is asked once more with the
        exact fixes, and the reply with fewer problems is kept. Glossary terms still
        missing are then put in place of the model's own word for them.
        """
        core = piece.text.strip()
        protected = protect(core)
        used = applicable(self.request.glossary, core)
        messages = build_messages(
            protected.shown,
            self.source,
            self.target,
            glossary=used,
            formality=self.request.formality,
            context=context,
        )
        base = self.request.params or DEFAULT_SAMPLING
        room = min(base.max_tokens, int(2.5 * self._count(protected.shown)) + 48)
        params = replace(base, max_tokens=room, stop=tuple(dict.fromkeys((*base.stop, *_STOP))))
        generation = self._engine.chat(messages, params, self._cancel)
        restorer = StreamRestorer(protected)
        raw: list[str] = []
        lead = piece.text[: len(piece.text) - len(piece.text.lstrip())]
        if lead:
            yield lead
        for part in generation:
            raw.append(part)
            shown = restorer.feed(part)
            if shown:
                yield shown
        rest = restorer.flush()
        if rest:
            yield rest
        if not self._keep_stats(generation):
            return None
        reply = "".join(raw)
        outcome = finish_chunk(reply, protected, self.target, used)
        repairs = Repairs(self._engine, self.target, self._cancel, self._keep_stats)
        if outcome.fixes:
            better = repairs.retry(messages, reply, outcome, params, (protected, used))
            if better is None:
                return None
            outcome = better
        outcome = repairs.enforce_terms(outcome, used)
        outcome = repairs.place_emphasis(outcome, protected)
        if generation.stats is not None and generation.stats.finish_reason == "length":
            note = Note(
                "problem", Notice("The model ran out of room; the end of a part may be missing.")
            )
            outcome = replace(outcome, notes=(*outcome.notes, note))
        if self.request.keep_lines and lines_differ(core, outcome.text):
            return (yield from self._line_by_line(core, index))
        return outcome

    def _line_by_line(self, text: str, index: int) -> Generator[Any, None, ChunkOutcome | None]:
        """``text`` (chunk ``index``) translated one line at a time, its lines kept
        (None: cancelled).

        The lines' streams are not yielded: the chunk's streamed reply stays on screen
        until its :class:`ChunkTranslated` brings these lines, and :class:`LineByLine`
        events say that it is stale and how far the redo is.
        """
        parts = text.split("\n")
        lines = sum(1 for line in parts if has_words(line))
        yield LineByLine(index, 0, lines)
        outcomes: list[ChunkOutcome | None] = []
        for line in parts:
            if not has_words(line):
                outcomes.append(None)  # blank, or nothing to translate: kept as it is
                continue
            outcome = _drain(self._chunk(Piece(line, True), ""))
            if outcome is None:
                return None
            outcomes.append(outcome)
            yield LineByLine(index, sum(o is not None for o in outcomes), lines)
        return join_lines(text, outcomes)

    def _keep_stats(self, generation: TextStream[str]) -> bool:
        """Record a finished generation's stats; False when it was cancelled."""
        if generation.stats is not None:
            self._all_stats.append(generation.stats)
        return not self._cancel.is_cancelled

    def _result(
        self, text: str, outcomes: list[ChunkOutcome], finished: int, total: int
    ) -> TranslationResult:
        output_detection = detect(strip_sentinels("".join(o.protected_text for o in outcomes)))
        notes = [n for o in outcomes for n in o.notes]
        wrong = (
            bool(outcomes)
            and output_detection.is_confident
            and not same_language(output_detection.lang, self.target.code)
        )
        if wrong:
            found = find_language(output_detection.lang)
            notes.append(
                Note(
                    "problem",
                    Notice(
                        "The translation looks like {found}, not {target}. Try again or use "
                        "a larger model.",
                        found=found.name if found else output_detection.lang,
                        target=self.target.name,
                    ),
                )
            )
        used = applicable(self.request.glossary, self.request.text)
        return TranslationResult(
            text=text,
            source=self.source.code if self.source else "und",
            target=self.target.code,
            detection=self.detection,
            output_detection=output_detection,
            notes=tuple(notes),
            glossary_used=used,
            glossary_hit=glossary_hits(used, text),
            protected_total=sum(o.total for o in outcomes),
            protected_kept=sum(o.kept for o in outcomes),
            chunks_done=finished,
            chunks_total=total,
            cancelled=self._cancel.is_cancelled,
            chatter=any(o.chatter for o in outcomes),
            wrong_language=wrong,
        )


def _drain(steps: Generator[Any, None, ChunkOutcome | None]) -> ChunkOutcome | None:
    """Run ``steps`` to its end, its yields dropped, and return what it returns."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


def _with_margins(source: str, translated: str) -> str:
    """``translated`` with ``source``'s leading and trailing whitespace (paragraph breaks)."""
    core = source.strip()
    if not core:
        return source
    start = source.index(core)
    return source[:start] + translated + source[start + len(core) :]
