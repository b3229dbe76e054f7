"""One loaded llama.cpp model as a :class:`Generation` sees it: tokens, pieces, cancel, stats.

The engine opens a :class:`LlamaSession` per load and hands it to each request; a request
drives the model only through these few methods, never through the engine's internals.
Not thread-safe: the thread that loads the model generates with it.
"""

from __future__ import annotations

import ctypes
import time
from typing import Any

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.llama_hooks import abort_callback
from llmasos.foundation.engine.stream import GenerationStats


class LlamaSession:
    """A ``llama_cpp.Llama`` with the per-model state requests share."""

    def __init__(self, llm: Any, model_name: str) -> None:
        self.llm = llm
        self.model_name = model_name
        self._vocab = llm._model.vocab
        self._pieces: dict[int, bytes] = {}
        self._abort_cb = abort_callback()
        self.threads = int(llm.n_threads)

    def use_threads(self, n: int) -> None:
        """Decode and prefill with ``n`` CPU threads from the next request on."""
        if n != self.threads:
            import llama_cpp

            llama_cpp.llama_set_n_threads(self.llm.ctx, n, n)
            self.threads = n

    def close(self) -> None:
        self.llm.close()
        self._pieces = {}

    def common_prefix(self, tokens: list[int]) -> int:
        """Tokens at the start of ``tokens`` already evaluated (at least one is left to run)."""
        llm = self.llm
        n = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens, strict=False):
            if a != b:
                break
            n += 1
        return min(n, len(tokens) - 1)

    def prefill(self, tokens: list[int]) -> None:
        """Evaluate ``tokens`` except the last, which ``generate()`` then decodes alone.

        llama.cpp's logits for a token differ in the last bits between a batched prompt
        and a one-token decode (with flash attention on, enough to flip a near tie), so a
        prompt's first answer token came out of one path when the prompt was new and of
        the other when it was cached: the same request, greedy or seeded, could give
        another text the second time. Decoding the last prompt token alone every time
        makes both runs take the same path, for one extra single-token decode on a new
        prompt. Call with the abort callback armed: this is the prefill.
        """
        llm = self.llm
        done = self.common_prefix(tokens)
        if done < len(tokens) - 1:
            llm.n_tokens = done  # the rest of the previous request's tokens are dropped
            llm.eval(tokens[done:-1])

    def arm(self, cancel: CancelToken) -> None:
        """Let ``cancel`` stop llama.cpp between graph nodes (prefill included)."""
        import llama_cpp

        llama_cpp.llama_set_abort_callback(self.llm.ctx, self._abort_cb, cancel.address)

    def disarm(self) -> None:
        import llama_cpp

        # a NULL callback, not strlen with NULL data: that would crash any decode made
        # outside a request (the benches' raw loops, llama-cpp-python's own calls)
        llama_cpp.llama_set_abort_callback(self.llm.ctx, llama_cpp.ggml_abort_callback(0), None)

    def is_eog(self, token: int) -> bool:
        """Whether ``token`` ends a generation (end of turn or of text)."""
        import llama_cpp

        return bool(llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def piece(self, token: int) -> bytes:
        """The bytes of ``token`` (cached; a multi-byte character may span tokens)."""
        piece = self._pieces.get(token)
        if piece is None:
            import llama_cpp

            size = 64
            while True:
                buf = ctypes.create_string_buffer(size)
                n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, size, 0, False)
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


__all__ = ["LlamaSession"]
