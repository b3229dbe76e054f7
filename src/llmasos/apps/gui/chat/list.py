"""The conversation list: newest first, pinned on top, with search across all messages."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.icons import ui_icon
from llmasos.services.chat.conversations import Conversation, SearchHit

CONV_ROLE = Qt.ItemDataRole.UserRole
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1


class _FitWidth(QStyledItemDelegate):
    """Rows as wide as the list, not as their text: a long title ends in "…" instead of
    widening the rows (and scrolling the list sideways)."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(1, super().sizeHint(option, index).height())


class ConversationList(QWidget):
    """Lists conversations or, while the search box has text, the matching messages."""

    opened = Signal(int, int)  # conversation id, message id to show (0: the end)
    new_requested = Signal()
    rename_requested = Signal(int)
    delete_requested = Signal(int)
    pin_toggled = Signal(int)
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new_button = QPushButton(self.tr("&New chat"))
        self.new_button.setAccessibleName(self.tr("New conversation"))
        self.new_button.setIcon(ui_icon("new"))
        self.new_button.clicked.connect(self.new_requested)
        self.search = QLineEdit()
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.search.setPlaceholderText(self.tr("Search all conversations"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.search_changed)
        self.items = QListWidget()
        self.items.setAccessibleName(self.tr("Conversations"))
        self.items.setItemDelegate(_FitWidth(self.items))
        self.items.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items.itemActivated.connect(self._open)
        self.items.itemClicked.connect(self._open)
        self.items.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.items.customContextMenuRequested.connect(self._menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.items, 1)

    def show_conversations(self, conversations: list[Conversation], current: int | None) -> None:
        """List ``conversations`` in the order given and select ``current``."""
        self.items.clear()
        for conv in conversations:
            item = QListWidgetItem(("📌 " if conv.pinned else "") + conv.title)
            item.setData(CONV_ROLE, conv.id)
            item.setData(MESSAGE_ROLE, 0)
            item.setToolTip(conv.title)
            self.items.addItem(item)
            if conv.id == current:
                self.items.setCurrentItem(item)

    def show_hits(self, hits: list[SearchHit]) -> None:
        """List search results; activating one opens its message."""
        self.items.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}\n{hit.snippet}")
            item.setData(CONV_ROLE, hit.conversation_id)
            item.setData(MESSAGE_ROLE, hit.message_id)
            self.items.addItem(item)
        if not hits:
            placeholder = QListWidgetItem(self.tr("No messages match."))
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.items.addItem(placeholder)

    def _open(self, item: QListWidgetItem) -> None:
        conv_id = item.data(CONV_ROLE)
        if conv_id is not None:
            self.opened.emit(int(conv_id), int(item.data(MESSAGE_ROLE) or 0))

    def _menu(self, pos: QPoint) -> None:
        item = self.items.itemAt(pos)
        if item is None or item.data(CONV_ROLE) is None:
            return
        conv_id = int(item.data(CONV_ROLE))
        menu = QMenu(self)
        menu.addAction(self.tr("Rename…"), lambda: self.rename_requested.emit(conv_id))
        menu.addAction(self.tr("Pin / unpin"), lambda: self.pin_toggled.emit(conv_id))
        menu.addAction(self.tr("Delete"), lambda: self.delete_requested.emit(conv_id))
        menu.exec(self.items.mapToGlobal(pos))
