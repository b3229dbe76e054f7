"""Facts about this machine that decide what runs well on it (no Qt, no llama.cpp load)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class HardwareInfo:
    """A snapshot of memory, cores and the llama.cpp backend."""

    total_ram: int  # bytes
    available_ram: int  # bytes
    logical_cpus: int
    gpu_offload: bool
    backend: str  # "CPU", "CUDA", "Metal", "Vulkan", ...


def _meminfo() -> tuple[int, int]:
    """(total, available) RAM in bytes; falls back to sysconf where /proc is missing."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            fields = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f}
        return fields["MemTotal"], fields.get("MemAvailable", fields["MemFree"])
    except (OSError, KeyError, ValueError, IndexError):
        pass
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        total = os.sysconf("SC_PHYS_PAGES") * page
        avail = os.sysconf("SC_AVPHYS_PAGES") * page if sys.platform != "darwin" else total // 2
        return total, avail
    except (ValueError, OSError, AttributeError):
        return 0, 0


def available_ram() -> int:
    """Free memory in bytes (cheap: reads /proc, never imports llama.cpp)."""
    return _meminfo()[1]


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


def process_rss() -> int:
    """Resident memory of this process in bytes (0 when the platform does not say)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if sys.platform == "darwin" else peak * 1024)
    except (ImportError, OSError):
        return 0
