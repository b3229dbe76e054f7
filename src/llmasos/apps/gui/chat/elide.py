"""The Chat page's context meter: one line of text that elides over a thin bar.

The eliding label itself is :class:`~llmasos.apps.gui.common.elide.ElidedLabel` (also
used for the conversation title).
"""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWidget

from llmasos.apps.gui.common.elide import ElidedLabel


class ContextMeter(QWidget):
    """How much of the model's context the conversation fills: one line of text over a
    thin bar. Until a model is loaded the context length is unknown and shows "–"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel(text_tooltip=False)  # the meter's tooltip says more
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
