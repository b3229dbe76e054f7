"""The places where LLMasOS reaches into llama.cpp itself, below llama-cpp-python.

* :func:`abort_callback`: cancel a request during prefill without any Python per node;
* :func:`route_llama_logs`: llama.cpp's log lines into :mod:`logging`, not stderr;
* :func:`model_params`: llama.cpp's model-loading progress, the weight-repacking
  switch and flash attention "auto", which ``Llama()`` does not expose;
* :func:`top_k_first`: the sampler chain with a top-k cut ahead of the repeat penalty.

Each imports ``llama_cpp`` when first called, on the thread that loads models.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from llmasos.errors import ModelLoadError

log = logging.getLogger("llmasos.foundation.engine.llama")
_patching = threading.Lock()


def abort_callback() -> Any:
    """A ``ggml_abort_callback`` that costs no Python call per graph node.

    llama.cpp calls the abort callback after every graph node from a compute
    thread. A Python callback there takes the GIL hundreds of times per token and
    stalls behind the GUI thread, so we hand it libc's ``strlen`` instead: given
    the token's two-byte buffer it returns 0 while the flag is clear and 1 once
    :meth:`CancelToken.cancel` set it, which is exactly "abort?" as a bool.
    """
    import ctypes.util

    import llama_cpp

    name = ctypes.util.find_library("c") or ("msvcrt" if os.name == "nt" else None)
    libc = ctypes.CDLL(name)
    address = ctypes.cast(libc.strlen, ctypes.c_void_p).value
    if address is None:
        raise ModelLoadError("The C library's strlen could not be found; cannot run llama.cpp.")
    return llama_cpp.ggml_abort_callback(address)


_LLAMA_LOG = logging.getLogger("llmasos.llama_cpp")
# ggml_log_level → logging level; NONE and CONT (continuation) lines go to DEBUG
_LOG_LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING}
_log_router: Any = None


def route_llama_logs() -> None:
    """Send llama.cpp's own log lines to Python logging instead of stderr (once)."""
    global _log_router
    if _log_router is not None:
        return
    import llama_cpp

    def forward(level: int, text: bytes, _data: Any) -> None:
        _LLAMA_LOG.log(
            _LOG_LEVELS.get(level, logging.DEBUG), "%s", text.decode("utf-8", "replace").rstrip()
        )

    _log_router = llama_cpp.llama_log_callback(forward)
    llama_cpp.llama_log_set(_log_router, ctypes.c_void_p(0))


@contextmanager
def model_params(
    progress: Callable[[float], None] | None = None, *, extra_bufts: bool = True
) -> Iterator[None]:
    """Set the llama.cpp parameters ``Llama()`` has no argument for, for one load.

    ``Llama()`` builds its model parameters from ``llama_model_default_params()`` and
    creates its context with ``llama_init_from_model()``, so for the length of one load
    (on the one thread that loads) those two functions are wrapped:

    * ``progress``: called with llama.cpp's loading progress (0.0 to 1.0);
    * ``extra_bufts=False``: no "extra buffer types", i.e. no weight repacking for the
      CPU's special kernels (AMX among them, which crashes on some CPUs);
    * flash attention asked for (``Llama(flash_attn=True)`` sets "enabled") becomes
      llama.cpp's own default, "auto": on wherever the device that holds a layer can
      run it (every CPU), off where it cannot, instead of forcing it onto a GPU without
      support, whose layers would then send their attention to the CPU.
    """
    from llmasos.foundation.engine.native import bindings

    lib = bindings()
    callback: Any = None
    if progress is not None:
        report = progress

        def on_progress(value: float, _user: Any) -> bool:  # llama.cpp's loading thread
            try:
                report(min(max(float(value), 0.0), 1.0))
            except Exception:  # a broken listener must not abort the load
                log.exception("load progress listener failed")
            return True  # carry on loading

        callback = lib.llama_progress_callback(on_progress)

    def patched_params() -> Any:
        params = original_params()
        if callback is not None:
            params.progress_callback = callback
        if not extra_bufts:
            params.use_extra_bufts = False
        return params

    def patched_init(model: Any, params: Any) -> Any:
        auto_flash_attn(lib, params)
        return original_init(model, params)

    with _patching:  # two loads at once would each restore the other's wrapper
        original_params = lib.llama_model_default_params
        original_init = lib.llama_init_from_model
        lib.llama_model_default_params = patched_params
        lib.llama_init_from_model = patched_init
        try:
            yield
        finally:
            lib.llama_model_default_params = original_params
            lib.llama_init_from_model = original_init


def auto_flash_attn(lib: Any, params: Any) -> None:
    """Turn "flash attention enabled" in ``llama_context_params`` into "auto" (nothing
    on a llama.cpp from before its "auto" setting, where on stays on)."""
    enabled = getattr(lib, "LLAMA_FLASH_ATTN_TYPE_ENABLED", None)
    auto = getattr(lib, "LLAMA_FLASH_ATTN_TYPE_AUTO", None)
    if enabled is None or auto is None or not hasattr(params, "flash_attn_type"):
        return
    if params.flash_attn_type == enabled:
        params.flash_attn_type = auto


def top_k_first(llm: Any) -> None:
    """Make ``llm`` build its sampler chains with a top-k cut ahead of the penalties.

    llama-cpp-python puts the repeat penalty first, and llama.cpp's penalty sampler looks
    every vocabulary entry up in a hash map at every token: 0.15 ms a token on a 49k
    vocabulary, 0.8 ms on Gemma-3's 262k (4 % of its decode on 2 cores). Here it sees only
    the ``top_k + penalty_last_n`` best candidates, and top-k runs again after it. The
    result is the same distribution as penalising the whole vocabulary: penalties that
    only lower logits (repeat ≥ 1, frequency and presence ≥ 0) can push at most
    ``penalty_last_n`` tokens (the distinct recent ones) out of the top ``top_k``, so every
    token of the final top ``top_k`` ranked within the first ``top_k + penalty_last_n``
    before them. Chains whose penalties could raise a logit, with a grammar, logits
    processors or mirostat, or without top-k, are built by llama-cpp-python as before.
    """
    import inspect

    from llama_cpp import _internals

    from llmasos.foundation.engine.sampler import mark_cut

    new_chain: Callable[[], Any] = _internals.LlamaSampler

    original = llm._init_sampler
    takes_n_vocab = "n_vocab" in inspect.signature(_internals.LlamaSampler.add_penalties).parameters

    def build(
        top_k: int = 40,
        top_p: float = 0.95,
        min_p: float = 0.05,
        typical_p: float = 1.0,
        temp: float = 0.80,
        repeat_penalty: float = 1.0,
        frequency_penalty: float = 0.0,
        presence_penalty: float = 0.0,
        mirostat_mode: int = 0,
        logits_processor: Any = None,
        grammar: Any = None,
        **rest: Any,
    ) -> Any:
        only_lowering = repeat_penalty >= 1.0 and min(frequency_penalty, presence_penalty) >= 0.0
        if (
            top_k <= 0
            or not only_lowering
            or mirostat_mode
            or logits_processor is not None
            or grammar is not None
        ):
            return original(
                top_k=top_k,
                top_p=top_p,
                min_p=min_p,
                typical_p=typical_p,
                temp=temp,
                repeat_penalty=repeat_penalty,
                frequency_penalty=frequency_penalty,
                presence_penalty=presence_penalty,
                mirostat_mode=mirostat_mode,
                logits_processor=logits_processor,
                grammar=grammar,
                **rest,
            )
        chain = new_chain()
        cut = top_k + max(llm.last_n_tokens_size, 0)
        chain.add_top_k(cut)
        mark_cut(chain, cut)  # so ChainSampler hands it only the tokens that can pass
        penalties: dict[str, Any] = {
            "penalty_last_n": llm.last_n_tokens_size,
            "penalty_repeat": repeat_penalty,
            "penalty_freq": frequency_penalty,
            "penalty_present": presence_penalty,
        }
        if takes_n_vocab:
            penalties["n_vocab"] = llm.n_vocab()
        chain.add_penalties(**penalties)
        chain.add_top_k(top_k)
        if temp == 0.0:
            chain.add_greedy()
        elif temp < 0.0:
            chain.add_dist(llm._seed)
        else:
            chain.add_typical(typical_p, 1)
            chain.add_top_p(top_p, 1)
            chain.add_min_p(min_p, 1)
            chain.add_temp(temp)
            chain.add_dist(llm._seed)
        return chain

    llm._init_sampler = build


__all__ = [
    "abort_callback",
    "auto_flash_attn",
    "model_params",
    "route_llama_logs",
    "top_k_first",
]
