"""The base of the three tool pages (Chat, Write, Translate) and shared widgets.

Each page talks to the model only through the kernel and owns its requests (its
``owner`` id), so closing the page's window cancels exactly its work. Pages can
live in the main window or in a window of their own (:class:`ToolWindow`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import failure_text
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Failure, Kernel, Priority

_page_ids = itertools.count(1)


class ToolPage(QWidget):
    """A page that sends one request at a time through the kernel and streams the answer."""

    busy_changed = Signal(bool)
    tool = "tool"

    def __init__(
        self, kernel: Kernel, params: Callable[[], SamplingParams], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kernel = kernel
        self._params = params
        self.owner = f"{self.tool}-{next(_page_ids)}"
        self.request_id: int | None = None
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Status"))
        self.status.setWordWrap(True)
        kernel.tokens.connect(self._on_tokens)
        kernel.finished.connect(self._on_finished)
        kernel.cancelled.connect(self._on_cancelled)
        kernel.failed.connect(self._on_failed)

    # -- requests --------------------------------------------------------------
    def priority(self) -> Priority:
        """Interactive when the person can see this page, background otherwise."""
        visible = self.isVisible() and self.window().isActiveWindow()
        return Priority.INTERACTIVE if visible else Priority.BACKGROUND

    def stop(self) -> None:
        """Cancel this page's running or queued request (Esc)."""
        if self.request_id is not None:
            self.kernel.cancel(self.request_id)

    def cancel_all(self) -> None:
        """Cancel everything this page asked for (its window is closing)."""
        self.kernel.cancel_owner(self.owner)

    def _mine(self, request_id: int) -> bool:
        return request_id == self.request_id

    def _on_tokens(self, request_id: int, text: str) -> None:
        if self._mine(request_id):
            self.status.setText(self.tr("Writing…"))
            self.append_output(text)

    def _end(self, message: str) -> None:
        self.request_id = None
        self.status.setText(message)
        self.busy_changed.emit(False)
        self.request_done()

    def _on_finished(self, request_id: int, stats: object) -> None:
        if self._mine(request_id):
            tps = getattr(stats, "tokens_per_s", 0.0)
            n = getattr(stats, "completion_tokens", 0)
            self._end(self.tr("Done: {n} tokens at {tps:.1f} tokens/s.").format(n=n, tps=tps))

    def _on_cancelled(self, request_id: int, stats: object) -> None:
        if self._mine(request_id):
            self._end(self.tr("Stopped. The text so far is kept."))

    def _on_failed(self, request_id: int, failure: Failure) -> None:
        if self._mine(request_id):
            self._end(failure_text(failure))

    # -- for subclasses ----------------------------------------------------------
    def append_output(self, text: str) -> None:
        raise NotImplementedError

    def request_done(self) -> None:
        """Hook: the request ended (finished, stopped or failed)."""


def editor(name: str, placeholder: str, *, read_only: bool = False) -> QPlainTextEdit:
    """A plain-text editor; ``name`` and ``placeholder`` are already translated."""
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setPlaceholderText(placeholder)
    box.setReadOnly(read_only)
    return box


def button(text: str, name: str, slot: Callable[[], None], icon: str = "") -> QPushButton:
    """A push button; ``text`` (with its ``&`` mnemonic) and ``name`` are translated;
    ``icon`` names an interface icon (``resources/icons/ui/<icon>.svg``)."""
    button = QPushButton(text)
    button.setAccessibleName(name)
    if icon:
        button.setIcon(ui_icon(icon))
    button.clicked.connect(slot)
    return button
