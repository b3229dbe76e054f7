"""The Ask box: a one-line question over any application, answered without the main window.

A small frameless window on top (the Ask shortcut, ``llmasos do ask``, the tray's
*Ask…*): type a question, Enter sends it with the selected text as context, the answer
streams below from the one kernel at interactive priority. Esc closes (and stops the
answer); Ctrl+C copies the answer when no text is selected in the question; *Continue in
Chat* (Alt+N, Ctrl+Shift+Enter) hands the question and the finished answer to the main
window's Chat page as a new conversation.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from llmasos.apps.gui.common.messages import failure_text
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Kernel, Priority
from llmasos.services.everywhere.prompts import ask_messages

OWNER = "everywhere-ask"
CONTEXT_SHOWN = 120  # characters of the selection shown above the question
TITLE_CHARS = 60  # of the question, as the title of the conversation it continues in


class AskBox(QFrame):
    """Question in, streamed answer out; ``context`` is the selection when it opened.

    Signals (GUI thread):
        continue_requested: *Continue in Chat*: a title (the question), the question as
            the model was asked it (with the context) and the finished answer.
    """

    continue_requested = Signal(str, str, str)

    def __init__(self, kernel: Kernel) -> None:
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        super().__init__(None, flags)
        self.kernel = kernel
        self.context = ""
        self._asked = ""  # the question the answer below is for
        self._request: int | None = None
        self.setObjectName("everywhereAsk")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setWindowTitle(self.tr("Ask LLMasOS"))
        self.setAccessibleName(self.tr("Ask LLMasOS"))
        self.resize(520, 80)

        self.context_label = QLabel(self)
        self.context_label.setWordWrap(True)
        self.context_label.setAccessibleName(self.tr("Selected text used as context"))
        self.question = QLineEdit(self)
        self.question.setPlaceholderText(self.tr("Ask anything, then press Enter"))
        self.question.setAccessibleName(self.tr("Question"))
        self.question.returnPressed.connect(self.send)
        self.question.installEventFilter(self)
        self.answer = QPlainTextEdit(self)
        self.answer.setReadOnly(True)
        self.answer.setAccessibleName(self.tr("Answer"))
        self.answer.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Status"))
        self.continue_button = QPushButton(self.tr("Co&ntinue in Chat"), self)
        self.continue_button.setAccessibleName(
            self.tr("Continue in Chat: a new conversation with the question and the answer")
        )
        self.continue_button.setToolTip(
            self.tr("Open the question and the answer in Chat to go on (Ctrl+Shift+Enter)")
        )
        self.continue_button.clicked.connect(self.request_continue)
        self.continue_button.hide()
        QShortcut(QKeySequence("Ctrl+Shift+Return"), self, self.request_continue)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.context_label)
        layout.addWidget(self.question)
        layout.addWidget(self.answer, 1)
        layout.addLayout(status_row)

        kernel.tokens.connect(self._on_tokens)
        kernel.finished.connect(self._on_finished)
        kernel.cancelled.connect(self._on_finished)
        kernel.failed.connect(self._on_failed)

    def open(self, context: str) -> None:
        """Show the box centred on the screen under the cursor, ready to type."""
        self._cancel()
        self.context = context
        shown = " ".join(context.split())
        if len(shown) > CONTEXT_SHOWN:
            shown = shown[: CONTEXT_SHOWN - 1] + "…"
        self.context_label.setText(
            self.tr("About the selected text: {text}").format(text=shown) if shown else ""
        )
        self.context_label.setVisible(bool(shown))
        self.question.clear()
        self.answer.clear()
        self.answer.hide()
        self.status.clear()
        self.continue_button.hide()
        self.resize(520, 80)
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.center().x() - self.width() // 2, area.top() + area.height() // 4)
        self.show()
        self.raise_()
        self.activateWindow()
        self.question.setFocus()

    def send(self) -> None:
        """Ask the question (Enter); a new question stops the previous answer."""
        question = self.question.text().strip()
        if not question:
            return
        self._cancel()
        self._asked = question
        self.continue_button.hide()
        self.answer.clear()
        self.answer.show()
        self.resize(520, 320)
        if self.kernel.model_info is None:
            self.status.setText(self.tr("No model is loaded: open one in LLMasOS first."))
            return
        self._request = self.kernel.chat(
            ask_messages(question, self.context),
            SamplingParams(max_tokens=512),
            owner=OWNER,
            priority=Priority.INTERACTIVE,
        )
        self.status.setText(self.tr("Working…"))

    def copy(self) -> None:
        """Put the answer on the clipboard (Ctrl+C)."""
        QGuiApplication.clipboard().setText(self.answer.toPlainText())
        self.status.setText(self.tr("Copied."))

    def request_continue(self) -> None:
        """*Continue in Chat*: hand over the question and its finished answer."""
        answer = self.answer.toPlainText()
        if self._request is not None or not self._asked or not answer.strip():
            return
        title = " ".join(self._asked.split())
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 1] + "…"
        prompt = ask_messages(self._asked, self.context)[0].content
        self.continue_requested.emit(title, prompt, answer)

    def state(self) -> dict[str, Any]:
        """What the box shows, for the single-instance ``state`` request."""
        return {
            "visible": self.isVisible(),
            "context": self.context,
            "question": self.question.text(),
            "answer": self.answer.toPlainText(),
            "busy": self._request is not None,
            "status": self.status.text(),
            "can_continue": not self.continue_button.isHidden(),
        }

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+C in the question copies the answer unless question text is selected."""
        if (
            watched is self.question
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
            and not self.question.hasSelectedText()
        ):
            self.copy()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:  # also when the window is not active
            self.close()
            return
        if (
            event.matches(QKeySequence.StandardKey.Copy)
            and not self.answer.textCursor().hasSelection()
        ):
            self.copy()
            return
        super().keyPressEvent(event)

    # -- kernel signals (GUI thread) -------------------------------------------------------
    def _on_tokens(self, request: int, text: str) -> None:
        if request == self._request:
            cursor = self.answer.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText(text)

    def _on_finished(self, request: int, _stats: object) -> None:
        if request == self._request:
            self._request = None
            self.answer.setPlainText(self.answer.toPlainText().strip())
            self.status.setText(self.tr("Done. Ctrl+C copies the answer, Esc closes."))
            self.continue_button.setVisible(bool(self.answer.toPlainText()))

    def _on_failed(self, request: int, failure: Any) -> None:
        if request == self._request:
            self._request = None
            self.status.setText(failure_text(failure))

    def _cancel(self) -> None:
        if self._request is not None:
            self.kernel.cancel(self._request)
        self._request = None

    def closeEvent(self, event: Any) -> None:
        self._cancel()
        super().closeEvent(event)
