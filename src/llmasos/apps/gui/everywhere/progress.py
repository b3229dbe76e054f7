"""A running translation in the popup's answer: what the translator's events change.

The answer streams the chunk being translated as a preview; each chunk's
:class:`~llmasos.services.translation.service.ChunkTranslated` replaces the preview with
the chunk's final text. When a reply joined the source's lines (``keep_lines``), the
translator redoes the chunk one line at a time and streams nothing meanwhile
(:class:`~llmasos.services.translation.service.LineByLine`): the joined first attempt
stays readable but greyed, as a draft that is going away, and the status says which line
is being translated, until the chunk's lines replace it.

Runs on the GUI thread (the kernel's signals land there).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from llmasos.services.translation.service import (
    ChunkTranslated,
    LineByLine,
    TranslationDone,
    TranslationResult,
)


def working_text() -> str:
    """The popup's status while an action runs."""
    return QCoreApplication.translate("ActionPopup", "Working…")


def line_by_line_text(event: LineByLine) -> str:
    """The status while a chunk is translated again line by line: the line under way."""
    return QCoreApplication.translate(
        "ActionPopup", "Keeping the source's lines: translating line {n} of {total}…"
    ).format(n=min(event.done + 1, event.lines), total=event.lines)


class TranslationProgress:
    """The translator's events shown in ``answer`` (its tokens are appended by the popup).

    :meth:`on_event` returns the status to show, or None to leave it; :attr:`result` is
    the finished translation once :class:`TranslationDone` came.
    """

    def __init__(self, answer: QPlainTextEdit) -> None:
        self.answer = answer
        self.result: TranslationResult | None = None
        self.translated = ""  # the finished chunks so far
        self.is_redoing = False  # a chunk is being translated again line by line

    def reset(self) -> None:
        """A new translation starts (the answer was cleared)."""
        self.result, self.translated = None, ""
        self._redo(False)

    def on_event(self, event: object) -> str | None:
        """Show ``event``; the status it calls for (None: unchanged)."""
        if isinstance(event, ChunkTranslated):
            self.translated += event.text
            self.answer.setPlainText(self.translated)
            if self.is_redoing:
                self._redo(False)
                return working_text()  # the next chunk, if any, streams again
        elif isinstance(event, LineByLine):
            if not self.is_redoing:
                self._redo(True)
            return line_by_line_text(event)
        elif isinstance(event, TranslationDone):
            self.result = event.result
        return None

    def _redo(self, on: bool) -> None:
        """Grey the current chunk's streamed preview (``on``), or show the text plainly."""
        self.is_redoing = on
        if not on:
            self.answer.setExtraSelections([])
            return
        # the preview: what follows the finished chunks (an overlay, not the text's own
        # format, so nothing of it sticks to text inserted later)
        cursor = QTextCursor(self.answer.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        start = len(self.translated.encode("utf-16-le")) // 2  # Qt counts UTF-16 units
        cursor.setPosition(min(start, cursor.position()), QTextCursor.MoveMode.KeepAnchor)
        stale = QTextEdit.ExtraSelection()
        stale.cursor = cursor  # type: ignore[attr-defined]
        fmt = QTextCharFormat()
        fmt.setForeground(self.answer.palette().color(QPalette.ColorRole.PlaceholderText))
        stale.format = fmt  # type: ignore[attr-defined]
        self.answer.setExtraSelections([stale])

    def faded(self) -> str:
        """The greyed text (the stale first attempt), "" when none."""
        selections = self.answer.extraSelections()
        return selections[0].cursor.selectedText() if selections else ""  # type: ignore[attr-defined]
