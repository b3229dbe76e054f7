"""Widgets of the Translate page: language pickers, glossary editor, history panel.

All run on the GUI thread.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.language_names import language_label
from llmasos.services.text.language import LANGUAGES, find_language
from llmasos.services.translation.glossary import GlossaryEntry
from llmasos.services.translation.store import HistoryEntry, TranslationStore

AUTO = "auto"


class LanguagePicker(QComboBox):
    """A language list you can type into: any part of a name or code finds it."""

    def __init__(
        self, name: str, *, with_auto: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if with_auto:
            self.addItem(self.tr("Detect language"), AUTO)
        for lang in LANGUAGES:
            self.addItem(language_label(lang.code), lang.code)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.setMinimumContentsLength(18)
        self.currentIndexChanged.connect(self._show_start)

    def _show_start(self) -> None:
        """Show a chosen name from its start (a line edit shows the end of a long text,
        "…Chinese (zh-Hans)"); the whole name is in the tooltip."""
        edit = self.lineEdit()
        if edit is not None and not edit.hasFocus():
            edit.setCursorPosition(0)
        self.setToolTip(self.currentText())

    def code(self) -> str:
        """The chosen language code ("auto" for detection)."""
        index = self.findText(self.currentText(), Qt.MatchFlag.MatchFixedString)
        if index < 0:  # typed text: a code or a name
            lang = find_language(self.currentText())
            index = self.findData(lang.code) if lang else self.currentIndex()
        data = self.itemData(index if index >= 0 else self.currentIndex())
        return str(data)

    def set_code(self, code: str) -> bool:
        """Select ``code``; False when it is not in the list."""
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)
        return index >= 0


class GlossaryDialog(QDialog):
    """Edit the glossary of one language pair: a two-column table."""

    def __init__(
        self, store: TranslationStore, source: str, target: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store, self.source, self.target = store, source, target
        self.setWindowTitle(
            self.tr("Glossary: {source} → {target}").format(
                source=language_label(source), target=language_label(target)
            )
        )
        self.table = QTableWidget(0, 2, self)
        self.table.setAccessibleName(self.tr("Glossary terms"))
        self.table.setHorizontalHeaderLabels([self.tr("Term"), self.tr("Translation")])
        self.table.horizontalHeader().setStretchLastSection(True)
        for entry in store.glossary(source, target):
            self.add_row(entry.term, entry.translation)
        add = QPushButton(self.tr("&Add term"))
        add.clicked.connect(lambda: self.add_row("", ""))
        add.setIcon(ui_icon("new"))
        remove = QPushButton(self.tr("&Remove term"))
        remove.clicked.connect(self._remove_selected)
        remove.setIcon(ui_icon("delete"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Terms are used only when the text contains them.")))
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(480, 360)

    def add_row(self, term: str, translation: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(term))
        self.table.setItem(row, 1, QTableWidgetItem(translation))

    def _remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def entries(self) -> list[GlossaryEntry]:
        """The table's rows as entries (incomplete rows are left out)."""
        out = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, col) for col in (0, 1)]
            term, translation = (c.text().strip() if c else "" for c in cells)
            if term and translation:
                out.append(GlossaryEntry(term, translation))
        return out

    def save(self) -> None:
        """Store the table as the pair's glossary and close."""
        self.store.set_glossary(self.source, self.target, self.entries())
        self.accept()


class HistoryPanel(QWidget):
    """Past translations, newest first, with a search box; picking one emits ``chosen``."""

    chosen = Signal(object)  # HistoryEntry

    def __init__(self, store: TranslationStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.search = QLineEdit()
        self.search.setAccessibleName(self.tr("Search history"))
        self.search.setPlaceholderText(self.tr("Search past translations"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("History"))
        self.list.itemActivated.connect(self._activate)
        self.list.itemClicked.connect(self._activate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)

    def refresh(self) -> None:
        """Reload the list for the current search text."""
        self.list.clear()
        for entry in self.store.search(self.search.text().strip(), limit=200):
            when = time.strftime("%m-%d %H:%M", time.localtime(entry.created))
            first = entry.source.strip().splitlines()[0] if entry.source.strip() else ""
            item = QListWidgetItem(f"{when}  {entry.source_lang}→{entry.target_lang}  {first[:60]}")
            item.setData(Qt.ItemDataRole.UserRole, entry)
            item.setToolTip(entry.result[:500])
            self.list.addItem(item)

    def _activate(self, item: QListWidgetItem) -> None:
        entry = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(entry, HistoryEntry):
            self.chosen.emit(entry)
