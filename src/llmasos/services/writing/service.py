"""The writing assistant: proofread, rewrite, shorten, expand, summarize, continue.

A :class:`WriteJob` runs one :class:`WriteRequest` on an :class:`Engine`. It is an
iterator: text pieces (``str``) stream the model's raw answer for a preview, and
frozen events report progress — :class:`ChunkStarted`, :class:`ChunkDone` per
chunk, and one :class:`WriteDone` at the end with the assembled, cleaned result.
It runs the same from the kernel (``kernel.submit(lambda eng, c: WriteJob(eng,
request, params, c))``) and from the command line.

Long texts are cut at paragraph boundaries into chunks that fit the context
(:mod:`llmasos.services.text.chunking`) and processed in order. Cancelling keeps the
chunks already done; the rest stays as it was. Every answer goes through
:func:`~llmasos.services.text.hygiene.clean_output`, and an answer that looks like a
refusal, is far shorter or longer than the action allows, or is in another
language is reported in ``ChunkDone.problem`` and not used. An answer to an action
that must keep every word (proofreading) that deletes content words is asked for once
more, naming the words; the answer that drops fewer is used and the words it still
drops are named in ``ChunkDone.dropped`` and ``WriteDone.dropped`` (the tracked
changes flag them: :func:`~llmasos.services.text.diff.diff_texts` with ``flag_dropped``).
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, replace

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.protocol import Engine
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import (
    FINISH_CANCELLED,
    FINISH_LENGTH,
    GenerationStats,
    TextStream,
)
from llmasos.services.text import language
from llmasos.services.text.chunking import sentences, split_margins, split_text
from llmasos.services.text.diff import diff_texts
from llmasos.services.text.hygiene import clean_output, excerpt, looks_like_chatter
from llmasos.services.text.notice import Notice
from llmasos.services.writing.actions import (
    ACTIONS,
    APPEND,
    EDIT,
    SIDE,
    TONES,
    ActionSpec,
    build_messages,
    find_action,
    task_text,
    unshield,
)

__all__ = [
    "ACTIONS",
    "APPEND",
    "EDIT",
    "PROMPT_LOOKUP_DEFAULT",
    "SIDE",
    "TONES",
    "ChunkDone",
    "ChunkStarted",
    "WriteDone",
    "WriteJob",
    "WriteRequest",
    "check_answer",
    "find_action",
]

log = logging.getLogger(__name__)

#: Prompt-lookup draft tokens the app loads models with (EngineSettings.prompt_lookup);
#: 0 = plain decoding. bench/write.py (SmolLM2, 305-word proofread, 1 thread, CPU):
#: plain 121.6 tok/s / 5.35 s vs lookup(10) 45.2 tok/s / 11.44 s, i.e. lookup is 2.1×
#: slower (logits for every drafted token are copied out, and most drafts are rejected),
#: and its text differs from plain at a near-tie after ~70 tokens (batched verification
#: rounds differently). So plain decoding is the default.
PROMPT_LOOKUP_DEFAULT = 0

_MIN_CHECKED = 40  # shorter inputs vary too much in length to judge an answer by it
_LENGTH_FLOOR = 200  # characters; see check_answer
_ECHO_SIMILARITY = 0.9
_ANSWER_MARGIN = 64  # answer tokens allowed beyond out_factor × input tokens
_STOP = ("</text>", "<text>")  # small models echo the markers when they are done
_SENTENCE_END = re.compile(r"[.!?…。！？”’\"')\]]")


@dataclass(frozen=True)
class WriteRequest:
    """What to do: an action name (see :data:`ACTIONS`), the text, and its options."""

    action: str
    text: str
    tone: str = "formal"
    instruction: str = ""

    @property
    def spec(self) -> ActionSpec:
        return find_action(self.action)


@dataclass(frozen=True)
class ChunkStarted:
    """Chunk ``index`` (0-based) of ``total`` is being processed."""

    index: int
    total: int


@dataclass(frozen=True)
class ChunkDone:
    """Chunk ``index`` ended. ``result`` is what replaces ``source`` in the text.

    ``problem`` is empty when the answer was used; otherwise it says why not, and
    ``result`` is ``source`` (edit actions) or empty (summaries, continuations).
    """

    index: int
    total: int
    source: str
    result: str
    problem: str = ""
    dropped: tuple[str, ...] = ()  # content words the used answer deleted (see module doc)


@dataclass(frozen=True)
class WriteDone:
    """The whole request ended (also when cancelled).

    ``text`` is the result: for edit actions the full text with finished chunks
    replaced and the others as they were; for summaries the summaries of the
    finished chunks; for Continue the new text only.
    """

    request: WriteRequest
    text: str
    completed: int
    total: int
    problems: tuple[str, ...]
    is_cancelled: bool
    dropped: tuple[str, ...] = ()  # content words the edit deleted though it should not

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the person should check in a result that was used."""
        if not self.dropped:
            return ()
        return (
            Notice(
                "The edit deletes words; check them in the changes: {words}.",
                words=", ".join(self.dropped),
            ),
        )

    @property
    def is_changed(self) -> bool:
        """Whether there is anything to show or apply."""
        return bool(self.text) and self.text != self.request.text

    @property
    def is_usable(self) -> bool:
        """Whether at least one chunk's answer was used."""
        return self.completed > len(self.problems)


def check_answer(spec: ActionSpec, source: str, answer: str) -> str:
    """Why ``answer`` cannot be used for ``source`` (empty string when it can).

    Checks, in order: empty, a refusal or chatter, an echo where a summary was
    asked for, a length outside the action's bounds, another language.
    """
    if not answer.strip():
        return Notice("The model gave an empty answer.")
    if looks_like_chatter(answer) and not looks_like_chatter(source):
        return Notice(
            "The model did not do the task; it answered: {answer}", answer=excerpt(answer)
        )
    if spec.kind != EDIT and _is_echo(source, answer):
        return Notice("The model repeated the text instead of doing {action}.", action=spec.label)
    low, high = spec.ratio
    # Short texts vary most, so the upper bound counts at least _LENGTH_FLOOR characters.
    too_short = len(source) >= _MIN_CHECKED and len(answer) < low * len(source)
    if too_short or len(answer) > high * max(len(source), _LENGTH_FLOOR):
        sizes = {"action": spec.label, "got": len(answer), "source": len(source)}
        if too_short:
            return Notice(
                "The model's answer is far shorter than {action} allows ({got} characters "
                "for {source}); it looks unrelated.",
                **sizes,
            )
        return Notice(
            "The model's answer is far longer than {action} allows ({got} characters "
            "for {source}); it looks unrelated.",
            **sizes,
        )
    if spec.keeps_language and _other_language(source, answer):
        return Notice("The model answered in another language.")
    return ""


def _is_echo(source: str, answer: str) -> bool:
    """Whether ``answer`` is (nearly) ``source`` again, letters and digits compared."""
    a, b = (("".join(ch for ch in t.lower() if ch.isalnum())) for t in (source, answer))
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= _ECHO_SIMILARITY


def _other_language(source: str, answer: str) -> bool:
    """True only when both texts are clearly identified and differ (script or language)."""
    a, b = language.detect(source), language.detect(answer)
    if not (a.is_confident and b.is_confident):
        return False
    if a.script != b.script and {a.script, b.script} != {"han", "kana"}:
        return True
    return (
        a.confidence >= 0.8 and b.confidence >= 0.8 and not language.same_language(a.lang, b.lang)
    )


class WriteJob(TextStream["str | ChunkStarted | ChunkDone | WriteDone"]):
    """One writing request running on ``engine``: iterate for text and events.

    Runs on the thread that iterates it. ``stats`` (all chunks together) and
    ``done`` are set once it ends.

    Raises (while iterating):
        WritingError: an unknown action or tone, or Custom without an instruction.
        LLMasOSError: the engine failed (no model loaded, …).
    """

    def __init__(
        self,
        engine: Engine,
        request: WriteRequest,
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self._engine = engine
        self.request = request
        self._params = params or SamplingParams(temperature=0.2)
        self._cancel = cancel or CancelToken()
        self.stats: GenerationStats | None = None
        self.done: WriteDone | None = None
        self._parts: list[GenerationStats] = []
        self._it = self._run()

    def _run(self) -> Iterator[str | ChunkStarted | ChunkDone | WriteDone]:
        spec = self.request.spec
        task = task_text(spec, self.request.tone, self.request.instruction)
        chunks = self._chunks(spec, task)
        results: list[ChunkDone] = []
        for index, chunk in enumerate(chunks):
            if self._cancel.is_cancelled:
                break
            yield ChunkStarted(index, len(chunks))
            done = yield from self._one_chunk(spec, task, chunk, index, len(chunks))
            if done is None:
                break
            results.append(done)
            yield done
        self.stats = GenerationStats.combine(self._parts, self._cancel.is_cancelled)
        self.done = self._assemble(spec, chunks, results)
        yield self.done

    def _chunks(self, spec: ActionSpec, task: str) -> list[str]:
        """The pieces to process: the whole text cut to fit, or its end for Continue."""
        text = self.request.text
        overhead = self._engine.count_chat_tokens(build_messages(task, "", spec.example))
        room = self._engine.n_ctx - overhead - _ANSWER_MARGIN
        if spec.kind == APPEND:
            budget = max(16, room - self._params.max_tokens)
            return [_tail(text, budget, self._count)] if text.strip() else []
        budget = max(16, int(room / (1.0 + spec.out_factor)))
        return split_text(text, budget, self._count)

    def _count(self, text: str) -> int:
        return len(self._engine.tokenize(text))

    def _one_chunk(
        self, spec: ActionSpec, task: str, chunk: str, index: int, total: int
    ) -> Generator[str, None, ChunkDone | None]:
        """Stream one chunk's answer; return its ChunkDone, or None when cancelled."""
        lead, core, trail = split_margins(chunk)
        if not core:  # blank lines only: nothing to ask the model
            return ChunkDone(index, total, chunk, chunk if spec.kind == EDIT else "")
        messages = build_messages(task, core, spec.example)
        gen = self._engine.chat(messages, self._chunk_params(spec, core), self._cancel)
        pieces: list[str] = []
        for piece in gen:
            pieces.append(piece)
            yield piece
        assert gen.stats is not None
        self._parts.append(gen.stats)
        if gen.stats.finish_reason == FINISH_CANCELLED:
            return None
        answer = unshield(clean_output("".join(pieces), core), core)
        problem = check_answer(spec, core, answer)
        dropped = _dropped(spec, core, answer) if not problem else ()
        if dropped:
            again = self._keep_words(spec, messages, "".join(pieces), core, dropped)
            if again is None:
                return None
            # the second answer must drop fewer words without undoing the fixes wholesale
            if len(again[1]) < len(dropped) and again[0].strip() != core.strip():
                answer, dropped = again
        if gen.stats.finish_reason == FINISH_LENGTH and not problem:
            if spec.may_trim:
                answer = _whole_sentences(answer)
            else:
                problem = Notice("The model's answer was cut off before it ended.")
        if problem:
            log.info("Chunk %d/%d not used: %s", index + 1, total, problem)
            return ChunkDone(index, total, chunk, chunk if spec.kind == EDIT else "", problem)
        result = lead + answer + trail if spec.kind == EDIT else answer
        return ChunkDone(index, total, chunk, result, dropped=dropped)

    def _keep_words(
        self,
        spec: ActionSpec,
        messages: Sequence[ChatMessage],
        reply: str,
        core: str,
        dropped: tuple[str, ...],
    ) -> tuple[str, tuple[str, ...]] | None:
        """Ask once more, naming the words the answer dropped; None when cancelled."""
        words = ", ".join(f"“{w}”" for w in dropped)
        ask = (
            f"You deleted {words}. Keep every word of the text: correct a misspelled word "
            "instead of deleting it. Reply with the whole corrected text only."
        )
        again = [*messages, ChatMessage("assistant", reply.strip()), ChatMessage("user", ask)]
        gen = self._engine.chat(again, self._chunk_params(spec, core), self._cancel)
        text = gen.text()
        if gen.stats is not None:
            self._parts.append(gen.stats)
        if self._cancel.is_cancelled:
            return None
        answer = unshield(clean_output(text, core), core)
        if check_answer(spec, core, answer):
            return reply, dropped  # the second answer is unusable: keep the first
        return answer, _dropped(spec, core, answer)

    def _chunk_params(self, spec: ActionSpec, core: str) -> SamplingParams:
        if spec.kind == APPEND:
            max_tokens = self._params.max_tokens
        else:
            max_tokens = int(self._count(core) * spec.out_factor) + _ANSWER_MARGIN
        return replace(
            self._params,
            max_tokens=max_tokens,
            stop=tuple(dict.fromkeys((*self._params.stop, *_STOP))),
        )

    def _assemble(self, spec: ActionSpec, chunks: list[str], results: list[ChunkDone]) -> WriteDone:
        problems = tuple(
            Notice("Part {n}: {problem}", n=r.index + 1, problem=r.problem)
            if len(chunks) > 1
            else r.problem
            for r in results
            if r.problem
        )
        if spec.kind == EDIT:
            text = "".join(r.result for r in results) + "".join(chunks[len(results) :])
        else:
            text = "\n\n".join(r.result for r in results if r.result)
        dropped = tuple(w for r in results for w in r.dropped)
        return WriteDone(
            self.request,
            text,
            len(results),
            len(chunks),
            problems,
            self._cancel.is_cancelled,
            dropped,
        )


def _dropped(spec: ActionSpec, source: str, answer: str) -> tuple[str, ...]:
    """Content words ``answer`` deletes from ``source`` when ``spec`` must keep them."""
    if not spec.keeps_words:
        return ()
    return diff_texts(source, answer, flag_dropped=True).dropped


def _tail(text: str, budget: int, count: Callable[[str], int]) -> str:
    """The longest end of ``text`` made of whole chunks that fits ``budget`` tokens."""
    chunks = split_text(text, budget, count)
    tail = chunks[-1]
    for chunk in reversed(chunks[:-1]):
        if count(chunk + tail) > budget:
            break
        tail = chunk + tail
    return tail


def _whole_sentences(text: str) -> str:
    """``text`` without a last, unfinished sentence (unchanged if that is all there is)."""
    parts = sentences(text)
    if len(parts) > 1 and not _SENTENCE_END.search(parts[-1].rstrip()[-1:]):
        return "".join(parts[:-1]).rstrip()
    return text
