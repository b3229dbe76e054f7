"""Pick a screen region: a full-screen overlay over a still picture of the screen.

:meth:`RegionPicker.start` grabs the screen under the cursor (``QScreen.grabWindow(0)``)
*before* the overlay shows, so what the person sees and drags over is exactly what gets
recognized, menus and tooltips included. A drag draws the rectangle; releasing the mouse
emits :attr:`RegionPicker.picked` with that part of the grab (in device pixels); Esc or a
right click emits :attr:`RegionPicker.cancelled`. :meth:`RegionPicker.select` picks a
rectangle without the mouse (tests, and a future keyboard mode).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QScreen,
)
from PySide6.QtWidgets import QWidget

MIN_SIDE = 4  # logical pixels; a smaller drag is a click, not a region


class RegionPicker(QWidget):
    """The overlay. Signals (GUI thread): ``picked(QImage)``, ``cancelled()``."""

    picked = Signal(QImage)
    cancelled = Signal()

    def __init__(self) -> None:
        flags = (
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
        )
        super().__init__(None, flags)
        self.setObjectName("regionPicker")
        self.setAccessibleName(self.tr("Pick a screen region to recognize its text"))
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        self._shot = QPixmap()
        self._origin: QPoint | None = None
        self._rect = QRect()

    @property
    def shot(self) -> QPixmap:
        """The still picture of the screen taken by :meth:`start`."""
        return self._shot

    def start(self, screen: QScreen | None = None) -> bool:
        """Grab ``screen`` (default: the one under the cursor) and cover it; False when
        there is no screen to grab (then nothing shows)."""
        screen = (
            screen or QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        )
        if screen is None:
            return False
        self._shot = screen.grabWindow(0)
        if self._shot.isNull():
            return False
        self._origin, self._rect = None, QRect()
        self.setGeometry(screen.geometry())
        self.show()
        self.raise_()
        self.activateWindow()
        self.setFocus()
        return True

    def select(self, rect: QRect) -> None:
        """Pick ``rect`` (logical pixels, relative to the overlay) as if dragged."""
        self._rect = rect.normalized().intersected(self.rect())
        self._finish()

    def crop(self, rect: QRect) -> QImage:
        """The part of the grab under ``rect`` (logical pixels), at device resolution."""
        return self._shot.copy(self._device(rect)).toImage()

    def _finish(self) -> None:
        rect = self._rect
        self.hide()
        if rect.width() < MIN_SIDE or rect.height() < MIN_SIDE:
            self.cancelled.emit()
            return
        self.picked.emit(self.crop(rect))

    # -- events (GUI thread) ---------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.cancel()
            return
        self._origin = event.position().toPoint()
        self._rect = QRect(self._origin, self._origin)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._rect = QRect(self._origin, event.position().toPoint()).normalized()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None and event.button() == Qt.MouseButton.LeftButton:
            self._origin = None
            self._finish()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)

    def cancel(self) -> None:
        """Close without a region; emits :attr:`cancelled`."""
        self._origin = None
        self.hide()
        self.cancelled.emit()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(self.rect(), self._shot)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 96))  # dim all but the region
        if not self._rect.isEmpty():
            painter.drawPixmap(self._rect, self._shot, self._device(self._rect))
            painter.setPen(QPen(QColor(64, 156, 255), 2))
            painter.drawRect(self._rect.adjusted(0, 0, -1, -1))
        painter.end()

    def _device(self, rect: QRect) -> QRect:
        ratio = self._shot.devicePixelRatio()
        return QRect(
            round(rect.x() * ratio),
            round(rect.y() * ratio),
            round(rect.width() * ratio),
            round(rect.height() * ratio),
        )
