"""The app's Knowledge: the index, its indexer on the kernel and the folder watcher.

The shell makes one :class:`KnowledgeService` for the app's life — at start when there
are collections (they are re-checked then), or when the Knowledge page is first shown —
and every Knowledge page shows the same one. Indexing runs in the background through the
kernel (:class:`~llmasos.kernel.knowledge.KnowledgeIndexer`); only the slices' events
reach the GUI thread. All methods run on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.knowledge.watch import FolderWatcher
from llmasos.errors import CollectionNotFound, LLMasOSError
from llmasos.foundation.settings.store import AppSettings
from llmasos.kernel.kernel import Kernel
from llmasos.kernel.knowledge import KnowledgeIndexer
from llmasos.services.knowledge.store import Collection, KnowledgeStore

log = logging.getLogger(__name__)


def free_name(taken: Sequence[str], wanted: str) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``… when a collection has that name already."""
    name = wanted.strip() or "Documents"
    n = 1
    candidate = name
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


class KnowledgeService(QObject):
    """Collections, indexing and watching, shared by the app's Knowledge pages.

    Signals (GUI thread):
        collections_changed: a collection was added, removed or given new sources.
        problem(str): something a person should know (the embedding model setting names
            no file, the model would not load); already in words to show.
    """

    collections_changed = Signal()
    problem = Signal(str)

    def __init__(
        self,
        kernel: Kernel,
        settings: AppSettings,
        *,
        store: KnowledgeStore | None = None,
        threads: int | None = None,
        debounce_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store or KnowledgeStore()
        self.problem_text = ""
        self.indexer = KnowledgeIndexer(
            kernel, self.store, self._embedder_path(settings), threads=threads, parent=self
        )
        watch_args = {} if debounce_ms is None else {"debounce_ms": debounce_ms}
        self.watcher = FolderWatcher(self, **watch_args)
        self.watcher.changed.connect(self.indexer.sync)
        self.watcher.recheck.connect(self.indexer.sync_all)
        self.indexer.synced.connect(lambda name, _summary: self._watch(name))
        self.indexer.removed.connect(self._on_removed)
        self.indexer.embedder_failed.connect(self._on_embedder_failed)
        self._closed = False

    # -- life ----------------------------------------------------------------------------
    def start(self) -> None:
        """Watch every collection and re-check it (what changed while the app was off)."""
        for collection in self.store.collections():
            self._watch(collection.name)
        self.indexer.sync_all()

    def shutdown(self) -> None:
        """Stop watching and indexing; free the embedding model; close the index."""
        if self._closed:
            return
        self._closed = True
        self.watcher.stop()
        self.indexer.shutdown()

    def apply_settings(self, settings: AppSettings) -> None:
        """Follow Settings › Knowledge: a new embedding model re-embeds every collection."""
        self._show_problem("")  # said again below if the new setting has one too
        self.indexer.set_embedder(self._embedder_path(settings))

    def _embedder_path(self, settings: AppSettings) -> Path | None:
        from llmasos.foundation.models.store import embedder_file

        try:
            path = embedder_file(settings.knowledge.embedding_model)
        except LLMasOSError as exc:
            self._on_embedder_failed(exc)
            return None
        if path is not None and not path.is_file():
            self._show_problem(
                self.tr(
                    "The embedding model {path} is not there; search is full-text only until "
                    "you pick another in Settings › Knowledge."
                ).format(path=path)
            )
            return None
        return path

    def _on_embedder_failed(self, error: LLMasOSError) -> None:
        self._show_problem(
            self.tr(
                "The embedding model cannot be used, so search is full-text only: {error}"
            ).format(error=error_text(error))
        )

    def _show_problem(self, message: str) -> None:
        self.problem_text = message
        self.problem.emit(message)

    # -- collections ---------------------------------------------------------------------
    def collections(self) -> list[Collection]:
        return self.store.collections()

    def add_folder(self, folder: Path) -> Collection:
        """A new collection of ``folder``, named after it, indexed in the background.

        Raises:
            CollectionError: the folder is not there.
        """
        taken = [c.name for c in self.store.collections()]
        collection = self.store.add_collection(free_name(taken, folder.name), [folder])
        self._added(collection.name)
        return collection

    def add_paths(self, name: str | None, paths: Sequence[Path]) -> Collection:
        """Add files or folders to collection ``name`` (None or gone: a new one named
        after the first path's folder)."""
        try:
            if name is None:
                raise CollectionNotFound(name or "")
            collection = self.store.add_sources(name, paths)
        except CollectionNotFound:
            taken = [c.name for c in self.store.collections()]
            first = Path(paths[0]) if paths else Path("Documents")
            wanted = first.name if first.is_dir() else first.parent.name
            collection = self.store.add_collection(free_name(taken, wanted), paths)
        self._added(collection.name)
        return collection

    def remove(self, name: str) -> None:
        """Forget collection ``name`` (after its sync stops; the files stay on disk)."""
        self.watcher.forget(name)
        self.indexer.remove(name)

    def reindex(self, name: str) -> None:
        """Check ``name``'s folders again now (only what changed is read)."""
        self.indexer.sync(name)

    def _added(self, name: str) -> None:
        self._watch(name)
        self.collections_changed.emit()
        self.indexer.sync(name)

    def _on_removed(self, _name: str) -> None:
        self.collections_changed.emit()

    def _watch(self, name: str) -> None:
        if self._closed:
            return
        try:
            collection = self.store.collection(name)
        except CollectionNotFound:
            return  # removed meanwhile
        files = [f.path for f in self.store.files(collection.id)]
        self.watcher.watch(name, collection.sources, files)


__all__ = ["KnowledgeService", "free_name"]
