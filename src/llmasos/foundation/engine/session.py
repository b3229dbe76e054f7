"""One loaded llama.cpp model as a :class:`Generation` sees it: tokens, pieces, cancel, stats.

The engine opens a :class:`LlamaSession` per load and hands it to each request; a request
drives the model only through these few methods, never through the engine's internals.
Not thread-safe: the thread that loads the model generates with it.
"""

from __future__ import annotations

import ctypes
import time
from typing import TYPE_CHECKING, Any

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.llama_hooks import abort_callback
from llmasos.foundation.engine.stream import GenerationStats

if TYPE_CHECKING:
    from llmasos.foundation.engine.sampler import ChainSampler
    from llmasos.foundation.engine.settings import SamplingParams

_KEPT_ENDINGS = 4  # prompt endings kept (a float per vocabulary entry each: 1 MB for Gemma-3)


class LlamaSession:
    """A ``llama_cpp.Llama`` with the per-model state requests share."""

    def __init__(self, llm: Any, model_name: str) -> None:
        import llama_cpp  # loaded already: ``llm`` is its Llama

        self._lib = llama_cpp  # its functions are looked up at each call (benches wrap them)
        self.llm = llm
        self.ctx = llm.ctx
        self.model_name = model_name
        self._vocab = llm._model.vocab
        self._pieces: dict[int, bytes] = {}
        self._eog: dict[int, bool] = {}
        self._abort_cb = abort_callback()
        self.threads = int(llm.n_threads)
        self.n_vocab = int(llm.n_vocab())
        self._ends: dict[int, Any] = {}  # prompt length → the logits after its last token
        self._trim = False
        self._logits_at: int | None = None
        self._logits_view: Any = None
        self._batch = _one_token_batch()

    def use_threads(self, n: int) -> None:
        """Decode and prefill with ``n`` CPU threads from the next request on."""
        if n != self.threads:
            self._lib.llama_set_n_threads(self.ctx, n, n)
            self.threads = n

    def close(self) -> None:
        # a request still suspended in its loop may be finalized later (by the garbage
        # collector, on any thread): it must then find no context, not a freed one
        self.ctx = None
        self.llm.close()
        self._batch.close()
        self._pieces, self._ends = {}, {}
        self._logits_view = self._logits_at = None

    def matching(self, tokens: list[int]) -> int:
        """How many tokens at the start of ``tokens`` the context holds already."""
        llm = self.llm
        n = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens, strict=False):
            if a != b:
                break
            n += 1
        return n

    def prefill(self, tokens: list[int], matched: int | None = None) -> Any:
        """Evaluate ``tokens`` (what is not cached) and return the logits after the last;
        ``matched`` is :meth:`matching`'s answer for them, if the caller has it.

        llama.cpp's logits for a token differ in the last bits between a batched prompt
        and a one-token decode (with flash attention on, enough to flip a near tie), so if
        a prompt met again were only topped up by its last token, the same request, greedy
        or seeded, could give another text the second time. So the logits that end each
        prompt are kept (a copy per prompt length, while the cached tokens before that
        length stay the same) and a prompt met again starts from them, with no decode at
        all; a new prompt is evaluated in one batch, as llama.cpp's own benchmark does.
        Call with the abort callback armed: this is the prefill.
        """
        llm = self.llm
        n = len(tokens)
        done = self.matching(tokens) if matched is None else matched
        # a kept entry for length m stays true while the first m tokens stay cached
        self._ends = {m: v for m, v in self._ends.items() if m <= done}
        ending = self._ends.get(n)
        if ending is not None:
            llm.n_tokens = n
            self._trim = True  # the previous answer's cache entries go before the next decode
            return ending
        done = min(done, n - 1)
        llm.n_tokens = done  # the rest of the previous request's tokens are dropped
        llm.eval(tokens[done:])
        self._trim = False
        ending = self.logits().copy()
        if len(self._ends) >= _KEPT_ENDINGS:
            del self._ends[min(self._ends)]
        self._ends[n] = ending
        return ending

    def logits(self) -> Any:
        """The last evaluated token's logits, a float32 array over llama.cpp's buffer
        (valid until the next decode)."""
        import numpy as np

        ptr = self._lib.llama_get_logits_ith(self.ctx, -1)
        address = ctypes.cast(ptr, ctypes.c_void_p).value
        if address != self._logits_at:
            floats = ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float))
            self._logits_view = np.ctypeslib.as_array(floats, shape=(self.n_vocab,))
            self._logits_at = address
        return self._logits_view

    def decode(self, token: int) -> None:
        """Evaluate ``token`` at the next position; its logits are then :meth:`logits`
        (or the context's, for :meth:`ChainSampler.sample`).

        This runs once per generated token, right after llama.cpp has streamed the whole
        model through the caches, when every Python step costs several times what it does
        warm: so it does no more than llama.cpp needs (see bench/decode_pairs.py).

        Raises:
            RuntimeError: llama.cpp's decode failed, or the abort callback stopped it.
        """
        ctx = self.ctx
        if ctx is None:
            raise RuntimeError("the model was closed")
        llm = self.llm
        pos = llm.n_tokens
        if self._trim:
            llm._ctx.kv_cache_seq_rm(-1, pos, -1)
            self._trim = False
        batch = self._batch.batch
        batch.token[0] = token
        batch.pos[0] = pos
        code = self._lib.llama_decode(ctx, batch)
        if code != 0:
            raise RuntimeError(f"llama_decode returned {code}")
        llm.input_ids[pos] = token
        llm.n_tokens = pos + 1

    def sampler(self, params: SamplingParams) -> ChainSampler:
        """A sampler for one request (the model's seed must be set first)."""
        from llmasos.foundation.engine.sampler import ChainSampler

        chain = self.llm._init_sampler(
            top_k=params.top_k,
            top_p=params.top_p,
            min_p=params.min_p,
            temp=params.temperature,
            repeat_penalty=params.repeat_penalty,
        )
        return ChainSampler(chain, self.n_vocab)

    def arm(self, cancel: CancelToken) -> None:
        """Let ``cancel`` stop llama.cpp between graph nodes (prefill included)."""
        if self.ctx is None:
            raise RuntimeError("the model was closed")
        self._lib.llama_set_abort_callback(self.ctx, self._abort_cb, cancel.address)

    def disarm(self) -> None:
        lib = self._lib
        if self.ctx is None:  # closed: the context and its callback are gone
            return
        # a NULL callback, not strlen with NULL data: that would crash any decode made
        # outside a request (the benches' raw loops, llama-cpp-python's own calls)
        lib.llama_set_abort_callback(self.ctx, lib.ggml_abort_callback(0), None)

    def is_eog(self, token: int) -> bool:
        """Whether ``token`` ends a generation (end of turn or of text)."""
        eog = self._eog.get(token)
        if eog is None:
            eog = self._eog[token] = bool(self._lib.llama_vocab_is_eog(self._vocab, token))
        return eog

    def piece(self, token: int) -> bytes:
        """The bytes of ``token`` (cached; a multi-byte character may span tokens)."""
        piece = self._pieces.get(token)
        if piece is None:
            size = 64
            while True:
                buf = ctypes.create_string_buffer(size)
                n = self._lib.llama_token_to_piece(self._vocab, token, buf, size, 0, False)
                if n >= 0:
                    break
                size = -n
            piece = self._pieces[token] = buf.raw[:n]
        return piece

    def stats(
        self, n_prompt: int, cached: int, n_out: int, t0: float, t_first: float, finish: str
    ) -> GenerationStats:
        """The record of a request that started at ``t0`` and produced its first token at
        ``t_first`` (0 when it produced none)."""
        now = time.perf_counter()
        ttft = (t_first - t0) if t_first else now - t0
        decode_s = now - t_first if t_first else 0.0
        tps = (n_out - 1) / decode_s if n_out > 1 and decode_s > 0 else 0.0
        return GenerationStats(
            n_prompt, n_out, cached, ttft, tps, now - t0, finish, self.model_name
        )


def _one_token_batch() -> Any:
    """A ``LlamaBatch`` of one token of sequence 0 with its logits (set up once; freed
    with the object)."""
    from llama_cpp._internals import LlamaBatch

    owner = LlamaBatch(n_tokens=1, embd=0, n_seq_max=1)
    batch = owner.batch
    batch.n_tokens = 1
    batch.n_seq_id[0] = 1
    batch.seq_id[0][0] = 0
    batch.logits[0] = True
    return owner


__all__ = ["LlamaSession"]
