"""The tracked-changes view: a diff of the model's result, change by change.

Each change can be accepted (applied to the editor at once, as one undo step) or
rejected; *Accept all* applies every change still open as one undo step. The view
remembers where the original text sits in the editor and checks, before each edit,
that the text there is still what was diffed — if the person typed over it, the
change is refused with a message instead of editing the wrong place.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.tool_pages import button
from llmasos.apps.gui.common.tracked_changes import State, changes_html
from llmasos.services.text.diff import Change, TextDiff

__all__ = ["ChangesView", "State", "utf16_len"]


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what QTextCursor positions count)."""
    return len(text.encode("utf-16-le")) // 2


class ChangesView(QWidget):
    """Shows a :class:`TextDiff` and applies its changes to an editor.

    Lives on the GUI thread. ``base`` is the position (in Python characters) in the
    editor's text where ``diff.source`` starts.
    """

    finished = Signal()  # no change is open any more
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor: QPlainTextEdit | None = None
        self.diff: TextDiff | None = None
        self.base = 0
        self.states: list[State] = []
        self.view = QTextBrowser()
        self.view.setAccessibleName(self.tr("Tracked changes"))
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._on_link)
        self.summary = QLabel(self.tr("No changes to review."))
        self.summary.setWordWrap(True)
        self.accept_next_button = button(
            self.tr("&Accept"), self.tr("Accept the next change"), self.accept_next, "check"
        )
        self.reject_next_button = button(
            self.tr("Re&ject"), self.tr("Reject the next change"), self.reject_next, "close"
        )
        self.accept_all_button = button(
            self.tr("Accept a&ll"), self.tr("Accept all changes"), self._accept_all_clicked, "check"
        )
        self.reject_all_button = button(
            self.tr("Reject all"), self.tr("Reject all changes"), self.reject_all, "close"
        )
        row = QHBoxLayout()
        for b in (
            self.accept_next_button,
            self.reject_next_button,
            self.accept_all_button,
            self.reject_all_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._refresh()

    # -- setting up ------------------------------------------------------------
    def show_diff(self, diff: TextDiff, editor: QPlainTextEdit, base: int) -> None:
        """Review ``diff``, whose source starts at ``base`` in ``editor``'s text."""
        self.diff, self.editor, self.base = diff, editor, base
        self.states = [State.OPEN] * len(diff.changes)
        self._refresh()

    def clear(self) -> None:
        self.diff, self.editor, self.states = None, None, []
        self._refresh()

    def open_changes(self) -> list[int]:
        """Indexes of the changes not yet accepted or rejected."""
        return [i for i, s in enumerate(self.states) if s is State.OPEN]

    # -- accepting and rejecting ----------------------------------------------------
    def accept(self, index: int) -> bool:
        """Apply change ``index`` to the editor (one undo step). False if it could not."""
        if not self._is_open(index):
            return False
        cursor = self._begin()
        ok = self._apply(cursor, index)
        cursor.endEditBlock()
        self._refresh()
        return ok

    def reject(self, index: int) -> None:
        """Leave change ``index`` out."""
        if self._is_open(index):
            self.states[index] = State.REJECTED
            self._refresh()

    def accept_all(self) -> int:
        """Apply every open change as one undo step; return how many were applied."""
        if self.editor is None:
            return 0
        cursor = self._begin()
        # last first, so the positions of the earlier changes stay valid
        applied = sum(self._apply(cursor, i) for i in reversed(self.open_changes()))
        cursor.endEditBlock()
        self._refresh()
        return applied

    def _accept_all_clicked(self) -> None:
        self.accept_all()

    def reject_all(self) -> None:
        """Leave every open change out."""
        for i in self.open_changes():
            self.states[i] = State.REJECTED
        self._refresh()

    def accept_next(self) -> None:
        open_ = self.open_changes()
        if open_:
            self.accept(open_[0])

    def reject_next(self) -> None:
        open_ = self.open_changes()
        if open_:
            self.reject(open_[0])

    def _is_open(self, index: int) -> bool:
        return (
            self.diff is not None
            and 0 <= index < len(self.states)
            and (self.states[index] is State.OPEN)
        )

    def _begin(self) -> QTextCursor:
        assert self.editor is not None
        cursor = QTextCursor(self.editor.document())
        cursor.beginEditBlock()
        return cursor

    def _apply(self, cursor: QTextCursor, index: int) -> bool:
        """Replace change ``index``'s old text with its new text in the editor."""
        assert self.diff is not None and self.editor is not None
        change = self.diff.changes[index]
        start = self.base + change.start + self._shift_before(change)
        text = self.editor.toPlainText()
        if text[start : start + len(change.old)] != change.old:
            self.message.emit(
                self.tr(
                    "The text was edited since the changes were made, so this change "
                    "cannot be placed. Run the action again."
                )
            )
            return False
        cursor.setPosition(utf16_len(text[:start]))
        cursor.setPosition(
            utf16_len(text[: start + len(change.old)]), QTextCursor.MoveMode.KeepAnchor
        )
        cursor.insertText(change.new)
        self.states[index] = State.ACCEPTED
        return True

    def _shift_before(self, change: Change) -> int:
        """How far accepted changes before ``change`` moved its position."""
        assert self.diff is not None
        return sum(
            len(c.new) - len(c.old)
            for c, s in zip(self.diff.changes, self.states, strict=True)
            if s is State.ACCEPTED and c.start < change.start
        )

    # -- showing ---------------------------------------------------------------
    def _on_link(self, url: QUrl) -> None:
        verb, _, number = url.toString().partition(":")
        if number.isdigit():
            (self.accept if verb == "accept" else self.reject)(int(number))

    def _refresh(self) -> None:
        self.view.setHtml(self._html())
        n_open = len(self.open_changes())
        for b in (
            self.accept_next_button,
            self.reject_next_button,
            self.accept_all_button,
            self.reject_all_button,
        ):
            b.setEnabled(n_open > 0)
        if self.diff is None:
            self.summary.setText(self.tr("No changes to review."))
            return
        done = len(self.states) - n_open
        self.summary.setText(
            self.tr("{n} changes: {open} to review, {done} decided.").format(
                n=len(self.states), open=n_open, done=done
            )
            if self.states
            else self.tr("The result is the same as the text.")
        )
        if n_open == 0:
            self.finished.emit()

    def _html(self) -> str:
        return "" if self.diff is None else changes_html(self.diff, self.states)
