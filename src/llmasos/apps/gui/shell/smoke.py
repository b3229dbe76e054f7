"""A start-and-quit smoke test of the real app, for packaged builds.

With ``LLMASOS_SMOKE_TEST=1`` in the environment the app starts as usual, and once
the event loop runs and the main window is on screen it prints what it found and
closes the window through the normal path (``closeEvent``: state saved, work
cancelled, kernel shut down), so the process exits 0. ``packaging/build.sh`` and
``tests/packaging/test_bundle.py`` run a built bundle this way; under
``QT_QPA_PLATFORM=offscreen`` no display is needed. The lines printed, all on
stdout and starting with ``smoke:``, are the interface those scripts read:

- ``smoke: window shown`` — the main window was visible when the event loop ran;
- ``smoke: icon sizes 16,24,...`` — the app icon's sizes (``none`` when missing);
- ``smoke: backend CPU`` — the llama.cpp backend, which also proves the bundled
  llama.cpp shared libraries load.

A window that never showed prints ``smoke: window not shown`` and the app exits 2;
one that refuses to close prints ``smoke: window refused to close`` and exits 3.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

SMOKE_ENV = "LLMASOS_SMOKE_TEST"
EXIT_NOT_SHOWN = 2
EXIT_CLOSE_REFUSED = 3


def is_smoke_test() -> bool:
    """Whether ``LLMASOS_SMOKE_TEST`` asks for a start-and-quit run."""
    return os.environ.get(SMOKE_ENV, "").strip() not in ("", "0")


def _say(line: str) -> None:
    # The smoke protocol is the process's stdout, read by the build script, not a log.
    sys.stdout.write(f"smoke: {line}\n")
    sys.stdout.flush()


def _backend() -> str:
    from llmasos.foundation.platform import hardware

    try:
        return hardware.backend_name()
    except (ImportError, OSError) as exc:  # a bundle without llama.cpp's libraries
        return f"unavailable ({exc})"


def _report_and_close(window: QWidget) -> None:
    """GUI thread, from the event loop: report, then close ``window`` (or exit 2 or 3)."""
    app = QApplication.instance()
    if not window.isVisible():
        _say("window not shown")
        if app is not None:
            app.exit(EXIT_NOT_SHOWN)
        return
    _say("window shown")
    sizes = window.windowIcon().availableSizes()
    _say("icon sizes " + (",".join(str(s.width()) for s in sizes) or "none"))
    _say(f"backend {_backend()}")
    if not window.close():  # closeEvent ignored: say so rather than wait for a timeout
        _say("window refused to close")
        if app is not None:
            app.exit(EXIT_CLOSE_REFUSED)


def maybe_schedule_smoke_quit(window: QWidget) -> bool:
    """In a smoke-test run, report and close ``window`` once the event loop has started.

    Call on the GUI thread after ``window.show()`` and before ``app.exec()``.

    Returns:
        Whether a smoke quit was scheduled (False when the variable is not set).
    """
    if not is_smoke_test():
        return False
    QTimer.singleShot(0, window, lambda: _report_and_close(window))
    return True


__all__ = ["SMOKE_ENV", "is_smoke_test", "maybe_schedule_smoke_quit"]
