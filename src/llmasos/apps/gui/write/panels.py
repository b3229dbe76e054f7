"""Side panels of the Write page: the summary panel and the history of actions."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.tool_pages import button, editor
from llmasos.apps.gui.common.writing_names import action_label, tone_label
from llmasos.services.writing.service import WriteRequest

HISTORY_SIZE = 50


class SummaryPanel(QWidget):
    """A summary or key points beside the text, with Copy and Insert."""

    insert_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = editor(
            self.tr("Summary"), self.tr("Summaries and key points appear here."), read_only=True
        )
        self.copy_button = button(self.tr("&Copy"), self.tr("Copy the summary"), self.copy, "copy")
        self.insert_button = button(
            self.tr("&Insert"),
            self.tr("Insert the summary into the text"),
            lambda: self.insert_requested.emit(self.text.toPlainText()),
            "import",
        )
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.insert_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)

    def show_text(self, text: str) -> None:
        self.text.setPlainText(text)

    def copy(self) -> None:
        """Put the summary on the clipboard."""
        QGuiApplication.clipboard().setText(self.text.toPlainText())


@dataclass(frozen=True)
class HistoryEntry:
    """One finished action: what was asked, on which text, and what came back."""

    request: WriteRequest
    result: str

    def title(self) -> str:
        spec = self.request.spec
        tone = f" ({tone_label(self.request.tone)})" if spec.name == "rewrite" else ""
        label = action_label(spec.label) + tone
        words = " ".join(self.request.text.split())
        return f"{label}: {words[:48]}{'…' if len(words) > 48 else ''}"


class HistoryPanel(QWidget):
    """The last :data:`HISTORY_SIZE` actions, newest first, with Re-apply."""

    reapply_requested = Signal(object)  # the HistoryEntry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: deque[HistoryEntry] = deque(maxlen=HISTORY_SIZE)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("History"))
        self.list.itemActivated.connect(lambda _item: self.reapply())
        self.reapply_button = button(
            self.tr("Re-&apply"),
            self.tr("Run the selected action again on the current text"),
            self.reapply,
            "regenerate",
        )
        self.copy_button = button(
            self.tr("Copy result"), self.tr("Copy the selected result"), self.copy_result, "copy"
        )
        row = QHBoxLayout()
        row.addWidget(self.reapply_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)

    def add(self, entry: HistoryEntry) -> None:
        """Record ``entry`` as the newest; the oldest beyond the limit is dropped."""
        self.entries.appendleft(entry)
        item = QListWidgetItem(entry.title())
        item.setToolTip(
            self.tr("Input:\n{input}\n\nResult:\n{result}").format(
                input=entry.request.text[:400], result=entry.result[:400]
            )
        )
        self.list.insertItem(0, item)
        while self.list.count() > HISTORY_SIZE:
            self.list.takeItem(self.list.count() - 1)
        self.list.setCurrentRow(0)

    def selected(self) -> HistoryEntry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def reapply(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.reapply_requested.emit(entry)

    def copy_result(self) -> None:
        entry = self.selected()
        if entry is not None:
            QGuiApplication.clipboard().setText(entry.result)
