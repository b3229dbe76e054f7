"""This machine's free memory and this process's resident memory, read cheaply.

Apart from :mod:`llmasos.foundation.platform.hardware` (which re-exports both) because
the first frame needs only these two readings — the welcome page's recommendation and
the status bar's memory figure — and not that module's snapshot dataclass or its
llama.cpp backend probes: defining a frozen dataclass costs Python 3.11 ~0.7 ms at
import (it compiles six methods).
"""

from __future__ import annotations

import os
import sys


def _meminfo() -> tuple[int, int]:
    """(total, available) RAM in bytes; falls back to sysconf where /proc is missing."""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
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


def process_rss() -> int:
    """Resident memory of this process in bytes (0 when the platform does not say)."""
    try:
        # bytes, not text: decoding ASCII digits would import the ascii codec module
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if sys.platform == "darwin" else peak * 1024)
    except (ImportError, OSError):
        return 0
