"""Find in the conversation: every match highlighted in the messages, F3 / Shift+F3
(or Enter / Shift+Enter in the box) to go from one to the next.

Matches are found in the text as shown (the Markdown rendered: ``**bold**`` matches
"bold"), ignoring case, as plain substrings, so Chinese words match without spaces
around them. Highlights are the text views' *extra selections*: they change neither the
documents nor their layout, so finding costs nothing while a reply streams. Opening a
hit of the conversation list's search fills the box with that search.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

from llmasos.apps.gui.chat.bubble import MessageWidget
from llmasos.apps.gui.chat.view import MessageView
from llmasos.apps.gui.common.icons import ui_icon

HIT_BACKGROUND = QColor("#ffe08a")  # every match: a marker-pen yellow …
CURRENT_BACKGROUND = QColor("#ff9f1c")  # … and the one F3 went to, orange
HIT_TEXT = QColor("#000000")  # dark text on both, readable in the dark theme too


def find_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` occurs in ``text``, ignoring case: (start, end) in UTF-16 units
    (the positions of a ``QTextDocument``), without overlaps, in order."""
    if not query:
        return []
    fold = _fold(text)
    needle = _fold(query)
    spans: list[tuple[int, int]] = []
    start = fold.find(needle)
    while start >= 0:
        end = start + len(needle)
        spans.append((_utf16(text, start), _utf16(text, end)))
        start = fold.find(needle, end)
    return spans


def _fold(text: str) -> str:
    """Lower case, one character for one (so positions stay those of ``text``)."""
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def _utf16(text: str, index: int) -> int:
    """The UTF-16 position of code point ``index`` (emoji take two units)."""
    head = text[:index]
    return index + sum(1 for c in head if ord(c) > 0xFFFF)


@dataclass(frozen=True)
class Hit:
    """One match: the message showing it and its span in that message's document."""

    message_id: int
    start: int
    end: int


class FindBar(QWidget):
    """The find box above the messages, its count and its buttons (hidden until Ctrl+F)."""

    def __init__(self, view: MessageView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.hits: list[Hit] = []
        self.current = -1
        self.box = QLineEdit()
        self.box.setAccessibleName(self.tr("Find in conversation"))
        self.box.setPlaceholderText(self.tr("Find in this conversation"))
        self.box.setClearButtonEnabled(True)
        self.box.addAction(ui_icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.box.textChanged.connect(lambda _t: self.search())
        self.box.installEventFilter(self)
        self.count = QLabel()
        self.count.setAccessibleName(self.tr("Matches"))
        self.previous_button = self._button("up", self.tr("Previous match (Shift+F3)"))
        self.previous_button.clicked.connect(self.previous)
        self.next_button = self._button("down", self.tr("Next match (F3)"))
        self.next_button.clicked.connect(self.next)
        self.close_button = self._button("close", self.tr("Close find (Esc)"))
        self.close_button.clicked.connect(self.close_bar)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box, 1)
        for w in (self.count, self.previous_button, self.next_button, self.close_button):
            row.addWidget(w)
        view.changed.connect(self._on_messages_changed)
        self.hide()

    def _button(self, icon: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(ui_icon(icon))
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        return button

    def install_shortcuts(self, page: QWidget) -> None:
        """Ctrl+F, F3 and Shift+F3 while the focus is anywhere on ``page``."""
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self.open_bar),
            (QKeySequence(Qt.Key.Key_F3), self.next),
            (QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_F3), self.previous),
        ):
            shortcut = QShortcut(keys, page, slot)  # type: ignore[call-overload]
            shortcut.setContext(context)

    # -- commands ---------------------------------------------------------------------
    def open_bar(self) -> None:
        """Show the bar with its text selected (Ctrl+F)."""
        self.show()
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()
        self.search()

    def close_bar(self) -> None:
        """Hide the bar and the highlights (Esc in the box)."""
        self.hide()
        self.hits, self.current = [], -1
        for widget in self.view.widgets:
            widget.body.setExtraSelections([])

    def search_for(self, query: str, message_id: int = 0) -> None:
        """Show the bar finding ``query``, on its first match in ``message_id`` if any."""
        self.show()
        self.box.setText(query)  # searches
        first = next((i for i, h in enumerate(self.hits) if h.message_id == message_id), None)
        if first is not None:
            self._go(first)

    def next(self) -> None:
        """Go to the next match (F3, Enter), after the last back to the first."""
        self._step(1)

    def previous(self) -> None:
        """Go to the previous match (Shift+F3, Shift+Enter)."""
        self._step(-1)

    def search(self) -> None:
        """Find the box's text in every shown message and highlight the matches."""
        query = "" if self.isHidden() else self.box.text()
        old = self.hits[self.current] if 0 <= self.current < len(self.hits) else None
        self.hits = []
        for widget in self.view.widgets:
            spans = find_spans(widget.body.document().toRawText(), query)
            self.hits += [Hit(widget.message.id, a, b) for a, b in spans]
        self.current = self.hits.index(old) if old in self.hits else -1
        if self.current < 0 and self.hits:
            self.current = 0
        self._paint()

    # -- inside -----------------------------------------------------------------------
    def _step(self, delta: int) -> None:
        if self.isHidden():
            self.open_bar()
            return
        self.search()  # the streamed reply may have new matches
        if self.hits:
            self._go((self.current + delta) % len(self.hits))

    def _go(self, index: int) -> None:
        self.current = index
        self._paint()
        hit = self.hits[index]
        widget = self.view.widget_for(hit.message_id)
        if widget is not None:
            cursor = QTextCursor(widget.body.document())
            cursor.setPosition(hit.start)
            self.view.reveal(widget.body.viewport(), widget.body.cursorRect(cursor))

    def _paint(self) -> None:
        by_message: dict[int, list[QTextEdit.ExtraSelection]] = {}
        for i, hit in enumerate(self.hits):
            widget = self.view.widget_for(hit.message_id)
            if widget is not None:
                by_message.setdefault(hit.message_id, []).append(
                    _selection(widget, hit, current=i == self.current)
                )
        for widget in self.view.widgets:
            widget.body.setExtraSelections(by_message.get(widget.message.id, []))
        if not self.box.text():
            self.count.setText("")
        elif not self.hits:
            self.count.setText(self.tr("No match"))
        else:
            self.count.setText(
                self.tr("{n} of {total}").format(n=self.current + 1, total=len(self.hits))
            )

    def _on_messages_changed(self) -> None:
        if not self.isHidden():
            self.search()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # GUI thread
        """Enter / Shift+Enter go through the matches; Esc closes (not Stop) in the box."""
        if watched is self.box and isinstance(event, QKeyEvent):
            key = event.key()
            if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
                event.accept()  # the page's Esc (Stop) waits: Esc here closes the bar
                return True
            if event.type() == QEvent.Type.KeyPress:
                if key == Qt.Key.Key_Escape:
                    self.close_bar()
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                    self._step(-1 if shift else 1)
                    return True
        return super().eventFilter(watched, event)


def _selection(widget: MessageWidget, hit: Hit, *, current: bool) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    cursor = QTextCursor(widget.body.document())
    cursor.setPosition(hit.start)
    cursor.setPosition(hit.end, QTextCursor.MoveMode.KeepAnchor)
    selection.cursor = cursor  # type: ignore[attr-defined]
    fmt = selection.format  # type: ignore[attr-defined]
    fmt.setBackground(CURRENT_BACKGROUND if current else HIT_BACKGROUND)
    fmt.setForeground(HIT_TEXT)
    selection.format = fmt  # type: ignore[attr-defined]
    return selection
