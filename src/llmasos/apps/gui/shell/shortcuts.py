"""The keyboard shortcuts, in one table: Help → Keyboard shortcuts shows it, and the
README's table is checked against it (``tests/apps/test_keyboard.py``).

The keys are written as the README writes them (not as ``QKeySequence`` strings:
"Ctrl+1 … Ctrl+6" stands for six shortcuts). The descriptions are marked for
translation in the "Shortcuts" context and translated when shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP


@dataclass(frozen=True)
class Shortcut:
    """One row of the table: the keys and what they do (English source text)."""

    keys: str
    action: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut(
        "Ctrl+1 … Ctrl+6",
        QT_TRANSLATE_NOOP("Shortcuts", "Chat, Write, Translate, Knowledge, Models, Settings"),
    ),
    Shortcut(
        "Ctrl+Shift+1 … 4",
        QT_TRANSLATE_NOOP("Shortcuts", "a new Chat, Write, Translate or Knowledge window"),
    ),
    Shortcut("Ctrl+N", QT_TRANSLATE_NOOP("Shortcuts", "a new chat")),
    Shortcut(
        "Enter / Shift+Enter",
        QT_TRANSLATE_NOOP(
            "Shortcuts",
            "send the message / start a new line (Chat; swapped when “Enter sends” is off)",
        ),
    ),
    Shortcut("Ctrl+Enter", QT_TRANSLATE_NOOP("Shortcuts", "send / run / translate")),
    Shortcut(
        "Esc", QT_TRANSLATE_NOOP("Shortcuts", "stop the current answer (the text so far is kept)")
    ),
    Shortcut(
        "Ctrl+Shift+D",
        QT_TRANSLATE_NOOP("Shortcuts", "documents to answer from, with citations (Chat)"),
    ),
    Shortcut("Ctrl+O", QT_TRANSLATE_NOOP("Shortcuts", "open a GGUF file")),
    Shortcut("Ctrl+Shift+S", QT_TRANSLATE_NOOP("Shortcuts", "swap languages (Translate)")),
    Shortcut(
        "Ctrl+Shift+A / Ctrl+Shift+R",
        QT_TRANSLATE_NOOP("Shortcuts", "accept / reject all changes (Write)"),
    ),
    Shortcut("Alt+1 … Alt+8", QT_TRANSLATE_NOOP("Shortcuts", "pick a writing action (Write)")),
    Shortcut(
        "Ctrl+Shift+V",
        QT_TRANSLATE_NOOP("Shortcuts", "run the writing action on the clipboard (Write)"),
    ),
    Shortcut("Ctrl+S", QT_TRANSLATE_NOOP("Shortcuts", "apply settings (on the Settings page)")),
    Shortcut(
        "Ctrl+F / F5 / Delete",
        QT_TRANSLATE_NOOP(
            "Shortcuts", "search box / re-index / remove the collection chosen (Knowledge)"
        ),
    ),
    Shortcut(
        "Ctrl+K", QT_TRANSLATE_NOOP("Shortcuts", "ask a question of your documents (Knowledge)")
    ),
    Shortcut(
        "Ctrl+F / F3 / Shift+F3",
        QT_TRANSLATE_NOOP("Shortcuts", "find in the conversation / next / previous match (Chat)"),
    ),
    Shortcut(
        "Alt + underlined letter",
        QT_TRANSLATE_NOOP("Shortcuts", "press that button or go to that field"),
    ),
    Shortcut("Tab / Shift+Tab", QT_TRANSLATE_NOOP("Shortcuts", "next / previous control")),
    Shortcut("F1", QT_TRANSLATE_NOOP("Shortcuts", "this list of keyboard shortcuts")),
    Shortcut(
        "Ctrl+Q",
        QT_TRANSLATE_NOOP("Shortcuts", "quit (running work is cancelled, the model unloaded)"),
    ),
)


def shortcut_rows() -> list[tuple[str, str]]:
    """The table as shown: keys and the translated description (GUI thread)."""
    return [(s.keys, QCoreApplication.translate("Shortcuts", s.action)) for s in SHORTCUTS]


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: a read-only table a screen reader can walk."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows = shortcut_rows()
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, (keys, action) in enumerate(rows):
            for column, text in enumerate((keys, action)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(620, 480)


__all__ = ["SHORTCUTS", "Shortcut", "ShortcutsDialog", "shortcut_rows"]
