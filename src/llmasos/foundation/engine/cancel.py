"""The cancel flag every request carries, readable by llama.cpp without the GIL.

Its own module (only :mod:`ctypes`), so the kernel and the windows can make requests
without importing the engine at start-up.
"""

from __future__ import annotations

import ctypes


class CancelToken:
    """Cancels one request from any thread, within one token or one prefill step.

    The flag lives in a small C buffer so llama.cpp's abort callback can read it
    without taking the GIL (see :func:`llmasos.foundation.engine.llama_hooks.abort_callback`).
    """

    def __init__(self) -> None:
        self._buf = ctypes.create_string_buffer(2)  # b"\0" = running, b"\1" = cancelled

    def cancel(self) -> None:
        """Ask the request to stop. Safe from any thread, idempotent."""
        self._buf[0] = b"\x01"

    @property
    def is_cancelled(self) -> bool:
        return self._buf[0] != b"\x00"

    @property
    def address(self) -> int:
        return ctypes.addressof(self._buf)


class Cancelled(Exception):
    """A request stopped because its :class:`CancelToken` was set.

    Not an :class:`~llmasos.errors.LLMasOSError`: cancelling is what the person asked for,
    so callers catch it apart from failures and show nothing."""


__all__ = ["CancelToken", "Cancelled"]
