"""The message view: one bubble per message in a scroll area.

Streaming touches only the message being written (its own small document), so
the cost of showing a token does not grow with the length of the conversation.
The bubbles themselves (and their hover actions) are in :mod:`.bubble`.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QVBoxLayout, QWidget

from llmasos.apps.gui.chat.bubble import MessageWidget, role_name, stats_text
from llmasos.services.chat.conversations import StoredMessage

__all__ = ["MessageView", "MessageWidget", "role_name", "stats_text"]


class MessageView(QScrollArea):
    """The conversation's messages, newest at the bottom; follows the end while streaming."""

    edit_requested = Signal(int)  # message id
    regenerate_requested = Signal(int)  # message id of the last reply
    changed = Signal()  # messages were shown or added (not emitted per streamed token)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Conversation"))
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._box = QWidget()
        self._box.setBackgroundRole(QPalette.ColorRole.Window)  # the bubbles stand out on it
        self._layout = QVBoxLayout(self._box)
        self._layout.setSpacing(10)
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
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus)

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
        self.changed.emit()

    def add_message(self, message: StoredMessage, *, live: bool = False) -> MessageWidget:
        """Append one message (``live``: a reply being written now)."""
        widget = MessageWidget(message, live=live)
        widget.edit_requested.connect(self.edit_requested)
        widget.regenerate_requested.connect(self.regenerate_requested)
        self._layout.insertWidget(self._layout.count() - 1, widget)
        if self.widgets:
            self.widgets[-1].set_can_regenerate(False)
        widget.set_can_regenerate(message.role == "assistant")
        self.widgets.append(widget)
        self.changed.emit()
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

    def reveal(self, inside: QWidget, rect: QRect) -> None:
        """Scroll so that ``rect`` (in ``inside``'s coordinates, e.g. a found word in a
        message's text) is in view, with some room around it; stop following the end."""
        self._follow = False
        self._box.adjustSize()
        centre = inside.mapTo(self._box, rect.center())
        self.ensureVisible(centre.x(), centre.y(), 0, max(40, self.viewport().height() // 4))

    def toPlainText(self) -> str:
        """The conversation as text: "You: …" and "Assistant: …" paragraphs."""
        return "\n\n".join(
            self.tr("{role}: {text}").format(role=role_name(w.message.role), text=w.text)
            for w in self.widgets
        )

    def _on_focus(self, old: QWidget | None, new: QWidget | None) -> None:  # GUI thread
        """Show the actions of the message the keyboard focus entered, hide the left one's."""
        for w in {_message_of(old), _message_of(new)} - {None}:
            assert w is not None
            w.focus_changed()

    def _on_range(self, _lo: int, hi: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(hi)


def _message_of(widget: QWidget | None) -> MessageWidget | None:
    """The message bubble holding ``widget``, if any."""
    while widget is not None and not isinstance(widget, MessageWidget):
        widget = widget.parentWidget()
    return widget
