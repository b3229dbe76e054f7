"""A collection's files and their state: :class:`FileList`.

Indexed files come from the index (status, passages, the error that stopped one); files
on disk that the index lacks or has an older copy of are found by a folder scan on a
worker thread and listed as waiting. Enter or a double click opens a file.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from llmasos.apps.gui.common.background import BackgroundRunner
from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.knowledge.problems import problem_text
from llmasos.errors import LLMasOSError
from llmasos.services.knowledge.indexer import scan
from llmasos.services.knowledge.store import EMPTY, ERROR, OK, FileRecord, KnowledgeStore

STATUS_TEXTS = {
    OK: QT_TRANSLATE_NOOP("KnowledgePage", "Indexed"),
    EMPTY: QT_TRANSLATE_NOOP("KnowledgePage", "No text"),
    ERROR: QT_TRANSLATE_NOOP("KnowledgePage", "Error"),
}
WAITING = "waiting"
FILE_ROLE = Qt.ItemDataRole.UserRole + 1


def pending(sources: tuple[str, ...], known: dict[str, tuple[int, int]]) -> list[str]:
    """Files on disk that the index lacks or has an older copy of (a worker thread)."""
    disk, _missing = scan(sources)
    return sorted(p for p, f in disk.items() if known.get(p) != (f.size, f.mtime_ns))


def _tr(text: str) -> str:
    """``text`` (marked where it is written) in the UI's language; the page's context."""
    return QCoreApplication.translate("KnowledgePage", text)


class FileList(QTreeWidget):
    """File, status and passages of one collection's files."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = BackgroundRunner(self, max_threads=1)
        self._shown: str | None = None
        self.setAccessibleName(
            QCoreApplication.translate("KnowledgePage", "Files of the collection")
        )
        self.setColumnCount(3)
        self.setHeaderLabels(
            [
                QCoreApplication.translate("KnowledgePage", "File"),
                QCoreApplication.translate("KnowledgePage", "Status"),
                QCoreApplication.translate("KnowledgePage", "Passages"),
            ]
        )
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 160)
        self.itemActivated.connect(self._open)

    def show_collection(self, store: KnowledgeStore, name: str | None) -> None:
        """List collection ``name``'s files (None: none), then mark those waiting."""
        self.clear()
        self._shown = name
        if name is None:
            return
        try:
            collection = store.collection(name)
        except LLMasOSError:
            return  # removed meanwhile
        records = store.files(collection.id)
        for record in records:
            self.addTopLevelItem(self._item(record))
        known = {r.path: (r.size, r.mtime_ns) for r in records}
        task = self._runner.run(lambda _ctx: pending(collection.sources, known), group="scan")
        task.succeeded.connect(lambda paths, n=name: self._show_waiting(n, paths))

    def states(self) -> dict[str, str]:
        """Each listed file's state (``ok``, ``empty``, ``error`` or ``waiting``), by path."""
        return {str(i.data(0, FILE_ROLE)): str(i.data(1, FILE_ROLE)) for i in self._items()}

    def shutdown(self) -> None:
        """Stop the folder scan (the page is closing)."""
        self._runner.shutdown()

    def _item(self, record: FileRecord) -> QTreeWidgetItem:
        status = _tr(STATUS_TEXTS[record.status])
        problem = record.problem
        if problem is not None:
            status = QCoreApplication.translate("KnowledgePage", "{status}: {error}").format(
                status=status, error=problem_text(problem)
            )
        chunks = str(record.chunks) if record.status == OK else ""
        item = QTreeWidgetItem([os.path.basename(record.path), status, chunks])
        item.setToolTip(0, record.path)
        item.setToolTip(1, status)
        item.setData(0, FILE_ROLE, record.path)
        item.setData(1, FILE_ROLE, record.status)
        return item

    def _show_waiting(self, name: str, paths: list[str]) -> None:
        if name != self._shown:
            return
        shown = {str(item.data(0, FILE_ROLE)): item for item in self._items()}
        waiting = QCoreApplication.translate("KnowledgePage", "Waiting to be indexed")
        for path in paths:
            item = shown.get(path)
            if item is None:
                item = QTreeWidgetItem([os.path.basename(path), waiting, ""])
                item.setToolTip(0, path)
                item.setData(0, FILE_ROLE, path)
                self.addTopLevelItem(item)
            else:
                item.setText(1, waiting)
            item.setToolTip(1, waiting)
            item.setData(1, FILE_ROLE, WAITING)

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _open(self, item: QTreeWidgetItem) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(item.data(0, FILE_ROLE))))


__all__ = ["FileList", "pending"]
