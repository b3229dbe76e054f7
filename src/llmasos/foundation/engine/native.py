"""llama.cpp's C API through llama-cpp-python's ctypes bindings alone, for the probe child.

Importing ``llama_cpp`` runs its package ``__init__``, which also imports the high-level
``Llama`` class and with it numpy, jinja2 and the chat formats: ~140 ms of the probe
child's ~0.7 s on 2 cores, spent before the child can even open the file. The child only
loads a model and decodes a few tokens, which the bindings module
(``llama_cpp/llama_cpp.py``) does on its own in ~20 ms.

:func:`params` builds the same ``llama_model_params`` and ``llama_context_params`` that
``Llama(**kwargs)`` builds from the keyword arguments :func:`runtime.llama_kwargs` passes,
so the probe still runs the model exactly as the app will; a test compares the two
field by field, so a llama-cpp-python that maps its arguments differently fails it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

# Keyword arguments of Llama() that build no native parameter: Python-side behaviour only.
_PYTHON_SIDE = frozenset({"model_path", "verbose", "draft_model", "logits_all"})
_KNOWN = _PYTHON_SIDE | {
    "n_ctx",
    "n_batch",
    "n_ubatch",
    "n_threads",
    "n_threads_batch",
    "n_gpu_layers",
    "flash_attn",
}


def bindings() -> Any:
    """The module ``llama_cpp.llama_cpp`` (llama.cpp's C functions), without running
    ``llama_cpp/__init__.py`` when nothing imported it yet.

    While the bindings import, an empty stand-in holds the package's place (its
    ``__path__`` is the real package folder); afterwards the stand-in is dropped, so a
    later ``import llama_cpp`` runs the real ``__init__``, which finds the bindings
    already imported and reuses them.
    """
    loaded = sys.modules.get("llama_cpp.llama_cpp")
    if loaded is not None:
        return loaded
    if "llama_cpp" in sys.modules:
        return importlib.import_module("llama_cpp.llama_cpp")
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("llama-cpp-python is not installed", name="llama_cpp")
    stand_in = types.ModuleType("llama_cpp")
    stand_in.__path__ = list(spec.submodule_search_locations)
    sys.modules["llama_cpp"] = stand_in
    try:
        return importlib.import_module("llama_cpp.llama_cpp")
    finally:
        if sys.modules.get("llama_cpp") is stand_in:
            del sys.modules["llama_cpp"]


class NoNativeMapping(ValueError):
    """This llama-cpp-python builds its parameters in a way :func:`params` does not know."""


def params(lib: Any, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """``(llama_model_params, llama_context_params)`` as ``Llama(**kwargs)`` sets them.

    Call inside ``llama_hooks.model_params(...)`` as a load would, so the model
    parameters carry the same repacking switch.

    Raises:
        NoNativeMapping: ``kwargs`` holds an argument this mapping does not know, or the
            parameter structures lack a field it sets (another llama-cpp-python: the
            caller then loads through ``Llama()``).
    """
    unknown = set(kwargs) - _KNOWN
    if unknown:
        raise NoNativeMapping(f"no native mapping for Llama() arguments {sorted(unknown)}")
    gpu_layers = int(kwargs.get("n_gpu_layers", 0))
    model = _filled(
        lib.llama_model_default_params(),
        n_gpu_layers=0x7FFFFFFF if gpu_layers == -1 else gpu_layers,
        split_mode=_constant(lib, "LLAMA_SPLIT_MODE_LAYER"),
        main_gpu=0,
        vocab_only=False,
        load_mode=_constant(lib, "LLAMA_LOAD_MODE_MMAP"),
    )
    n_ctx = int(kwargs.get("n_ctx", 512))
    n_batch = min(n_ctx, int(kwargs.get("n_batch", 512)))
    flash = "ENABLED" if kwargs.get("flash_attn") else "DISABLED"
    context = _filled(
        lib.llama_context_default_params(),
        n_ctx=n_ctx,
        n_batch=n_batch,
        n_ubatch=min(n_batch, int(kwargs.get("n_ubatch", 512))),
        n_threads=int(kwargs["n_threads"]),
        n_threads_batch=int(kwargs["n_threads_batch"]),
        rope_scaling_type=_constant(lib, "LLAMA_ROPE_SCALING_TYPE_UNSPECIFIED"),
        pooling_type=_constant(lib, "LLAMA_POOLING_TYPE_UNSPECIFIED"),
        attention_type=_constant(lib, "LLAMA_ATTENTION_TYPE_UNSPECIFIED"),
        rope_freq_base=0.0,
        rope_freq_scale=0.0,
        yarn_ext_factor=-1.0,
        yarn_attn_factor=1.0,
        yarn_beta_fast=32.0,
        yarn_beta_slow=1.0,
        yarn_orig_ctx=0,
        embeddings=False,
        offload_kqv=True,
        flash_attn_type=_constant(lib, f"LLAMA_FLASH_ATTN_TYPE_{flash}"),
        no_perf=False,
    )
    return model, context


def _constant(lib: Any, name: str) -> int:
    try:
        return int(getattr(lib, name))
    except AttributeError as exc:
        raise NoNativeMapping(f"llama_cpp has no {name}") from exc


def _filled(struct: Any, **values: Any) -> Any:
    """``struct`` with ``values`` set; a name it has no field for is refused (a ctypes
    structure would otherwise take it as a plain Python attribute, silently)."""
    known = {name for name, *_ in struct._fields_}
    missing = sorted(set(values) - known)
    if missing:
        raise NoNativeMapping(f"{type(struct).__name__} has no field {missing}")
    for name, value in values.items():
        setattr(struct, name, value)
    return struct


def fields(struct: Any) -> dict[str, Any]:
    """A ctypes structure's fields as plain values (pointers as their addresses)."""
    import ctypes

    values: dict[str, Any] = {}
    for name, *_ in struct._fields_:
        value = getattr(struct, name)
        if isinstance(value, ctypes._Pointer | ctypes._CFuncPtr):  # type: ignore[attr-defined]
            value = ctypes.cast(value, ctypes.c_void_p).value
        elif isinstance(value, ctypes.Structure):
            value = fields(value)
        elif isinstance(value, ctypes.Array):
            value = list(value)
        values[name] = value
    return values


__all__ = ["NoNativeMapping", "bindings", "fields", "params"]
