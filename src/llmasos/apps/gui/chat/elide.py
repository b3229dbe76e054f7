"""One-line widgets of the Chat page that cut long text with "…" instead of growing.

A plain :class:`QLabel` asks its layout for the width of its whole text, so a long
conversation title (or a long translation of a label) widened the page and squeezed
the conversation list. :class:`ElidedLabel` asks for almost nothing, shows as much as
fits and keeps the whole text as its ``text()`` (screen readers read all of it).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget


class ElidedLabel(QLabel):
    """A one-line plain-text label that ends with "…" when its text does not fit."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

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
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment().value),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )


class ContextMeter(QWidget):
    """How much of the model's context the conversation fills: one line of text over a
    thin bar. Until a model is loaded the context length is unknown and shows "–"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(max(3, self.fontMetrics().height() // 4))
        self.bar.setAccessibleName(self.tr("Context used"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 30)
        self.show_usage(0, None)

    def text(self) -> str:
        """The shown line, e.g. "Context: 76 / 4096"."""
        return self.label.text()

    def show_usage(self, used: int, n_ctx: int | None) -> None:
        """Show ``used`` tokens of ``n_ctx`` (None or 0: no model is loaded yet)."""
        if not n_ctx:
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
            self.label.setText(self.tr("Context: –"))
            tip = self.tr("The model's context length is shown once a model is loaded.")
        else:
            self.bar.setRange(0, n_ctx)
            self.bar.setValue(min(used, n_ctx))
            self.label.setText(self.tr("Context: {used} / {n_ctx}").format(used=used, n_ctx=n_ctx))
            tip = self.tr("{used} of {n_ctx} tokens of the model's context").format(
                used=used, n_ctx=n_ctx
            )
        self.setToolTip(tip)
        self.bar.setAccessibleDescription(tip)
