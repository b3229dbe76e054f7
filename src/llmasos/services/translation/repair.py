"""Second attempts on one translated chunk, for what a first reply got wrong.

The translator calls these after :func:`~llmasos.services.translation.finish.finish_chunk`:

1. :meth:`Repairs.retry` — when the reply has fixes to make, the model is asked once
   more in the same conversation, with exactly those fixes; the reply with fewer flaws
   (problems plus fixes still wanted) is kept.
2. :meth:`Repairs.enforce_terms` — a glossary term still missing is put in place of the
   model's own translation of the term (asked on its own, a few tokens), so a glossary
   holds even when the model ignores it; when the model's word is not in the text
   either, the term is reported as not used.
3. :meth:`Repairs.place_emphasis` — Markdown emphasis still missing is put back around
   the model's own translation of the emphasised words, when that occurs once.

Each runs on the thread that iterates the translation, and stops at a cancel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import TextStream
from llmasos.services.text.language import Language
from llmasos.services.text.notice import Notice
from llmasos.services.translation.checks import keep_emphasis, wrap_once
from llmasos.services.translation.finish import (
    EMPHASIS_LOST,
    EMPHASIS_PUT_BACK,
    GLOSSARY_UNUSED,
    ChunkOutcome,
    Note,
    finish_chunk,
)
from llmasos.services.translation.glossary import GlossaryEntry, glossary_hits, substitute_term
from llmasos.services.translation.text import Protected

__all__ = ["Repairs"]

log = logging.getLogger(__name__)
_LOOKUP = SamplingParams(temperature=0.0, max_tokens=12, seed=0)
_UNUSED = GLOSSARY_UNUSED.split(":")[0]  # the start of those notes
_EMPHASIS_LOST = EMPHASIS_LOST.split(" in ")[0]


class _Chat(Protocol):
    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> TextStream[str]: ...


class Repairs:
    """The second attempts for the chunks of one translation into ``target``.

    ``record`` is given every finished generation (for the stats) and says whether to
    go on (False once cancelled).
    """

    def __init__(
        self,
        engine: _Chat,
        target: Language,
        cancel: CancelToken,
        record: Callable[[TextStream[str]], bool],
    ) -> None:
        self._engine = engine
        self._target = target
        self._cancel = cancel
        self._record = record

    def retry(
        self,
        messages: Sequence[ChatMessage],
        reply: str,
        first: ChunkOutcome,
        params: SamplingParams,
        chunk: tuple[Protected, tuple[GlossaryEntry, ...]],
    ) -> ChunkOutcome | None:
        """Ask once more with the fixes ``first`` needs; the better reply wins (None: cancelled)."""
        protected, used = chunk
        ask = " ".join(first.fixes)
        again = [
            *messages,
            ChatMessage("assistant", reply.strip()),
            ChatMessage("user", f"{ask} Reply with the whole corrected translation only."),
        ]
        generation = self._engine.chat(again, params, self._cancel)
        second = generation.text()
        if not self._record(generation):
            return None
        outcome = finish_chunk(second, protected, self._target, used)
        log.debug("Retry for %r: %d -> %d flaws", ask, first.flaws, outcome.flaws)
        return outcome if outcome.flaws < first.flaws else first

    def enforce_terms(self, outcome: ChunkOutcome, used: Sequence[GlossaryEntry]) -> ChunkOutcome:
        """Put each missing glossary translation in place of the model's word for the term."""
        missing = [e for e in used if not glossary_hits((e,), outcome.text)]
        if not missing or not outcome.text:
            return outcome
        text, notes = outcome.text, [n for n in outcome.notes if not n.message.startswith(_UNUSED)]
        for entry in missing:
            word = self.word_for(entry.term)
            changed = substitute_term(text, word, entry.translation) if word else None
            if changed is not None and glossary_hits((entry,), changed):
                text = changed
                notes.append(
                    Note(
                        "repaired",
                        Notice(
                            "Glossary: “{word}” was replaced by “{term}”.",
                            word=word,
                            term=entry.translation,
                        ),
                    )
                )
        still = [e for e in used if not glossary_hits((e,), text)]
        if still:
            terms = ", ".join(f"{e.term} → {e.translation}" for e in still)
            notes.append(Note("problem", Notice(GLOSSARY_UNUSED, items=terms)))
        return replace(outcome, text=text, notes=tuple(notes))

    def place_emphasis(self, outcome: ChunkOutcome, protected: Protected) -> ChunkOutcome:
        """Wrap the model's own translation of emphasised words that lost their marks."""
        _, lost = keep_emphasis(protected.shown, outcome.text)
        if not lost:
            return outcome
        text = outcome.text
        for span in lost:
            mark = span[: len(span) - len(span.lstrip("*_"))]
            word = self.word_for(span[len(mark) : len(span) - len(mark)])
            wrapped = wrap_once(text, word, mark) if word else None
            text = wrapped or text
        _, still = keep_emphasis(protected.shown, text)
        notes = [n for n in outcome.notes if not n.message.startswith(_EMPHASIS_LOST)]
        if text != outcome.text:
            notes.append(Note("repaired", Notice(EMPHASIS_PUT_BACK)))
        if still:
            notes.append(Note("problem", Notice(EMPHASIS_LOST, items=", ".join(still))))
        return replace(outcome, text=text, notes=tuple(notes))

    def word_for(self, term: str) -> str:
        """The model's own translation of a lone word or phrase (to find it in a reply)."""
        name = self._target.name
        ask = f"Translate “{term}” into {name}. Reply with the {name} word only."
        generation = self._engine.chat([ChatMessage("user", ask)], _LOOKUP, self._cancel)
        word = generation.text()
        self._record(generation)
        return word.strip().split("\n")[0].strip().strip("“”\"'.。!！*").strip()
