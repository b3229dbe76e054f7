"""Text in images for the running app: a screen region or the clipboard's image.

:class:`ScreenOcr` shows the :class:`~llmasos.apps.gui.everywhere.region.RegionPicker`
and recognizes the picked part of the screen (or any ``QImage``, e.g. the clipboard's)
on a worker of its own :class:`~llmasos.apps.gui.common.background.BackgroundRunner`:
neither on the GUI thread (a screenful takes a second or more) nor on the kernel's
worker, which belongs to the language model (OCR runs on onnxruntime, and a person may
OCR while an answer streams). A new recognition replaces one still running.

On Wayland no program may read the screen: :meth:`ScreenOcr.pick_through` asks the
desktop portal instead, whose own tool lets the person pick the region.

Each request carries a ``follow`` action ("" to show the text; ``"translate"`` etc. to
run that action on it), handed back with the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Signal
from PySide6.QtGui import QImage

from llmasos.apps.gui.common.background import BackgroundRunner, TaskContext
from llmasos.apps.gui.everywhere.portal import PortalConnection, PortalScreenshot
from llmasos.apps.gui.everywhere.region import RegionPicker
from llmasos.errors import ImageInvalidError
from llmasos.services.everywhere.ocr import OcrResult, shared_engine


@dataclass(frozen=True)
class Recognized:
    """A finished recognition, handed to the GUI thread."""

    result: OcrResult
    follow: str
    note: str = ""  # where the desktop's screenshot was left, if it stayed


def png_bytes(image: QImage) -> bytes:
    """``image`` as a PNG file's bytes (any thread: QImage is reentrant).

    Raises:
        ImageInvalidError: a null image, or Qt could not encode it.
    """
    if image.isNull():
        raise ImageInvalidError("The image is empty.")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # quality 100 = PNG's fastest compression: the bytes are read back at once. The format
    # must be a str: PySide6 6.11 refuses the bytes its own stubs ask for (ValueError).
    if not image.save(buffer, "PNG", 100):  # type: ignore[call-overload]
        raise ImageInvalidError("The image could not be encoded as PNG.")
    return bytes(data.data())


class ScreenOcr(QObject):
    """Picks a region and recognizes images off the GUI thread.

    Signals (GUI thread):
        picking: the region picker is showing.
        started: a recognition began (the picker closed with a region, or an image came).
        recognized: a :class:`Recognized`.
        failed: a message to show, and the ``follow`` action.
        cancelled: the picker was closed without a region.
    """

    picking = Signal()
    started = Signal()
    recognized = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = BackgroundRunner(self, max_threads=1)
        self._picker: RegionPicker | None = None
        self._shot: PortalScreenshot | None = None
        self._follow = ""

    @property
    def picker(self) -> RegionPicker:
        if self._picker is None:  # built on first use
            self._picker = RegionPicker()
            self._picker.picked.connect(lambda image: self.read(image, self._follow))
            self._picker.cancelled.connect(self.cancelled)
        return self._picker

    @property
    def is_picking(self) -> bool:
        return self._picker is not None and self._picker.isVisible()

    def pick(self, follow: str = "") -> bool:
        """Show the region picker; False when there is no screen to grab."""
        self._follow = follow
        shown = self.picker.start()
        if shown:
            self.picking.emit()
        return shown

    def pick_through(self, portal: PortalConnection, follow: str = "") -> bool:
        """Let the desktop's screenshot tool pick the region (the portal's interactive
        screenshot); False where the portal offers no screenshots."""
        if self._shot is None:
            self._shot = PortalScreenshot(portal, self)
            self._shot.taken.connect(lambda image, note: self.read(image, self._follow, note))
            self._shot.cancelled.connect(self.cancelled)
            self._shot.failed.connect(lambda message: self.failed.emit(message, self._follow))
        if not self._shot.is_available:
            return False
        self._follow = follow
        self._shot.take()
        self.picking.emit()
        return True

    def read(self, image: QImage, follow: str = "", note: str = "") -> None:
        """Recognize ``image`` on the worker; the result comes as :attr:`recognized`
        (``note``, to show with it, travels along)."""
        image = image.copy()  # detached: the worker owns its pixels

        def job(_ctx: TaskContext) -> Recognized:  # worker thread: no widgets
            return Recognized(shared_engine().read(png_bytes(image)), follow, note)

        task = self.runner.run(job, group="ocr")
        task.succeeded.connect(self.recognized)
        task.failed.connect(lambda message: self.failed.emit(message, follow))
        self.started.emit()

    def close(self) -> None:
        """Close the picker and wait for a recognition still running."""
        if self._picker is not None:
            self._picker.hide()
            self._picker.deleteLater()
            self._picker = None
        self.runner.shutdown()
