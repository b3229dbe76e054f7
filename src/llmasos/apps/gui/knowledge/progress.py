"""The indexing row of the Knowledge page: :class:`IndexingBar`.

Progress of the collection being indexed (files read, then passages embedded), Pause /
Resume and Stop, and when idle the last sync's outcome. It follows the app's
:class:`~llmasos.kernel.knowledge.KnowledgeIndexer`, so every page shows the same.
Texts are in the Knowledge page's translation context.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import failure_text
from llmasos.kernel.kernel import Failure
from llmasos.kernel.knowledge import KnowledgeIndexer
from llmasos.services.knowledge.indexer import IndexProgress, SyncSummary


def _button(text: str, name: str, tip: str, icon: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    if icon:
        button.setIcon(ui_icon(icon))
    return button


class IndexingBar(QWidget):
    """Progress bar, status line, Pause/Resume and Stop of the app's indexing."""

    def __init__(self, indexer: KnowledgeIndexer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.indexer = indexer
        self.last_outcome = ""  # the last sync's outcome, shown when idle
        self.progress = QProgressBar()
        self.progress.setAccessibleName(
            QCoreApplication.translate("KnowledgePage", "Indexing progress")
        )
        self.progress.setMaximumWidth(160)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName(QCoreApplication.translate("KnowledgePage", "Indexing status"))
        self.pause_button = _button(
            QCoreApplication.translate("KnowledgePage", "&Pause"),
            QCoreApplication.translate("KnowledgePage", "Pause indexing"),
            QCoreApplication.translate(
                "KnowledgePage", "Hold indexing (searches still work); press again to go on."
            ),
            "pause",
        )
        self.pause_button.setCheckable(True)
        self.stop_button = _button(
            QCoreApplication.translate("KnowledgePage", "S&top"),
            QCoreApplication.translate("KnowledgePage", "Stop indexing"),
            QCoreApplication.translate(
                "KnowledgePage", "Stop indexing now; what is indexed is kept, Re-index goes on."
            ),
            "stop",
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress)
        row.addWidget(self.label, 1)
        row.addWidget(self.pause_button)
        row.addWidget(self.stop_button)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.stop_button.clicked.connect(lambda: indexer.cancel())
        self._links = [
            (indexer.progress, self._on_progress),
            (indexer.synced, self._on_synced),
            (indexer.sync_failed, self._on_sync_failed),
            (indexer.state_changed, self.show_state),
        ]
        for signal, slot in self._links:
            signal.connect(slot)
        self.show_state()

    def _on_progress(self, name: str, p: IndexProgress) -> None:
        if p.phase == "embed":
            done, total = p.chunks_done, p.chunks_total
            text = QCoreApplication.translate(
                "KnowledgePage", "{name}: finding the meaning of {done} of {total} passages…"
            )
        elif p.phase == "files":
            done, total = p.files_done, p.files_total
            text = QCoreApplication.translate(
                "KnowledgePage", "{name}: reading file {done} of {total}…"
            )
        else:
            done, total = 0, 0
            text = QCoreApplication.translate("KnowledgePage", "{name}: looking for changes…")
        self.progress.setRange(0, max(total, 1) if total else 0)
        self.progress.setValue(min(done, total))
        self._set_text(text.format(name=name, done=done, total=total))
        if self.indexer.is_paused:  # the step that ran when Pause was pressed reported last
            self.show_state()

    def _on_synced(self, name: str, summary: SyncSummary) -> None:
        if summary.cancelled:
            text = QCoreApplication.translate(
                "KnowledgePage", "{name}: stopped; what was indexed is kept."
            )
        elif summary.failed:
            text = QCoreApplication.translate(
                "KnowledgePage", "{name}: {files} files indexed, {failed} could not be read."
            )
        else:
            text = QCoreApplication.translate(
                "KnowledgePage", "{name}: {files} files, {chunks} passages, up to date."
            )
        self.last_outcome = text.format(
            name=name, files=summary.files, chunks=summary.chunks, failed=summary.failed
        )
        self.show_state()

    def _on_sync_failed(self, name: str, failure: Failure) -> None:
        self.last_outcome = QCoreApplication.translate(
            "KnowledgePage", "{name} could not be indexed: {error}"
        ).format(name=name, error=failure_text(failure))
        self.show_state()

    def show_state(self) -> None:
        """Running, paused or idle, as the indexer is now."""
        ix = self.indexer
        running = ix.running is not None or bool(ix.pending)
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(ix.is_paused)
        self.pause_button.setText(
            QCoreApplication.translate("KnowledgePage", "Resu&me")
            if ix.is_paused
            else QCoreApplication.translate("KnowledgePage", "&Pause")
        )
        self.pause_button.blockSignals(False)
        self.pause_button.setEnabled(running or ix.is_paused)
        self.stop_button.setEnabled(running)
        self.progress.setVisible(running)
        if ix.is_paused and running:
            self._set_text(
                QCoreApplication.translate(
                    "KnowledgePage", "Indexing paused ({name}). Searches still work."
                ).format(name=ix.running or ix.pending[0])
            )
        elif not running:
            idle = self.last_outcome
            if not idle and ix.store.collections():
                idle = QCoreApplication.translate(
                    "KnowledgePage", "All collections are up to date."
                )
            self._set_text(idle)
        elif ix.running is not None and not self.label.text().startswith(ix.running):
            self._set_text(
                QCoreApplication.translate("KnowledgePage", "{name}: starting…").format(
                    name=ix.running
                )
            )

    def shutdown(self) -> None:
        """Stop following the indexer (the page is closing)."""
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []

    def _set_text(self, text: str) -> None:
        self.label.setText(text)
        self.label.setAccessibleDescription(text)

    def _on_pause_toggled(self, paused: bool) -> None:
        if paused:
            self.indexer.pause()
        else:
            self.indexer.resume()


__all__ = ["IndexingBar"]
