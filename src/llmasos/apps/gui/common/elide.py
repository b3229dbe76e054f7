"""A one-line label that cuts long text with "…" instead of growing its window.

A plain :class:`QLabel` asks its layout for the width of its whole text, so a long
conversation title, a long model path in the status bar or a long translation of a
label widened the window. :class:`ElidedLabel` asks for almost nothing, shows as much
as fits and keeps the whole text as its ``text()`` (screen readers read all of it) and,
unless told otherwise, as its tooltip.

The status bar's label is in the first frame, so a label whose text fits never touches
PySide's ``Qt`` namespace: building it creates its ~100 enums (~25 ms of start-up). The
text format is set to plain only for a text that Qt could take for rich text (one with
a "<" or a "&", as in "&lt;"), and the alignment is kept as the int ``drawText`` takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPaintEvent

# QLabel's default alignment, Qt.AlignLeft | Qt.AlignVCenter, as drawText's int
_LEFT_VCENTER = 0x0001 | 0x0080


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
        self._plain = False  # PlainText is set (at the first text that needs it)
        self._flags = _LEFT_VCENTER
        self._keep_plain(text)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        if text_tooltip:
            self.setToolTip(text)

    def _keep_plain(self, text: str) -> None:
        """Show ``text`` as it is: plain text, never rich (Qt.mightBeRichText needs a tag
        or "&lt;")."""
        if not self._plain and ("<" in text or "&" in text):
            from PySide6.QtCore import Qt

            self.setTextFormat(Qt.TextFormat.PlainText)
            self._plain = True

    def setText(self, text: str) -> None:
        self._keep_plain(text)
        super().setText(text)
        if self._text_tooltip:
            self.setToolTip(text)

    def setAlignment(self, alignment: Qt.AlignmentFlag) -> None:
        super().setAlignment(alignment)
        self._flags = int(super().alignment().value)

    def shown_text(self) -> str:
        """The text as painted: all of it, or the start that fits followed by "…"."""
        flat = " ".join(self.text().split())
        width, metrics = self.contentsRect().width(), self.fontMetrics()
        # QFontMetricsF from the metrics, not from self.font(): QFont's wrapper has enums too
        if "\x9c" not in flat and QFontMetricsF(metrics).horizontalAdvance(flat) <= width:
            return flat  # fits (what elidedText would return), without the Qt namespace
        from PySide6.QtCore import Qt

        return metrics.elidedText(flat, Qt.TextElideMode.ElideRight, width)

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
        # A painter on a widget starts with the pen QPen(palette colour of foregroundRole(),
        # width 1): for a solid brush that is this pen already. QPainter.setPen() (any
        # overload) and QPen(brush, 1) would build the Qt namespace in the first frame.
        painter = QPainter(self)
        ink = QPen()  # width 1, solid line, square cap, bevel join: QPen(brush, 1)'s
        ink.setBrush(self.palette().brush(self.foregroundRole()))
        if not ink.isSolid():  # a gradient or a pattern
            painter.setPen(ink)
        painter.drawText(self.contentsRect(), self._flags, self.shown_text())


__all__ = ["ElidedLabel"]
