"""The message view: one widget per message in a scroll area.

Streaming touches only the message being written (its own small document), so
the cost of showing a token does not grow with the length of the conversation.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.chat.markdown import MarkdownBrowser
from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.services.chat.conversations import FAILED, STOPPED, STREAMING, StoredMessage

ROLE_NAMES = {
    "user": QT_TRANSLATE_NOOP("MessageWidget", "You"),
    "assistant": QT_TRANSLATE_NOOP("MessageWidget", "Assistant"),
    "system": QT_TRANSLATE_NOOP("MessageWidget", "System"),
}
_STATUS_NOTES = {
    STOPPED: QT_TRANSLATE_NOOP("MessageWidget", "stopped"),
    FAILED: QT_TRANSLATE_NOOP("MessageWidget", "failed"),
    STREAMING: QT_TRANSLATE_NOOP("MessageWidget", "interrupted"),
}
INTERRUPTED_NOTE = QT_TRANSLATE_NOOP(
    "MessageWidget", "This answer was interrupted when LLMasOS closed unexpectedly."
)


def role_name(role: str) -> str:
    """Who wrote a message, in the UI language ("You", "Assistant", …)."""
    name = ROLE_NAMES.get(role)
    return QCoreApplication.translate("MessageWidget", name) if name else role


def stats_text(message: StoredMessage) -> str:
    """A message's generation figures, e.g. "42 tokens · 35.1 tokens/s"."""
    if message.role != "assistant" or not message.completion_tokens:
        return ""
    return QCoreApplication.translate(
        "MessageWidget", "{n} tokens · {tps:.1f} tokens/s · first token {ttft:.2f} s"
    ).format(n=message.completion_tokens, tps=message.tokens_per_s, ttft=message.ttft_s)


class MessageWidget(QFrame):
    """One message: who wrote it, the rendered text, its figures, Copy and Edit."""

    edit_requested = Signal(int)  # message id

    def __init__(
        self, message: StoredMessage, parent: QWidget | None = None, *, live: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"message-{message.role}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = message
        self.text = message.content
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold")
        self.body = MarkdownBrowser()
        self.body.setAccessibleName(self.tr("{role} message").format(role=role_name(message.role)))
        self.footer = QLabel()
        self.footer.setStyleSheet("color: gray")
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setAccessibleName(self.tr("Copy message"))
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.header)
        row.addStretch(1)
        if message.role == "user":
            self.edit_button = QPushButton(self.tr("Edit"))
            self.edit_button.setAccessibleName(self.tr("Edit and resend"))
            self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.message.id))
            row.addWidget(self.edit_button)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(row)
        layout.addWidget(self.body)
        layout.addWidget(self.footer)
        self.set_message(message, live=live)

    def set_message(self, message: StoredMessage, *, live: bool = False) -> None:
        """Show ``message`` (``live``: it is being written right now; a ``streaming``
        message that is not was cut off when the app closed, and says so)."""
        self.message = message
        note = "" if live else _STATUS_NOTES.get(message.status, "")
        name = role_name(message.role)
        if note:
            name = self.tr("{name} ({note})").format(
                name=name, note=QCoreApplication.translate("MessageWidget", note)
            )
        self.header.setText(name)
        interrupted = message.status == STREAMING and not live
        notice = QCoreApplication.translate("MessageWidget", INTERRUPTED_NOTE)
        footer = notice if interrupted and message.content else stats_text(message)
        self.footer.setText(footer)
        self.footer.setVisible(bool(footer))
        self.set_text(message.content)
        if interrupted and not message.content:
            self.body.set_markdown(f"*{notice}*")  # shown instead of an empty box

    def set_text(self, text: str) -> None:
        """Replace the shown text (Markdown)."""
        self.text = text
        self.body.set_markdown(text)

    def append(self, text: str) -> None:
        """Add streamed text to the end."""
        self.set_text(self.text + text)

    def copy(self) -> None:
        """Put the message's Markdown on the clipboard."""
        QGuiApplication.clipboard().setText(self.text)


class MessageView(QScrollArea):
    """The conversation's messages, newest at the bottom; follows the end while streaming."""

    edit_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Conversation"))
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._box = QWidget()
        self._layout = QVBoxLayout(self._box)
        self._layout.addStretch(1)
        self.setWidget(self._box)
        self.widgets: list[MessageWidget] = []
        self.cut_marker = QLabel(
            self.tr("Earlier messages are left out: they no longer fit the model's context.")
        )
        self.cut_marker.setAccessibleName(self.tr("Context cut"))
        self.cut_marker.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cut_marker.setStyleSheet("color: gray; border-top: 1px dashed gray")
        self.cut_marker.hide()
        self._follow = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range)
        bar.valueChanged.connect(lambda v: setattr(self, "_follow", v >= bar.maximum() - 4))

    def set_messages(
        self,
        messages: list[StoredMessage],
        cut_id: int | None = None,
        live_ids: Collection[int] = (),
    ) -> None:
        """Show these messages instead of the current ones (``live_ids``: the replies
        being written now; other ``streaming`` ones are shown as interrupted)."""
        for w in self.widgets:
            self._layout.removeWidget(w)
            w.deleteLater()
        self.widgets = []
        self.cut_marker.hide()
        for m in messages:
            self.add_message(m, live=m.id in live_ids)
        self.set_cut(cut_id)
        self._follow = True

    def add_message(self, message: StoredMessage, *, live: bool = False) -> MessageWidget:
        """Append one message (``live``: a reply being written now)."""
        widget = MessageWidget(message, live=live)
        widget.edit_requested.connect(self.edit_requested)
        self._layout.insertWidget(self._layout.count() - 1, widget)
        self.widgets.append(widget)
        return widget

    def widget_for(self, message_id: int) -> MessageWidget | None:
        """The widget of a message, if it is shown."""
        return next((w for w in self.widgets if w.message.id == message_id), None)

    def append_to_last(self, text: str) -> None:
        """Stream ``text`` into the last message (only that widget changes)."""
        if self.widgets:
            self.widgets[-1].append(text)

    def set_cut(self, message_id: int | None) -> None:
        """Show the "left out" marker above ``message_id`` (None: hide it)."""
        widget = self.widget_for(message_id) if message_id is not None else None
        self._layout.removeWidget(self.cut_marker)
        if widget is None:
            self.cut_marker.hide()
            return
        self._layout.insertWidget(self._layout.indexOf(widget), self.cut_marker)
        self.cut_marker.show()

    def scroll_to(self, message_id: int) -> bool:
        """Bring a message into view (a search result); False if it is not shown."""
        widget = self.widget_for(message_id)
        if widget is None:
            return False
        self._follow = False
        self._box.adjustSize()
        self.ensureWidgetVisible(widget, 0, 0)
        widget.setFocus()
        return True

    def toPlainText(self) -> str:
        """The conversation as text: "You: …" and "Assistant: …" paragraphs."""
        return "\n\n".join(
            self.tr("{role}: {text}").format(role=role_name(w.message.role), text=w.text)
            for w in self.widgets
        )

    def _on_range(self, _lo: int, hi: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(hi)
