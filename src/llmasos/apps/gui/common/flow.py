"""A layout that puts its widgets in a row and wraps them onto more rows when narrow.

A toolbar of buttons in a :class:`QHBoxLayout` asks for the sum of their widths, so a
window cannot be narrower than its widest row (the Translate window would not go below
746 px). In a :class:`FlowLayout` the row asks only for its widest widget and grows in
height instead: the window can sit beside a document on a 1366 px screen.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget


def _wanted(item: QLayoutItem) -> QSize:
    """The size ``item`` gets in a row: its size hint, never below its minimum."""
    return item.sizeHint().expandedTo(item.minimumSize())


class FlowLayout(QLayout):
    """Left-to-right rows that wrap; each row's items are centred vertically."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's item interface --------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # -- sizes -------------------------------------------------------------------------------
    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    def sizeHint(self) -> QSize:
        """One row of everything: what the layout would like when there is room."""
        items = self._visible()
        width = sum(_wanted(i).width() for i in items) + self._gap() * max(len(items) - 1, 0)
        height = max((_wanted(i).height() for i in items), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    # -- placing -----------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _gap(self) -> int:
        if self.spacing() >= 0:
            return self.spacing()
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        if style is None:
            return 6
        return style.layoutSpacing(
            QSizePolicy.ControlType.PushButton,
            QSizePolicy.ControlType.PushButton,
            Qt.Orientation.Horizontal,
        ) or style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = [[]]
        used, gap = 0, self._gap()
        for item in self._visible():
            w = _wanted(item).width()
            if rows[-1] and used + gap + w > width:
                rows.append([])
                used = 0
            used += (gap if rows[-1] else 0) + w
            rows[-1].append(item)
        return [r for r in rows if r]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items inside ``rect`` (when ``move``); returns the height used."""
        margins: QMargins = self.contentsMargins()
        inner = rect.marginsRemoved(margins)
        gap = self._gap()
        rows = self._rows(inner.width())
        if not rows:
            return margins.top() + margins.bottom()
        y = inner.y()
        for row in rows:
            height = max(_wanted(i).height() for i in row)
            x = inner.x()
            for item in row:
                hint = _wanted(item)
                # a lone item wider than the row shrinks to fit, down to its minimum
                w = max(min(hint.width(), inner.width()), item.minimumSize().width())
                if move:
                    top = y + (height - hint.height()) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(w, hint.height())))
                x += w + gap
            y += height + gap
        return y - gap - rect.y() + margins.bottom()


__all__ = ["FlowLayout"]
