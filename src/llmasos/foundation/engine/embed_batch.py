"""One embedding decode: many token sequences in one ``llama_batch``, a pooled vector each.

Shared by :class:`~llmasos.foundation.engine.llama_embedder.LlamaEmbedder` and the probe's
child (:mod:`.probe`), so what the probe proves is exactly what the app runs.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from llmasos.errors import GenerationError
from llmasos.foundation.engine.cancel import Cancelled


class EmbedBatch:
    """One ``llama_batch`` of ``capacity`` tokens, filled through numpy views."""

    def __init__(self, capacity: int) -> None:
        import llama_cpp

        self.capacity = capacity
        self.raw: Any = llama_cpp.llama_batch_init(capacity, 0, 1)
        raw = self.raw
        self.token = np.ctypeslib.as_array(raw.token, shape=(capacity,))
        self.pos = np.ctypeslib.as_array(raw.pos, shape=(capacity,))
        self.n_seq_id = np.ctypeslib.as_array(raw.n_seq_id, shape=(capacity,))
        self.logits = np.ctypeslib.as_array(
            ctypes.cast(raw.logits, ctypes.POINTER(ctypes.c_int8)), shape=(capacity,)
        )
        self.seq_id = raw.seq_id  # one small array per token: written one by one

    def fill(self, sequences: Sequence[Sequence[int]]) -> None:
        total = sum(len(tokens) for tokens in sequences)
        if total > self.capacity:  # llama_batch has no bounds check of its own
            raise ValueError(f"{total} tokens do not fit a batch of {self.capacity}")
        at = 0
        for seq, tokens in enumerate(sequences):
            n = len(tokens)
            self.token[at : at + n] = tokens
            self.pos[at : at + n] = np.arange(n, dtype=np.int32)
            for j in range(at, at + n):
                self.seq_id[j][0] = seq
            at += n
        self.n_seq_id[:at] = 1
        self.logits[:at] = 1  # every token is an output for pooling
        self.raw.n_tokens = at

    def close(self) -> None:
        if self.raw is not None:
            import llama_cpp

            llama_cpp.llama_batch_free(self.raw)
            self.raw = None


def embed_batch(
    llm: Any, sequences: Sequence[Sequence[int]], batch: EmbedBatch | None = None
) -> npt.NDArray[np.float32]:
    """Pooled vectors (not normalised) of ``sequences`` decoded together, one row each.

    ``llm`` is a ``llama_cpp.Llama`` loaded with
    :func:`~llmasos.foundation.engine.runtime.embedding_kwargs`.

    Raises:
        Cancelled: the abort callback stopped the decode.
        GenerationError: llama.cpp failed to decode.
    """
    import llama_cpp

    own = batch is None
    if batch is None:
        batch = EmbedBatch(sum(len(s) for s in sequences))
    try:
        batch.fill(sequences)
        ctx = llm.ctx
        memory = llama_cpp.llama_get_memory(ctx)
        if memory:  # causal embedders (Qwen3) keep a KV cache; BERT has none
            llama_cpp.llama_memory_clear(memory, True)
        code = llama_cpp.llama_decode(ctx, batch.raw)
        if code == 2:
            raise Cancelled()
        if code != 0:
            raise GenerationError(
                f"llama.cpp failed to embed a batch of {len(sequences)} texts (code {code}). "
                "Try again; if it keeps failing, pick another embedding model."
            )
        n_embd = llm.n_embd()
        out = np.empty((len(sequences), n_embd), dtype=np.float32)
        for i in range(len(sequences)):
            ptr = llama_cpp.llama_get_embeddings_seq(ctx, i)
            if not ptr:
                raise GenerationError("llama.cpp returned no pooled vector; is this an embedder?")
            out[i] = np.ctypeslib.as_array(ptr, shape=(n_embd,))
        return out
    finally:
        if own:
            batch.close()


__all__ = ["EmbedBatch", "embed_batch"]
