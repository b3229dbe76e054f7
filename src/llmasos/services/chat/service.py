"""Chat turns over stored conversations: context fitting, streaming, nothing lost.

:class:`ChatService` is plain Python. Its streams are iterators a kernel job can
return (text pieces plus the frozen events below) and the command line can loop
over with an :class:`~llmasos.foundation.engine.llama.Engine` directly.

Nothing is lost: the person's message is committed before generation starts (see
:meth:`ChatService.add_user_message`), the reply is saved as it streams at least
every ``save_interval_s`` and once more when it ends — marked ``stopped`` when it
was cancelled. A kill mid-reply leaves a ``streaming`` message with the text of the
last save.

Context: when the conversation no longer fits the model's context minus the room
kept for the answer, the oldest turns are left out (the system prompt always
stays). The cut is moved with some slack and then kept where it is, so the next
turns still share their prefix with the previous one and the engine's prefix
reuse evaluates only the new tokens.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from llmasos.errors import ContextOverflowError, LLMasOSError
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.protocol import Engine
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import FINISH_CANCELLED, GenerationStats, TextStream
from llmasos.services.chat.conversations import (
    DONE,
    FAILED,
    STOPPED,
    STREAMING,
    Conversation,
    ConversationStore,
    StoredMessage,
)
from llmasos.services.chat.grounding import Answered, Grounding, grounded_reply
from llmasos.services.text.language import (
    UNDETERMINED,
    Language,
    detect,
    find_language,
    script_of,
)

log = logging.getLogger(__name__)

SAVE_INTERVAL_S = 1.0
CUT_SLACK = 0.75  # after a cut the prompt fills at most this share of the budget
TITLE_REQUEST = (
    "Reply with only a short title (at most six words) for this conversation so "
    "far. No quotes, no punctuation at the end."
)
TITLE_REQUEST_IN = (
    "Reply with only a short title (at most six words) for this conversation so "
    "far, written in {language}. No quotes, no punctuation at the end."
)
TITLE_PARAMS = SamplingParams(temperature=0.2, max_tokens=24, seed=7)


@dataclass(frozen=True)
class ContextInfo:
    """How the next prompt fits the model's context."""

    prompt_tokens: int  # exact, under the model's chat template
    n_ctx: int
    reserve: int  # tokens kept free for the answer
    dropped: int  # oldest messages left out
    cut_message_id: int | None  # first message still sent (None: nothing left out)


@dataclass(frozen=True)
class ReplyStarted:
    """A reply began: its (empty) stored message and how the prompt fit."""

    conversation_id: int
    message: StoredMessage
    context: ContextInfo


@dataclass(frozen=True)
class ReplyEnded:
    """A reply ended (done, stopped or failed); ``message`` is what was stored."""

    message: StoredMessage
    stats: GenerationStats | None


@dataclass(frozen=True)
class TitleChanged:
    """A conversation got a generated title."""

    conversation_id: int
    title: str


ChatEvent = ReplyStarted | ReplyEnded | TitleChanged


TITLE_WIDTH = 48  # columns; a Chinese or Japanese character takes two
_TRAILING = " ,.;:!?-–—/(（[【「『、，。；：！？"
_CUT_ANYWHERE = ("han", "kana")  # scripts written without spaces between words


def _columns(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _breaks_around(ch: str) -> bool:
    """A line may break before and after ``ch``: a Han or kana character, CJK punctuation."""
    if _columns(ch) == 2:
        return script_of(ch) in _CUT_ANYWHERE or not ch.isalnum()
    return False


def _cut(text: str, room: int) -> str:
    """The longest start of ``text`` within ``room`` columns that ends at a word or CJK
    character boundary (a word longer than half the room is cut where it must)."""
    used, end, best = 0, 0, 0
    for i, ch in enumerate(text):
        before = text[i - 1] if i else ""
        joined = " " in (ch, before) or before in "-/"
        if (
            before
            and not unicodedata.combining(ch)
            and (joined or _breaks_around(ch) or _breaks_around(before))
        ):
            best = i
        used += _columns(ch)
        if used > room:
            break
        end = i + 1
    else:
        return text
    if best * 2 < end:  # no boundary in the second half: cut inside the word
        best = end
        while best > 0 and unicodedata.combining(text[best]):
            best -= 1
    return text[:best]


def shorten_title(text: str, width: int = TITLE_WIDTH, words: int | None = None) -> str:
    """``text`` on one line, at most ``words`` words and ``width`` columns.

    A cut falls between words, or between two characters of Chinese or Japanese (which
    have no spaces), and is marked with "…".
    """
    flat = " ".join(text.split())
    cut = False
    if words is not None and len(flat.split(" ")) > words:
        flat, cut = " ".join(flat.split(" ")[:words]), True
    if sum(_columns(ch) for ch in flat) > width:
        flat, cut = _cut(flat, width - 1), True
    if not cut:
        return flat
    return (flat.rstrip(_TRAILING) or flat.rstrip()) + "…"


def fallback_title(text: str, words: int = 6) -> str:
    """A temporary title from the first words of a message (cut with "…")."""
    return shorten_title(text, words=words) or "New chat"


def clean_title(raw: str) -> str:
    """The first useful line of a model's title answer, without quotes or markup."""
    for line in raw.splitlines():
        line = line.strip().strip("#*`\"'“”「」 ").strip()
        if line.lower().startswith("title:"):
            line = line[6:].strip().strip("\"'“” ")
        line = line.rstrip(".。!！:：")
        if line:
            return shorten_title(line)
    return ""


# Scripts that name their language whatever the length of the text.
_TELLING_SCRIPTS = frozenset({"han", "kana", "hangul", "thai", "hebrew", "greek"})
# Scripts a title may use in a conversation written in a script (Japanese mixes in Han).
_TITLE_SCRIPTS = {"kana": frozenset({"kana", "han"}), "hangul": frozenset({"hangul", "han"})}
_SPACELESS_OR_CJK = frozenset({"han", "kana", "hangul"})


def title_language(conversation_text: str) -> Language | None:
    """The language to ask the title in: that of the person's messages, when clear."""
    found = detect(conversation_text)
    if found.lang == UNDETERMINED:
        return None
    if found.is_confident or found.script in _TELLING_SCRIPTS:
        return find_language(found.lang)
    return None


def title_request(conversation_text: str) -> str:
    """The instruction that asks for a title, in the language of ``conversation_text``."""
    language = title_language(conversation_text)
    if language is None:
        return TITLE_REQUEST
    return TITLE_REQUEST_IN.format(language=language.name)


def title_fits(title: str, conversation_text: str) -> bool:
    """False when ``title`` is written in another script than the conversation (an
    English title for a Chinese chat); a Chinese title may keep a Latin name in it."""
    expected = detect(conversation_text).script
    if not expected:
        return True
    allowed = _TITLE_SCRIPTS.get(expected, frozenset({expected}))
    letters = [s for s in map(script_of, title) if s]
    if not letters:
        return True
    hits = sum(1 for s in letters if s in allowed)
    if expected in _SPACELESS_OR_CJK:
        return hits > 0
    return hits * 2 >= len(letters)


# (database file, message id) of the replies this process is writing right now; any
# other ``streaming`` message was left so by a run that ended mid-reply (the app died).
_writing: set[tuple[str, int]] = set()


class ChatService:
    """Chat turns for the conversations in ``store``."""

    def __init__(self, store: ConversationStore, save_interval_s: float = SAVE_INTERVAL_S) -> None:
        self.store = store
        self.save_interval_s = save_interval_s

    # -- changing the conversation (any thread; commits before returning) ------------------
    def add_user_message(self, conversation_id: int, text: str) -> StoredMessage:
        """Store the person's message (call this before the reply is queued)."""
        conv = self.store.get(conversation_id)
        is_first = not any(m.role == "user" for m in self.store.messages(conversation_id))
        message = self.store.add_message(conversation_id, "user", text)
        if is_first and conv.is_auto_title:
            self.store.update(conversation_id, title=fallback_title(text), is_auto_title=True)
        return message

    def prepare_regenerate(self, conversation_id: int) -> list[StoredMessage]:
        """Remove the replies after the last user message; return them (for undo)."""
        msgs = self.store.messages(conversation_id)
        last_user = max((i for i, m in enumerate(msgs) if m.role == "user"), default=None)
        if last_user is None or last_user == len(msgs) - 1:
            return []
        return self.store.delete_messages_from(msgs[last_user + 1].id)

    def prepare_edit(self, message_id: int, text: str) -> tuple[list[StoredMessage], StoredMessage]:
        """Replace a user message and everything after it with ``text``.

        Returns the removed messages (for :meth:`undo`) and the new user message.
        """
        removed = self.store.delete_messages_from(message_id)
        new = self.store.add_message(removed[0].conversation_id, "user", text)
        return removed, new

    def undo(
        self, conversation_id: int, first_new_id: int | None, removed: Sequence[StoredMessage]
    ) -> None:
        """Drop messages from ``first_new_id`` on and put ``removed`` back."""
        if first_new_id is not None:
            msgs = [m for m in self.store.messages(conversation_id) if m.id >= first_new_id]
            if msgs:
                self.store.delete_messages_from(msgs[0].id)
        self.store.restore_messages(removed)

    # -- context ---------------------------------------------------------------------------
    def plan(
        self,
        engine: Engine,
        conv: Conversation,
        messages: Sequence[StoredMessage],
        params: SamplingParams,
    ) -> tuple[list[ChatMessage], ContextInfo]:
        """The messages to send and how they fit; moves the cut when they overflow.

        Raises:
            ContextOverflowError: even the last message alone does not fit.
        """
        n_ctx = engine.n_ctx
        reserve = max(1, min(params.max_tokens, n_ctx // 2))
        budget = n_ctx - reserve
        system = [ChatMessage("system", conv.system_prompt)] if conv.system_prompt else []
        usable = [m for m in messages if m.content or m.role == "user"]
        starts = [i for i, m in enumerate(usable) if m.role == "user"] or [0]
        start = next(
            (
                i
                for i in starts
                if conv.cut_message_id is not None and usable[i].id >= conv.cut_message_id
            ),
            0,
        )

        def count(i: int) -> int:
            return engine.count_chat_tokens(system + _chat(usable[i:]))

        tokens = count(start)
        if tokens > budget:
            later = [i for i in starts if i > start]
            start, tokens = self._cut(later, count, int(budget * CUT_SLACK), budget, n_ctx, tokens)
        cut_id = usable[start].id if start > 0 else None
        if cut_id != conv.cut_message_id:
            self.store.update(conv.id, cut_message_id=cut_id)
        info = ContextInfo(tokens, n_ctx, reserve, start, cut_id)
        return system + _chat(usable[start:]), info

    @staticmethod
    def _cut(
        starts: list[int],
        count: Callable[[int], int],
        target: int,
        budget: int,
        n_ctx: int,
        whole: int,
    ) -> tuple[int, int]:
        """The earliest start whose prompt fits ``target`` (else ``budget``); binary search."""
        for limit in (target, budget):
            lo, hi, found = 0, len(starts) - 1, None
            while lo <= hi:
                mid = (lo + hi) // 2
                n = count(starts[mid])
                if n <= limit:
                    found, hi = (starts[mid], n), mid - 1
                else:
                    lo = mid + 1
            if found is not None:
                return found
        # ``whole``: the count from the current start, when no later turn can be cut to
        last = count(starts[-1]) if starts else whole
        raise ContextOverflowError(
            f"Your last message alone needs {last} tokens, but the model's context holds "
            f"{n_ctx} with {n_ctx - budget} kept for the answer. Shorten the message, lower "
            "the answer length, or raise the context length in Settings.",
            prompt_tokens=last,
            n_ctx=n_ctx,
        )

    # -- streams ---------------------------------------------------------------------------
    def reply(
        self,
        engine: Engine,
        cancel: CancelToken,
        conversation_id: int,
        params: SamplingParams,
        grounding: Grounding | None = None,
    ) -> ReplyStream:
        """Stream the assistant's answer to the conversation as it stands; with
        ``grounding``, a conversation that has collections attached is answered from them
        (:mod:`~llmasos.services.chat.grounding`)."""
        return ReplyStream(self, engine, cancel, conversation_id, params, grounding)

    def turn(
        self,
        engine: Engine,
        conversation_id: int,
        text: str,
        params: SamplingParams,
        cancel: CancelToken | None = None,
    ) -> ReplyStream:
        """Store ``text`` as the person's message and stream the answer (command line)."""
        self.add_user_message(conversation_id, text)
        return self.reply(engine, cancel or CancelToken(), conversation_id, params)

    def is_interrupted(self, message: StoredMessage) -> bool:
        """True for a reply still marked ``streaming`` that no stream of this process is
        writing: the run that wrote it ended mid-reply (LLMasOS closed unexpectedly)."""
        return message.status == STREAMING and (str(self.store.path), message.id) not in _writing

    def needs_title(self, conversation_id: int) -> bool:
        """True when the conversation still has an automatic title and a finished reply."""
        conv = self.store.get(conversation_id)
        return conv.is_auto_title and any(
            m.role == "assistant" and m.status == DONE for m in self.store.messages(conversation_id)
        )

    def generate_title(
        self, engine: Engine, cancel: CancelToken, conversation_id: int
    ) -> Iterator[TitleChanged]:
        """Ask the model for a title from the first exchange; yield it once stored.

        The title is asked for in the language of the person's messages; one in
        another script (an English title for a Chinese chat) gives way to the
        temporary title made from the first message. The request is the conversation
        itself plus one more user message, so it shares its prefix with the
        conversation's next turn and costs that turn nothing to re-evaluate.
        """
        conv = self.store.get(conversation_id)
        msgs = [m for m in self.store.messages(conversation_id) if m.content]
        said = "\n".join(m.content for m in msgs if m.role == "user")
        system = [ChatMessage("system", conv.system_prompt)] if conv.system_prompt else []
        prompt = [*system, *_chat(msgs), ChatMessage("user", title_request(said))]
        title = ""
        try:
            if engine.count_chat_tokens(prompt) + TITLE_PARAMS.max_tokens < engine.n_ctx:
                title = clean_title(engine.chat(prompt, TITLE_PARAMS, cancel).text())
        except LLMasOSError as exc:
            log.warning("Title generation failed: %s", exc)
        if cancel.is_cancelled or not self.store.get(conversation_id).is_auto_title:
            return
        if title and not title_fits(title, said):
            log.info("Generated title %r is not in the conversation's script; not used", title)
            title = ""
        first_user = next((m.content for m in msgs if m.role == "user"), "")
        title = title or fallback_title(first_user)
        self.store.update(conversation_id, title=title, is_auto_title=False)
        yield TitleChanged(conversation_id, title)


def _chat(messages: Sequence[StoredMessage]) -> list[ChatMessage]:
    return [ChatMessage(m.role, m.content) for m in messages]


class ReplyStream(TextStream["str | ChatEvent"]):
    """One reply: yields :class:`ReplyStarted`, text pieces, then :class:`ReplyEnded`.

    Runs on the thread that iterates it (the kernel's worker). ``stats`` is set
    once the reply ended, as for every :class:`TextStream`.
    """

    def __init__(
        self,
        service: ChatService,
        engine: Engine,
        cancel: CancelToken,
        conversation_id: int,
        params: SamplingParams,
        grounding: Grounding | None = None,
    ) -> None:
        self.stats: GenerationStats | None = None
        self._service, self._engine, self._cancel = service, engine, cancel
        self._it = self._run(conversation_id, params, grounding)

    def _run(
        self, conversation_id: int, params: SamplingParams, grounding: Grounding | None
    ) -> Iterator[str | ChatEvent]:
        store = self._service.store
        conv = store.get(conversation_id)
        messages, info = self._service.plan(self._engine, conv, store.messages(conv.id), params)
        gen: TextStream[Any] | None = None
        if grounding is not None and conv.collections:
            gen = grounded_reply(
                self._engine, grounding, conv.collections, messages, params, self._cancel
            )
        if gen is None:
            gen = self._engine.chat(messages, params, self._cancel)
        message = store.add_message(conv.id, "assistant", "", STREAMING)
        key = (str(store.path), message.id)
        _writing.add(key)
        try:
            yield ReplyStarted(conv.id, message, info)
            yield from self._stream(message, gen)
        finally:
            _writing.discard(key)

    def _stream(self, message: StoredMessage, gen: TextStream[Any]) -> Iterator[str | ChatEvent]:
        """Save and pass on the text of ``gen`` (a model's reply, or a grounded answer,
        whose :class:`Answered` brings the final text with its citations)."""
        store = self._service.store
        parts: list[str] = []
        answer: Answered | None = None
        status, last_save, ended = FAILED, time.monotonic(), False
        try:
            for piece in gen:
                if isinstance(piece, Answered):
                    answer = piece
                if not isinstance(piece, str):
                    continue
                parts.append(piece)
                yield piece
                if time.monotonic() - last_save >= self._service.save_interval_s:
                    store.save_message(replace(message, content="".join(parts)))
                    last_save = time.monotonic()
            ended = True
            cancelled = gen.stats is not None and gen.stats.finish_reason == FINISH_CANCELLED
            status = STOPPED if cancelled or self._cancel.is_cancelled else DONE
        except GeneratorExit:
            status = STOPPED  # the consumer stopped reading (e.g. Ctrl+C)
            raise
        finally:
            if not ended:  # left early: close() cancels and records stats
                gen.close()
            text = "".join(parts)
            if answer is not None:  # unknown markers removed, citations checked
                text = answer.text
                message = replace(message, citations=answer.citations)
            message = _finished(message, text, status, gen.stats)
            store.save_message(message)
        self.stats = gen.stats
        yield ReplyEnded(message, gen.stats)


def _finished(
    message: StoredMessage, text: str, status: str, stats: GenerationStats | None
) -> StoredMessage:
    if stats is None:
        return replace(message, content=text, status=status)
    return replace(
        message,
        content=text,
        status=status,
        prompt_tokens=stats.prompt_tokens,
        completion_tokens=stats.completion_tokens,
        tokens_per_s=stats.tokens_per_s,
        ttft_s=stats.ttft_s,
        model=stats.model,
    )
