"""Facts about this machine that decide what runs well on it (no Qt, no llama.cpp load)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# re-exported: the first frame imports only that module (see its docstring)
from llmasos.foundation.platform.memory import _meminfo
from llmasos.foundation.platform.memory import available_ram as available_ram
from llmasos.foundation.platform.memory import process_rss as process_rss


@dataclass(frozen=True)
class HardwareInfo:
    """A snapshot of memory, cores and the llama.cpp backend."""

    total_ram: int  # bytes
    available_ram: int  # bytes
    logical_cpus: int
    gpu_offload: bool
    backend: str  # "CPU", "CUDA", "Metal", "Vulkan", ...


# ggml's compute backends that are separate libraries next to llama.cpp's; the CPU one is
# always there, a GPU one only in a GPU build of llama-cpp-python
GPU_BACKEND_LIBS = ("cuda", "vulkan", "metal", "hip", "sycl", "opencl", "musa", "cann")
_GPU_DEVICE_TYPES = (1, 2)  # enum ggml_backend_dev_type: CPU=0, GPU=1, IGPU=2, ACCEL=3


@lru_cache(maxsize=1)
def _llama_lib_dir() -> Path | None:
    """llama-cpp-python's folder of shared libraries, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "lib"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=1)
def has_gpu_backend() -> bool:
    """Whether llama.cpp's libraries include a GPU backend (a file check, no loading)."""
    folder = _llama_lib_dir()
    if folder is None:
        return False
    names = [f.name.lower() for f in folder.iterdir()]
    return any(
        name.startswith(f"libggml-{kind}") or name.startswith(f"ggml-{kind}")
        for name in names
        for kind in GPU_BACKEND_LIBS
    )


def gpu_memory() -> int | None:
    """Free memory of the GPUs llama.cpp can use, in bytes; None without a GPU backend.

    A CPU-only build answers None from a file check alone. With a GPU backend, asks
    ggml (``ggml_backend_dev_memory`` for every GPU device); None when none is found or
    the query fails, so callers fall back to RAM.
    """
    if not has_gpu_backend():
        return None
    try:
        return _ggml_gpu_free()
    except (OSError, AttributeError, ImportError):
        return None


@lru_cache(maxsize=1)
def _ggml() -> Any:
    """ggml's device API from llama-cpp-python's libraries, set up once (None if absent)."""
    import ctypes

    import llama_cpp  # loads ggml and registers its backends

    del llama_cpp
    folder = _llama_lib_dir()
    lib_name = next(
        (
            f
            for f in ("libggml.so", "libggml.dylib", "ggml.dll")
            if folder is not None and (folder / f).exists()
        ),
        None,
    )
    if folder is None or lib_name is None:
        return None
    ggml = ctypes.CDLL(str(folder / lib_name))
    ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
    ggml.ggml_backend_dev_get.restype = ctypes.c_void_p
    ggml.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    ggml.ggml_backend_dev_type.restype = ctypes.c_int
    ggml.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    ggml.ggml_backend_dev_memory.restype = None
    ggml.ggml_backend_dev_memory.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.POINTER(ctypes.c_size_t),
    ]
    return ggml


def _ggml_gpu_free() -> int | None:
    import ctypes

    ggml = _ggml()
    if ggml is None:
        return None
    free_total, found = 0, False
    for i in range(ggml.ggml_backend_dev_count()):
        device = ggml.ggml_backend_dev_get(i)
        if ggml.ggml_backend_dev_type(device) not in _GPU_DEVICE_TYPES:
            continue
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        ggml.ggml_backend_dev_memory(device, ctypes.byref(free), ctypes.byref(total))
        free_total, found = free_total + free.value, True
    return free_total if found else None


def default_threads() -> int:
    """Threads for llama.cpp: every core this process may use, at most 16."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return max(1, min(n, 16))


@lru_cache(maxsize=1)
def gpu_offload_supported() -> bool:
    """Whether this llama-cpp-python build can put layers on a GPU."""
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


@lru_cache(maxsize=1)
def backend_name() -> str:
    """The llama.cpp compute backend this build runs on, for the status bar."""
    import llama_cpp

    if not gpu_offload_supported():
        return "CPU"
    info = llama_cpp.llama_print_system_info().decode("utf-8", "replace")
    for name in ("CUDA", "Metal", "Vulkan", "ROCm", "HIP", "SYCL", "OpenCL"):
        if name.upper() in info.upper():
            return name
    return "GPU"


def snapshot() -> HardwareInfo:
    """Current memory and the backend (the backend part is computed once)."""
    total, avail = _meminfo()
    return HardwareInfo(total, avail, os.cpu_count() or 1, gpu_offload_supported(), backend_name())


# /proc/cpuinfo flags of Intel's Advanced Matrix Extensions (Sapphire Rapids and later)
_AMX_FLAGS = ("amx_tile", "amx_int8", "amx_bf16")


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux names them; empty where /proc/cpuinfo is missing."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def cpu_has_amx() -> bool:
    """Whether the CPU has AMX, whose llama.cpp path (weight repacking) can crash."""
    return any(flag in cpu_flags() for flag in _AMX_FLAGS)


@lru_cache(maxsize=1)
def cpu_signature() -> str:
    """A short fingerprint of this CPU (model and flags): a probe verdict is only valid on it."""
    import hashlib
    import platform

    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            model = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), ""
            )
    except OSError:
        model = platform.processor()
    text = f"{platform.machine()}|{model}|{' '.join(sorted(cpu_flags()))}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


BANDWIDTH_BUFFER = 64 * 1024 * 1024  # larger than the last-level cache of desktop CPUs
BANDWIDTH_REPEATS = 3


def measure_memory_bandwidth(
    buffer_bytes: int = BANDWIDTH_BUFFER, repeats: int = BANDWIDTH_REPEATS
) -> float:
    """Memory bandwidth in bytes per second: the fastest of ``repeats`` copies of a buffer
    larger than the caches, counting the bytes read and written (one thread, ~0.1 s).

    Token generation reads every weight once per token, so this figure bounds its speed.
    """
    import time

    source, target = bytearray(buffer_bytes), bytearray(buffer_bytes)
    view = memoryview(target)
    view[:] = source  # touch both buffers so page faults stay out of the timing
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        view[:] = source
        best = min(best, time.perf_counter() - start)
    return 2 * buffer_bytes / max(best, 1e-9)
