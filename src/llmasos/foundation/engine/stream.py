"""What every request returns: a :class:`TextStream` of items, then its :class:`GenerationStats`.

Engines (local and remote) return ``TextStream[str]``; the services' jobs (a chat reply, a
translation, a writing action) return ``TextStream[str | Event]``. The kernel and the API
read ``stats`` from any of them the same way, typed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from llmasos.foundation.engine.cancel import CancelToken

FINISH_STOP = "stop"
FINISH_LENGTH = "length"
FINISH_CANCELLED = "cancelled"

T = TypeVar("T")


@dataclass(frozen=True)
class GenerationStats:
    """What one generation cost. Plain data for any thread."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int  # prompt tokens reused from the previous request (not evaluated)
    ttft_s: float
    tokens_per_s: float  # decode speed, first token excluded
    total_s: float
    finish_reason: str  # "stop", "length" or "cancelled"
    model: str

    @staticmethod
    def combine(parts: Sequence[GenerationStats], cancelled: bool) -> GenerationStats | None:
        """One record for several generations (the chunks of one job), or None for none.

        Counts add up; the speed is the decoded tokens over the decode time of the parts
        that measured one (each part's first token is its prefill, not decoding); the job
        was cut short ("length") if any part was, and "cancelled" wins over both.
        """
        if not parts:
            return None
        timed = [p for p in parts if p.tokens_per_s > 0 and p.completion_tokens > 1]
        decode_s = sum((p.completion_tokens - 1) / p.tokens_per_s for p in timed)
        decoded = sum(p.completion_tokens - 1 for p in timed)
        finish = parts[-1].finish_reason
        if cancelled:
            finish = FINISH_CANCELLED
        elif any(p.finish_reason == FINISH_LENGTH for p in parts):
            finish = FINISH_LENGTH
        return GenerationStats(
            prompt_tokens=sum(p.prompt_tokens for p in parts),
            completion_tokens=sum(p.completion_tokens for p in parts),
            cached_tokens=sum(p.cached_tokens for p in parts),
            ttft_s=parts[0].ttft_s,
            tokens_per_s=decoded / decode_s if decode_s > 0 else 0.0,
            total_s=sum(p.total_s for p in parts),
            finish_reason=finish,
            model=parts[-1].model,
        )


class TextStream(Iterator[T], Generic[T]):
    """A running request: iterate for its items; ``stats`` is set once it ends.

    Subclasses set ``_it`` (the generator doing the work) and ``_cancel``. Runs on the
    thread that iterates it.
    """

    _it: Iterator[T]
    _cancel: CancelToken
    stats: GenerationStats | None = None

    def __next__(self) -> T:
        return next(self._it)

    def close(self) -> None:
        """Stop early (as a cancel) and record stats."""
        self._cancel.cancel()
        for _ in self._it:
            pass

    def text(self) -> str:
        """Consume the rest and return its text pieces joined."""
        return "".join(item for item in self if isinstance(item, str))


__all__ = ["FINISH_CANCELLED", "FINISH_LENGTH", "FINISH_STOP", "GenerationStats", "TextStream"]
