"""The Chat page: a conversation with the assistant."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from llmasos.foundation.engine import ChatMessage, SamplingParams
from llmasos.kernel.kernel import Kernel

from .tool_pages import ToolPage, button, editor


class ChatPage(ToolPage):
    """A conversation with the assistant (kept in memory for this window)."""

    tool = "chat"

    def __init__(self, kernel: Kernel, params: Callable[[], SamplingParams],
                 parent: QWidget | None = None) -> None:
        super().__init__(kernel, params, parent)
        self.history: list[ChatMessage] = []
        self._reply = ""
        self.transcript = editor("Conversation", "The conversation appears here.", read_only=True)
        self.input = editor("Message", "Type a message. Ctrl+Enter sends, Esc stops.")
        self.input.setMaximumHeight(120)
        self.send_button = button("&Send", "Send message", self.submit)
        self.stop_button = button("S&top", "Stop generating", self.stop)
        self.stop_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.stop_button)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.input)
        layout.addLayout(row)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.stop)
        self.busy_changed.connect(self._set_busy)

    def _set_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    def submit(self) -> None:
        """Send the typed message (nothing happens while a reply is being written)."""
        text = self.input.toPlainText().strip()
        if not text or self.request_id is not None:
            return
        self.input.clear()
        self.history.append(ChatMessage("user", text))
        self._reply = ""
        self.transcript.appendPlainText(f"You: {text}\n\nAssistant: ")
        self.send(list(self.history))

    def append_output(self, text: str) -> None:
        self._reply += text
        cursor = self.transcript.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def request_done(self) -> None:
        if self._reply:
            self.history.append(ChatMessage("assistant", self._reply))
        elif self.history and self.history[-1].role == "user":
            self.input.setPlainText(self.history.pop().content)  # nothing lost
        self.transcript.appendPlainText("")
