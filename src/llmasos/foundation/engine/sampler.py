"""One token from a llama.cpp sampler chain, without handing it the whole vocabulary.

``llama_sampler_sample`` copies every logit into a candidate array (262,144 entries of
12 bytes for Gemma-3) and then cuts it to the chain's first top-k, at every token: 0.3-0.4
ms of a 16 ms Gemma-3 token on 2 cores. When the chain starts with a top-k cut (the
engine's chains do, see :func:`.llama_hooks.top_k_first`), :class:`ChainSampler` hands it
instead every token whose logit reaches a threshold that provably keeps all of that cut:
the threshold is taken from an evenly spaced sample of the logits, and when fewer than the
cut's size reach it the whole vocabulary is used as before. The chain then runs unchanged
(its top-k sorts the survivors as it would have), so the distribution, and the token a
seed draws, are the same. Below :data:`NARROW_FROM` tokens of vocabulary the context's
logits go to ``llama_sampler_sample`` as before.

Needs numpy, which ``llama_cpp`` imports anyway: import this module only after it.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

_SAMPLE = 1024  # logits looked at to choose the threshold
# Below this vocabulary size llama.cpp's own pass over all logits is as fast as narrowing
# them with numpy (SmolLM2's 49,152: 0.11 ms against 0.18 ms a token in the real loop).
NARROW_FROM = 100_000
_MARGIN = 4  # candidates aimed for, as a multiple of the cut
_TOKEN_DATA = np.dtype([("id", "<i4"), ("logit", "<f4"), ("p", "<f4")])

_CUT_ATTR = "_llmasos_first_top_k"


def mark_cut(chain: Any, k: int) -> None:
    """Record that ``chain`` (a ``LlamaSampler``) starts with a top-``k`` cut."""
    setattr(chain, _CUT_ATTR, k)


def first_cut(chain: Any) -> int | None:
    """The top-k ``chain`` starts with, if :func:`mark_cut` recorded one."""
    k = getattr(chain, _CUT_ATTR, None)
    return k if isinstance(k, int) and k > 0 else None


def candidates(logits: np.ndarray, k: int) -> np.ndarray | None:
    """Ids of a superset of the ``k`` highest ``logits`` (ascending), or None when the
    whole vocabulary should be used (a small vocabulary, NaNs, or many ties).

    Every id whose logit is at least ``t`` is returned, where ``t`` is one of the logits;
    if at least ``k`` logits reach ``t``, none of the ``k`` highest can be below it. NaN
    logits are never candidates (llama.cpp's sort order for them is undefined anyway).
    """
    n = logits.shape[0]
    if k * _MARGIN * 4 >= n:
        return None  # a cut this wide keeps most of the vocabulary anyway
    stride = max(1, n // _SAMPLE)
    sample = logits[::stride]
    j = min(sample.shape[0], max(8, -(-_MARGIN * k // stride)))
    threshold = np.partition(sample, sample.shape[0] - j)[sample.shape[0] - j]
    ids = np.flatnonzero(logits >= threshold)
    return ids if k <= ids.shape[0] < n // 4 else None  # many ties: no gain


class ChainSampler:
    """Draws tokens with one llama.cpp sampler chain (a ``LlamaSampler``) from logits
    given as a float32 array, or from a context's last logits; accepts each drawn token
    into the chain, as ``llama_sampler_sample`` does."""

    def __init__(self, chain: Any, n_vocab: int) -> None:
        import llama_cpp

        if _TOKEN_DATA.itemsize != ctypes.sizeof(llama_cpp.llama_token_data):
            raise RuntimeError("llama_token_data changed layout; update ChainSampler")
        self._lib = llama_cpp
        self._chain = chain  # owns the llama.cpp sampler: freed with it
        self._handle = chain.sampler
        self._cut = first_cut(chain) if n_vocab >= NARROW_FROM else None
        self._n_vocab = n_vocab
        self._buf = np.zeros(0, dtype=_TOKEN_DATA)
        self._array = llama_cpp.llama_token_data_array()
        self._array_ref = ctypes.byref(self._array)
        self._all_ids: np.ndarray | None = None
        self.narrowed = 0  # tokens drawn from a narrowed candidate set (for tests and benches)

    def _room(self, m: int) -> np.ndarray:
        if self._buf.shape[0] < m:
            self._buf = np.zeros(max(m, 2 * self._buf.shape[0]), dtype=_TOKEN_DATA)
            self._array.data = ctypes.cast(  # type: ignore[assignment]
                self._buf.ctypes.data, ctypes.POINTER(self._lib.llama_token_data)
            )
        return self._buf

    @property
    def reads_logits(self) -> bool:
        """Whether :meth:`sample` needs the logits as an array even when it is given the
        context they are in (only to narrow them; otherwise llama.cpp reads them itself)."""
        return self._cut is not None

    def sample(self, logits: np.ndarray | None, ctx: Any = None) -> int:
        """The next token from ``logits`` (one float32 per vocabulary entry); pass the
        llama.cpp context ``ctx`` when they are its last logits, so that llama.cpp reads
        them itself when the whole vocabulary is to be sampled. ``logits`` may be None
        when ``ctx`` is given and :attr:`reads_logits` is false."""
        if self._cut is None and ctx is not None:
            return int(self._lib.llama_sampler_sample(self._handle, ctx, -1))
        if logits is None:
            raise ValueError("no logits to sample from (a narrowing sampler needs them)")
        ids = candidates(logits, self._cut) if self._cut is not None else None
        if ids is None and ctx is not None:
            return int(self._lib.llama_sampler_sample(self._handle, ctx, -1))
        if ids is None:
            if self._all_ids is None:
                self._all_ids = np.arange(self._n_vocab, dtype=np.int32)
            m = self._n_vocab
            buf = self._room(m)
            buf["id"][:m] = self._all_ids
            buf["logit"][:m] = logits[:m]
        else:
            m = ids.shape[0]
            buf = self._room(m)
            buf["id"][:m] = ids
            buf["logit"][:m] = logits[ids]
            self.narrowed += 1
        buf["p"][:m] = 0.0
        array = self._array
        array.size = m
        array.selected = -1
        array.sorted = False
        self._lib.llama_sampler_apply(self._handle, self._array_ref)
        selected = array.selected
        if not 0 <= selected < array.size:
            raise RuntimeError(f"the sampler chain selected no token ({selected})")
        token = int(array.data[selected].id)
        self._lib.llama_sampler_accept(self._handle, token)
        return token

    def close(self) -> None:
        self._chain.close()


__all__ = ["NARROW_FROM", "ChainSampler", "candidates", "first_cut", "mark_cut"]
