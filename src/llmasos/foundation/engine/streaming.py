"""A local request's text stream: tokens to text, stop strings, and the stats at the end.

:class:`Generation` runs the decode loop through a :class:`LlamaSession` (the narrow view of
the loaded model it needs: prefill, decode one token, sample), reassembling UTF-8 across
tokens and holding back text that may be the start of a stop string.
"""

from __future__ import annotations

import codecs
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llmasos.errors import GenerationError
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.stream import (
    FINISH_CANCELLED,
    FINISH_LENGTH,
    FINISH_STOP,
    GenerationStats,
    TextStream,
)

if TYPE_CHECKING:
    from llmasos.foundation.engine.session import LlamaSession
    from llmasos.foundation.engine.settings import SamplingParams


@dataclass
class Prepared:
    tokens: list[int]
    stop: tuple[str, ...]
    max_tokens: int


@dataclass
class _StreamState:
    """Per-request text state: UTF-8 reassembly and stop-string hold-back."""

    stop: tuple[str, ...]
    decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace")
    )
    pending: str = ""
    stopped: bool = False

    def feed(self, piece: bytes) -> str:
        """Add one token's bytes; return the text that is safe to show now."""
        if not self.stop:  # nothing to hold back
            return self.decoder.decode(piece)
        self.pending += self.decoder.decode(piece)
        for s in self.stop:
            cut = self.pending.find(s)
            if cut >= 0:
                self.pending, self.stopped = self.pending[:cut], True
        if self.stopped:
            out, self.pending = self.pending, ""
            return out
        hold = max((_overlap(self.pending, s) for s in self.stop), default=0)
        out = self.pending[: len(self.pending) - hold]
        self.pending = self.pending[len(out) :]
        return out

    def flush(self) -> str:
        """The text held back, at the end. Bytes of a character the model had not
        finished when it stopped (the token limit cut it) are dropped, not shown as "�"."""
        out, self.pending = self.pending, ""
        self.decoder.reset()
        return out


def _overlap(text: str, stop: str) -> int:
    """Length of the longest tail of ``text`` that is a proper prefix of ``stop``."""
    for n in range(min(len(stop) - 1, len(text)), 0, -1):
        if text.endswith(stop[:n]):
            return n
    return 0


class Generation(TextStream[str]):
    """A running request on the local model: iterate for text; ``stats`` once it ends.

    Closing it early (``close()`` or leaving a ``for`` loop and dropping it) stops
    generation and keeps the model usable.
    """

    def __init__(
        self,
        session: LlamaSession,
        prepared: Prepared,
        params: SamplingParams,
        cancel: CancelToken,
    ) -> None:
        self._session = session
        self._cancel = cancel
        self.stats = None
        self._it = self._run(prepared, params)

    def _run(self, prep: Prepared, params: SamplingParams) -> Iterator[str]:
        ses = self._session
        t0 = time.perf_counter()
        matched = ses.matching(prep.tokens)
        cached = min(matched, len(prep.tokens) - 1)  # the last prompt token never counts
        state = _StreamState(prep.stop)
        n_out, t_first, finish = 0, 0.0, FINISH_LENGTH
        ses.arm(self._cancel)
        seed = params.seed if params.seed is not None else int.from_bytes(os.urandom(4), "little")
        ses.llm.set_seed(seed)
        try:
            try:
                logits = ses.prefill(prep.tokens, matched)
            except RuntimeError as exc:
                if self._cancel.is_cancelled:  # our abort callback stopped the prefill
                    self.stats = ses.stats(len(prep.tokens), cached, 0, t0, 0.0, FINISH_CANCELLED)
                    return
                raise _generation_error(exc) from exc
            sampler = ses.sampler(params)
            live = None  # the first logits are the prompt's kept copy, not the context's
            reads_logits = sampler.reads_logits
            cancel = self._cancel
            try:
                while True:
                    token = sampler.sample(logits, live)
                    if cancel.is_cancelled:
                        finish = FINISH_CANCELLED
                        break
                    if n_out == 0:
                        t_first = time.perf_counter()
                    if ses.is_eog(token):
                        finish = FINISH_STOP
                        break
                    n_out += 1
                    text = state.feed(ses.piece(token))
                    if text:
                        yield text
                    if state.stopped:
                        finish = FINISH_STOP
                        break
                    if n_out >= prep.max_tokens:
                        break
                    try:
                        ses.decode(token)
                    except RuntimeError as exc:
                        if self._cancel.is_cancelled:  # llama_decode returned 2: our abort
                            finish = FINISH_CANCELLED
                            break
                        raise _generation_error(exc) from exc
                    # llama.cpp samples the context's own logits unless they are narrowed
                    logits = ses.logits() if reads_logits else None
                    live = ses.ctx
            finally:
                sampler.close()
        finally:
            ses.disarm()
        tail = state.flush()
        if tail and finish != FINISH_CANCELLED:
            yield tail
        self.stats = ses.stats(len(prep.tokens), cached, n_out, t0, t_first, finish)


def _generation_error(exc: RuntimeError) -> GenerationError:
    return GenerationError(
        f"llama.cpp failed while generating ({exc}). Try again; if it keeps "
        "failing, lower the context length or reload the model."
    )


__all__ = [
    "FINISH_CANCELLED",
    "FINISH_LENGTH",
    "FINISH_STOP",
    "Generation",
    "GenerationStats",
    "Prepared",
    "TextStream",
]
