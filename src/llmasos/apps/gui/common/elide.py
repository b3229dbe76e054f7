"""A one-line label that cuts long text with "…" instead of growing its window.

A plain :class:`QLabel` asks its layout for the width of its whole text, so a long
conversation title, a long model path in the status bar or a long translation of a
label widened the window. :class:`ElidedLabel` asks for almost nothing, shows as much
as fits and keeps the whole text as its ``text()`` (screen readers read all of it) and,
unless told otherwise, as its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A one-line plain-text label that ends with "…" when its text does not fit.

    Args:
        text: the whole text.
        parent: the parent widget.
        text_tooltip: show the whole text as the tooltip (False: the caller sets one,
            or a parent's tooltip says more).
    """

    def __init__(
        self, text: str = "", parent: QWidget | None = None, *, text_tooltip: bool = True
    ) -> None:
        super().__init__(text, parent)
        self._text_tooltip = text_tooltip
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        if text_tooltip:
            self.setToolTip(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        if self._text_tooltip:
            self.setToolTip(text)

    def shown_text(self) -> str:
        """The text as painted: all of it, or the start that fits followed by "…"."""
        flat = " ".join(self.text().split())
        return self.fontMetrics().elidedText(
            flat, Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, hint.height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        # What QStyle.drawItemText does for the styles we ship (no dithered or etched
        # disabled text): the palette's current group already follows isEnabled(). Not
        # calling self.style() keeps QStyle's Python wrapper (and its 14 enums, 6-13 ms)
        # out of the first frame, which paints the status bar's ElidedLabel.
        painter = QPainter(self)
        painter.setPen(QPen(self.palette().brush(self.foregroundRole()), 1))
        painter.drawText(self.contentsRect(), int(self.alignment().value), self.shown_text())


__all__ = ["ElidedLabel"]
