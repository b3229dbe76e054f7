"""Replace: paste an answer into the application the text came from, clipboard kept.

Invariant: **the person's clipboard is never lost.** Every format it held (text, rich
text, images, whatever the owner offered) is copied before the answer is put there, and
put back afterwards, whatever happened in between (in ``_restore``, reached from every
path, the timeouts included). The same holds for the PRIMARY selection where the target
pastes from it (xterm, urxvt).

The steps, each on the GUI thread and none blocking for long (a timer drives them, so
Qt keeps serving the clipboard to the other application meanwhile):

1. tell the paste keys from the target's window class (``paste_keys``: Ctrl+V, or
   Ctrl+Shift+V in a terminal, or Shift+Insert in xterm, which pastes PRIMARY); save the
   clipboard (and PRIMARY for Shift+Insert); put the answer there, in a
   :class:`_WatchedMime` that notes when another program reads it;
2. give the keyboard focus back to the window that had it when the action started;
3. wait until no modifier key is held (a Ctrl+V sent while Alt is down is Ctrl+Alt+V);
4. press the paste keys there (XTEST);
5. wait until the application has read the answer (then a little longer: it may ask for
   several formats), or give up after a timeout; restore the clipboard.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QMetaType, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

from llmasos.apps.gui.common.messages import error_text
from llmasos.errors import HotkeyInvalidError
from llmasos.foundation.platform.paste_keys import CTRL_V, paste_keys_for
from llmasos.foundation.platform.x11 import X11Display

log = logging.getLogger(__name__)

TICK_MS = 20
MODIFIERS_TIMEOUT_S = 3.0  # the person lets go of the keys
READ_TIMEOUT_S = 3.0  # the application asks for the pasted text
GRACE_MS = 300  # after the first read: other formats, a second read
# Qt's own in-process image format: it is made from image/png etc., not offered on X
_SYNTHETIC = frozenset({"application/x-qt-image"})


class _WatchedMime(QMimeData):
    """The answer as clipboard data that remembers when another program asked for it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.setText(text)
        self.reads = 0

    def retrieveData(self, mimetype: str, preferredType: QMetaType | QMetaType.Type) -> object:
        """Called (GUI thread) when Qt serves the data to a program that pastes it."""
        self.reads += 1
        return super().retrieveData(mimetype, preferredType)


def copy_clipboard(
    board: QClipboard, mode: QClipboard.Mode = QClipboard.Mode.Clipboard
) -> QMimeData:
    """A copy of every format the clipboard holds now (empty when nothing is there)."""
    saved = QMimeData()
    current = board.mimeData(mode)
    if current is None:
        return saved
    for fmt in current.formats():
        if fmt not in _SYNTHETIC:
            saved.setData(fmt, current.data(fmt))
    return saved


class Replacer(QObject):
    """Pastes one answer into another window (:meth:`start`), then restores the clipboard.

    Signals (GUI thread):
        finished: ``(ok, message)``; the message (translated) says what went wrong.
    """

    finished = Signal(bool, str)

    def __init__(self, x11: X11Display, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._x = x11
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._step: Callable[[], None] | None = None
        self._deadline = 0.0
        self._saved: dict[QClipboard.Mode, QMimeData] = {}
        self._answers: list[_WatchedMime] = []
        self._keys = CTRL_V
        self._window = 0
        self.is_busy = False

    def start(self, text: str, window_id: int) -> None:
        """Paste ``text`` into ``window_id`` (the window that had the focus)."""
        if self.is_busy:
            return
        self.is_busy = True
        self._keys = paste_keys_for(self._x.window_class(window_id))
        modes = [QClipboard.Mode.Clipboard]
        if self._keys.uses_primary:
            modes.append(QClipboard.Mode.Selection)
        board = QGuiApplication.clipboard()
        for mode in modes:
            self._saved[mode] = copy_clipboard(board, mode)
            answer = _WatchedMime(text)  # one each: the clipboard owns what it is given
            self._answers.append(answer)
            board.setMimeData(answer, mode)
        self._window = window_id
        if not self._x.focus(window_id):
            self._end(
                False,
                self.tr(
                    "The window the text came from is gone or cannot take the focus; the "
                    "answer was not pasted (Copy still works)."
                ),
            )
            return
        self._wait(self._modifiers_released, MODIFIERS_TIMEOUT_S)

    def _wait(self, step: Callable[[], None], timeout_s: float) -> None:
        self._step, self._deadline = step, time.monotonic() + timeout_s
        self._timer.start()

    def _tick(self) -> None:
        if self._step is not None:
            self._step()

    def _modifiers_released(self) -> None:
        if self._x.modifiers_down() and time.monotonic() < self._deadline:
            return  # still held: next tick
        self._timer.stop()
        try:
            self._x.focus(self._window, timeout_s=0.5)  # again: a click may have moved it
            self._x.type_keys(self._keys.keys)
        except HotkeyInvalidError as exc:
            self._end(False, error_text(exc))
            return
        self._wait(self._pasted, READ_TIMEOUT_S)

    def _pasted(self) -> None:
        if any(answer.reads for answer in self._answers):
            self._timer.stop()
            QTimer.singleShot(GRACE_MS, lambda: self._end(True, ""))
        elif time.monotonic() > self._deadline:
            self._end(
                False,
                self.tr(
                    "The other application did not take the text (it may not paste with "
                    "{keys}). Copy the answer and paste it by hand."
                ).format(keys=self._keys.label),
            )

    def _end(self, ok: bool, message: str) -> None:
        self._timer.stop()
        self._step = None
        self._restore()
        self.is_busy = False
        if not ok:
            log.info("replace failed: %s", message)
        self.finished.emit(ok, message)

    def _restore(self) -> None:
        """Put the person's clipboard (and PRIMARY, if it was used) back as it was
        (cleared if it was empty)."""
        board = QGuiApplication.clipboard()
        saved, self._saved, self._answers = self._saved, {}, []
        for mode, data in saved.items():
            if data.formats():
                board.setMimeData(data, mode)
            else:
                board.clear(mode)
