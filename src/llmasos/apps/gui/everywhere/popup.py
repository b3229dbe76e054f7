"""The popup: a small frameless window near the cursor that streams one action's answer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from llmasos.errors import LLMasOSError
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Kernel, Priority
from llmasos.services.everywhere.prompts import STOP, action_messages

OWNER = "everywhere"


class ActionPopup(QFrame):
    """Runs an action on a text through the kernel and shows the answer as it streams."""

    def __init__(self, kernel: Kernel) -> None:
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        super().__init__(None, flags)
        self.kernel = kernel
        self.setObjectName("everywherePopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setWindowTitle(self.tr("LLMasOS"))
        self.setAccessibleName(self.tr("LLMasOS answer"))
        self.resize(420, 260)
        self._request: int | None = None
        self._job: tuple[str, str, str, str] = ("", "", "", "")
        self._busy = False
        self._chunks = 0  # token batches of the current answer

        self.title = QLabel(self)
        self.title.setAccessibleName(self.tr("Action"))
        self.answer = QPlainTextEdit(self)
        self.answer.setReadOnly(True)
        self.answer.setAccessibleName(self.tr("Answer"))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Status"))
        self.copy_button = QPushButton(self.tr("&Copy"), self)
        self.copy_button.setAccessibleName(self.tr("Copy the answer"))
        self.copy_button.clicked.connect(self.copy)
        self.retry_button = QPushButton(self.tr("&Retry"), self)
        self.retry_button.setAccessibleName(self.tr("Run the action again"))
        self.retry_button.clicked.connect(self.retry)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setAccessibleName(self.tr("Close (Esc)"))
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)

        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.copy_button, self.retry_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.answer, 1)
        layout.addLayout(buttons)

        kernel.tokens.connect(self._on_tokens)
        kernel.finished.connect(self._on_finished)
        kernel.cancelled.connect(self._on_finished)
        kernel.failed.connect(self._on_failed)

    # -- running ---------------------------------------------------------------
    def run(self, action: str, text: str, to: str = "", tone: str = "formal") -> None:
        """Show the popup near the cursor and run ``action`` on ``text``."""
        self._job = (action, text, to, tone)
        self._cancel()
        self.answer.clear()
        self._chunks = 0
        self.title.setText(_action_label(action, to))
        self.place_near_cursor()
        self.show()
        self.raise_()
        self.activateWindow()
        if not text.strip():
            self._set_status(
                self.tr("Nothing is selected: select some text first, then try again.")
            )
            return
        if self.kernel.model_info is None:
            self._set_status(self.tr("No model is loaded: open one in LLMasOS first."))
            return
        try:
            messages = action_messages(action, text, to, tone)
        except LLMasOSError as exc:
            self._set_status(str(exc))
            return
        params = SamplingParams(max_tokens=512, stop=() if action == "ask" else STOP)
        self._request = self.kernel.chat(
            messages, params, owner=OWNER, priority=Priority.INTERACTIVE
        )
        self._busy = True
        self._set_status(self.tr("Working…"))

    def retry(self) -> None:
        """Run the last action again on the same text."""
        if self._job[0]:
            self.run(*self._job)

    def copy(self) -> None:
        """Put the answer on the clipboard (the person asked for it)."""
        QGuiApplication.clipboard().setText(self.answer.toPlainText())
        self._set_status(self.tr("Copied."))

    def state(self) -> dict[str, Any]:
        """What the popup shows, for the single-instance ``state`` request."""
        return {
            "visible": self.isVisible(),
            "action": self._job[0],
            "source": self._job[1],
            "answer": self.answer.toPlainText(),
            "status": self.status.text(),
            "busy": self._busy,
            "chunks": self._chunks,
        }

    def place_near_cursor(self) -> None:
        """Put the popup just below and right of the cursor, inside its screen."""
        pos = QCursor.pos() + QPoint(12, 16)
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            x = max(area.left(), min(pos.x(), area.right() - self.width()))
            y = max(area.top(), min(pos.y(), area.bottom() - self.height()))
            pos = QPoint(x, y)
        self.move(pos)

    # -- kernel signals ----------------------------------------------------------
    def _on_tokens(self, request: int, text: str) -> None:
        if request == self._request:
            self._chunks += 1
            cursor = self.answer.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText(text)

    def _on_finished(self, request: int, _stats: object) -> None:
        if request == self._request:
            self._request = None
            self._busy = False
            self.answer.setPlainText(self.answer.toPlainText().strip())
            self._set_status(self.tr("Done."))

    def _on_failed(self, request: int, failure: Any) -> None:
        if request == self._request:
            self._request = None
            self._busy = False
            self._set_status(getattr(failure, "message", str(failure)))

    def _cancel(self) -> None:
        if self._request is not None:
            self.kernel.cancel(self._request)
        self._request = None
        self._busy = False

    def _set_status(self, text: str) -> None:
        self.status.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: Any) -> None:
        self._cancel()
        super().closeEvent(event)


def _action_label(action: str, to: str) -> str:
    names = {
        "translate": QCoreApplication.translate("ActionPopup", "Translate"),
        "proofread": QCoreApplication.translate("ActionPopup", "Proofread"),
        "rewrite": QCoreApplication.translate("ActionPopup", "Rewrite"),
        "summarize": QCoreApplication.translate("ActionPopup", "Summarize"),
        "explain": QCoreApplication.translate("ActionPopup", "Explain"),
        "ask": QCoreApplication.translate("ActionPopup", "Ask"),
    }
    label = names.get(action, action)
    return f"{label} → {to}" if action == "translate" and to else label
