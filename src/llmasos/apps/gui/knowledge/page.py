"""The Knowledge page: collections of documents, their files, indexing, search and answers.

A view over the app's one :class:`~llmasos.apps.gui.knowledge.service.KnowledgeService`:
indexing goes on in the background whether or not the page is shown, and every page
(the main window's, a Knowledge window) shows the same collections and progress.
Searches run on the kernel's worker (the query is embedded by the same model as the
passages); their passages come back ranked. Questions are answered from the documents
with clickable citations (:class:`~llmasos.apps.gui.knowledge.ask.AskPanel`). All methods
run on the GUI thread.

Keys: Ctrl+F search box, Ctrl+K question box, Enter search or ask (or open the passage
chosen), Esc stop the answer, F5 re-index the collection chosen, Delete remove it,
Alt+underlined letters the buttons.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.flow import FlowLayout
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import error_text, failure_text
from llmasos.apps.gui.knowledge.ask import AskPanel
from llmasos.apps.gui.knowledge.files import FileList
from llmasos.apps.gui.knowledge.passages import PassageList
from llmasos.apps.gui.knowledge.progress import IndexingBar
from llmasos.apps.gui.knowledge.service import KnowledgeService
from llmasos.errors import LLMasOSError
from llmasos.kernel.kernel import Failure
from llmasos.services.knowledge.indexer import FileChanged, SyncSummary
from llmasos.services.knowledge.store import Collection

SEARCH_RESULTS = 10
FILES_REFRESH_MS = 300  # file-list refreshes while indexing, at most this often


def _button(text: str, name: str, tip: str, icon: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    if icon:
        button.setIcon(ui_icon(icon))
    return button


class KnowledgePage(QWidget):
    """Collections, their files with status, indexing progress, and passage search."""

    tool = "knowledge"

    def __init__(self, service: KnowledgeService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.indexer = service.indexer
        self._search_id: int | None = None
        self._query = ""
        self._files_timer = QTimer(self)
        self._files_timer.setSingleShot(True)
        self._files_timer.setInterval(FILES_REFRESH_MS)
        self._files_timer.timeout.connect(self.refresh_files)
        self._build()
        self._connect()
        self.refresh()
        if service.problem_text:
            self._show_problem(service.problem_text)

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.empty_label = QLabel(
            self.tr(
                "Add a folder to search your documents. Its files (text, Markdown, PDF, "
                "Word, HTML, code) are indexed in the background and kept up to date while "
                "LLMasOS runs."
            )
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName(self.tr("No collections yet"))
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #d32f2f;")
        self.problem_label.setAccessibleName(self.tr("Problem"))
        self.problem_label.hide()
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self._collections_box())
        top.addWidget(self._files_box())
        top.setStretchFactor(1, 2)
        top.setChildrenCollapsible(False)
        bottom = QWidget()
        column = QVBoxLayout(bottom)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._search_row())
        self.results_status = QLabel()
        self.results_status.setWordWrap(True)
        self.results_status.setAccessibleName(self.tr("Search status"))
        column.addWidget(self.results_status)
        self.results = PassageList()
        column.addWidget(self.results, 1)
        self.ask_panel = AskPanel(self.service.indexer)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Search or ask"))
        self.tabs.tabBar().setAccessibleName(self.tr("Search or ask"))
        self.tabs.addTab(bottom, self.tr("Search passages"))
        self.tabs.addTab(self.ask_panel, self.tr("Ask a question"))
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(self.tabs)
        body.setStretchFactor(1, 1)
        body.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(body, 1)
        self.indexing = IndexingBar(self.service.indexer)
        self.progress_label = self.indexing.label
        self.pause_button = self.indexing.pause_button
        layout.addWidget(self.indexing)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence("Ctrl+K"), self, self.focus_question)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.ask_panel.stop)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.reindex_selected)
        remove = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.collection_list)
        remove.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove.activated.connect(self.remove_selected)

    def _collections_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("&Collections"))
        self.collection_list = QListWidget()
        self.collection_list.setAccessibleName(self.tr("Collections"))
        title.setBuddy(self.collection_list)
        self.add_folder_button = _button(
            self.tr("Add &folder…"),
            self.tr("Add a folder"),
            self.tr("Make a collection of a folder and everything in it."),
            "folder",
        )
        self.add_files_button = _button(
            self.tr("Add f&iles…"),
            self.tr("Add files"),
            self.tr("Add files to the collection chosen (or make one)."),
            "file",
        )
        self.remove_button = _button(
            self.tr("&Remove"),
            self.tr("Remove the collection"),
            self.tr("Forget the collection chosen (Delete); your files are not touched."),
            "delete",
        )
        self.reindex_button = _button(
            self.tr("Re-inde&x"),
            self.tr("Re-index the collection"),
            self.tr("Check the collection's folders for changes now (F5)."),
            "regenerate",
        )
        buttons = FlowLayout()
        for button in (
            self.add_folder_button,
            self.add_files_button,
            self.remove_button,
            self.reindex_button,
        ):
            buttons.addWidget(button)
        column.addWidget(title)
        column.addWidget(self.collection_list, 1)
        column.addLayout(buttons)
        return box

    def _files_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Fi&les"))
        self.files = FileList()
        title.setBuddy(self.files)
        column.addWidget(title)
        column.addWidget(self.files, 1)
        return box

    def _search_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(self.tr("Search your documents, in any language"))
        self.search_box.setAccessibleName(self.tr("Search"))
        self.search_box.setToolTip(self.tr("Words or a question (Ctrl+F); Enter searches."))
        self.search_box.setClearButtonEnabled(True)
        self.search_button = _button(
            self.tr("&Search"),
            self.tr("Search"),
            self.tr("Find the passages that match best."),
            "search",
        )
        row.addWidget(self.search_box, 1)
        row.addWidget(self.search_button)
        return row

    def _connect(self) -> None:
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.add_files_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_selected)
        self.reindex_button.clicked.connect(self.reindex_selected)
        self.search_button.clicked.connect(self.search)
        self.search_box.returnPressed.connect(self.search)
        self.collection_list.currentItemChanged.connect(lambda *_: self.refresh_files())
        # the app's service outlives a page: these are undone in shutdown()
        ix = self.indexer
        self._links = [
            (self.service.collections_changed, self.refresh),
            (self.service.problem, self._show_problem),
            (ix.file_changed, self._on_file_changed),
            (ix.synced, self._on_synced),
            (ix.searched, self._on_searched),
            (ix.search_failed, self._on_search_failed),
        ]
        for signal, slot in self._links:
            signal.connect(slot)

    # -- collections ---------------------------------------------------------------------
    def selected_collection(self) -> str | None:
        item = self.collection_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def refresh(self) -> None:
        """Show the collections again (the one chosen stays chosen)."""
        chosen = self.selected_collection()
        collections = self.service.collections()
        self.collection_list.blockSignals(True)
        self.collection_list.clear()
        for c in collections:
            item = QListWidgetItem(c.name)
            item.setData(Qt.ItemDataRole.UserRole, c.name)
            item.setToolTip("\n".join(c.sources))
            self.collection_list.addItem(item)
            if c.name == chosen:
                self.collection_list.setCurrentItem(item)
        if self.collection_list.currentItem() is None and collections:
            self.collection_list.setCurrentRow(0)
        self.collection_list.blockSignals(False)
        has_any = bool(collections)
        self.empty_label.setVisible(not has_any)
        for widget in (self.remove_button, self.reindex_button):
            widget.setEnabled(has_any)
        if not self._query:
            self.results_status.setText(
                self.tr("Type words or a question above and press Enter.")
                if has_any
                else self.tr("Nothing to search yet: add a folder first.")
            )
        self.refresh_files()

    def add_folder(self, folder: Path) -> Collection | None:
        """Make a collection of ``folder`` and index it (the person's choice, or a test's)."""
        try:
            collection = self.service.add_folder(folder)
        except LLMasOSError as exc:
            self._show_problem(error_text(exc))
            return None
        self._select(collection.name)
        return collection

    def add_files(self, paths: list[Path]) -> Collection | None:
        try:
            collection = self.service.add_paths(self.selected_collection(), paths)
        except LLMasOSError as exc:
            self._show_problem(error_text(exc))
            return None
        self._select(collection.name)
        return collection

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Add a folder of documents"), str(Path.home())
        )
        if folder:
            self.add_folder(Path(folder))

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Add documents"),
            str(Path.home()),
            self.tr(
                "Documents (*.txt *.md *.markdown *.pdf *.docx *.html *.htm *.rst *.py *.js "
                "*.ts *.java *.c *.cpp *.h *.go *.rs *.json *.csv);;All files (*)"
            ),
        )
        if paths:
            self.add_files([Path(p) for p in paths])

    def remove_selected(self, *, confirm: bool = True) -> None:
        """Forget the collection chosen, after asking (its files stay on disk)."""
        name = self.selected_collection()
        if name is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Remove the collection"),
                self.tr(
                    "Remove the collection “{name}” from Knowledge? Your files are not "
                    "touched; only the index of them is deleted."
                ).format(name=name),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.service.remove(name)

    def reindex_selected(self) -> None:
        name = self.selected_collection()
        if name is not None:
            self.service.reindex(name)

    def _select(self, name: str) -> None:
        self.refresh()
        for i in range(self.collection_list.count()):
            item = self.collection_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.collection_list.setCurrentItem(item)
                break
        self.refresh_files()

    # -- files ---------------------------------------------------------------------------
    def refresh_files(self) -> None:
        """List the chosen collection's files with their state (see :class:`FileList`)."""
        self.files.show_collection(self.service.store, self.selected_collection())

    def file_states(self) -> dict[str, str]:
        """Each listed file's state (``ok``, ``empty``, ``error`` or ``waiting``), by path."""
        return self.files.states()

    # -- indexing ------------------------------------------------------------------------
    def _on_file_changed(self, name: str, _change: FileChanged) -> None:
        if name == self.selected_collection():
            self._files_timer.start()

    def _on_synced(self, name: str, _summary: SyncSummary) -> None:
        if name == self.selected_collection():
            self.refresh_files()

    def _show_problem(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.setVisible(bool(message))

    # -- search --------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_box.setFocus()
        self.search_box.selectAll()

    def focus_question(self) -> None:
        self.tabs.setCurrentWidget(self.ask_panel)
        self.ask_panel.question.setFocus()
        self.ask_panel.question.selectAll()

    def search(self) -> None:
        """Search every collection for the search box's text (best passages first)."""
        query = self.search_box.text().strip()
        names = [c.name for c in self.service.collections()]
        if not query:
            return
        if not names:
            self.results_status.setText(self.tr("Nothing to search yet: add a folder first."))
            return
        if self._search_id is not None:
            self.indexer.kernel.cancel(self._search_id)
        self._query = query
        self.results_status.setText(self.tr("Searching…"))
        self._search_id = self.indexer.search(names, query, SEARCH_RESULTS)

    def _on_searched(self, request: int, passages: list[object]) -> None:
        if request != self._search_id:
            return
        self._search_id = None
        self.results.show_passages(passages, self._query)  # type: ignore[arg-type]
        if passages:
            self.results_status.setText(
                self.tr(
                    "{n} passages for “{query}”, best first. Enter or a double click opens "
                    "the file."
                ).format(n=len(passages), query=self._query)
            )
        else:
            self.results_status.setText(
                self.tr(
                    "Nothing in your documents matches “{query}”. Try other words, or "
                    "check that indexing has finished."
                ).format(query=self._query)
            )

    def _on_search_failed(self, request: int, failure: Failure) -> None:
        if request == self._search_id:
            self._search_id = None
            self.results_status.setText(failure_text(failure))

    # -- life ----------------------------------------------------------------------------
    def cancel_all(self) -> None:
        """Cancel this page's search and answer (its window is closing, or Stop was
        pressed; indexing goes on)."""
        self.ask_panel.stop()
        if self._search_id is not None:
            self.indexer.kernel.cancel(self._search_id)
            self._search_id = None

    def shutdown(self) -> None:
        """Stop this page's timers and scans and let go of the app's Knowledge (the page
        is closing; what the indexer still reports is not for it)."""
        self.cancel_all()
        self._files_timer.stop()
        self.files.shutdown()
        self.indexing.shutdown()
        self.ask_panel.shutdown()
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []


__all__ = ["KnowledgePage"]
