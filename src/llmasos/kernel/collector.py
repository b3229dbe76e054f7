"""Python's cycle collector, run on the GUI thread only.

CPython runs its cyclic garbage collector on whichever thread happens to cross the
allocation threshold. Here that is most often the kernel's worker, which allocates at
every token; a collection there destroys whatever the GUI thread left in reference
cycles (a window's helper objects, a timer, a connection's wrapper) from the wrong
thread, and Qt objects destroyed off their thread can crash the process (a full test
run once died with a segfault while the collector ran on the worker: the stack read
``Garbage-collecting`` over the worker's GGUF read).

So while the GUI runs, :class:`GuiThreadCollector` turns automatic collection off and a
timer on the GUI thread collects instead, with the interpreter's own thresholds
(:func:`collect_due`). A window that is not processing events collects nothing, which is
also true of everything else it does.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 200
_pinned: GuiThreadCollector | None = None


def collect_due() -> int | None:
    """Collect what the interpreter would have collected by now, on this thread: once
    more objects were allocated than freed since the last collection than the first
    threshold allows, the oldest generation whose count passed its own threshold.
    Returns the generation collected, or None when none was due."""
    c0, c1, c2 = gc.get_count()
    t0, t1, t2 = gc.get_threshold()
    if t0 <= 0 or c0 <= t0:
        return None
    generation = 2 if c2 > t2 else 1 if c1 > t1 else 0
    gc.collect(generation)
    return generation


class GuiThreadCollector(QObject):
    """Keeps cycle collection on the thread it lives on (create it on the GUI thread)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._restore = False
        self.collections = [0, 0, 0]  # by generation, for tests and the curious

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Turn automatic collection off; collect from this thread's event loop."""
        if self.active:
            return
        self._restore = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect once more here, then give collection back to the interpreter."""
        if not self.active:
            return
        self._timer.stop()
        gc.collect()
        if self._restore:
            gc.enable()

    def _tick(self) -> None:  # GUI thread
        generation = collect_due()
        if generation is not None:
            self.collections[generation] += 1


def pin_to_gui_thread(app: QCoreApplication) -> GuiThreadCollector:
    """Start the one collector of ``app`` (on the GUI thread, for the life of ``app``);
    calling it again returns the same one."""
    global _pinned
    if _pinned is None or _pinned.parent() is not app:
        _pinned = GuiThreadCollector(app)
    _pinned.start()
    return _pinned


__all__ = ["INTERVAL_MS", "GuiThreadCollector", "collect_due", "pin_to_gui_thread"]
