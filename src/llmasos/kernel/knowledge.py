"""Knowledge on the kernel's worker: indexing in slices, searches, the embedding model.

:class:`KnowledgeIndexer` drives :func:`~llmasos.services.knowledge.indexer.sync` through
the kernel's one queue, so llama.cpp (the embedding model beside the chat model) is only
ever run by the kernel's worker thread:

* **Slices, not one job.** The worker runs one request at a time and never pre-empts
  one, so a sync of a large folder as one job would hold up every chat turn behind it.
  Each collection's sync is a generator that lives between jobs; a slice advances it for
  at most :data:`SLICE_S` (the step running then finishes: one file, or one batch of
  chunks to embed) as a :attr:`Priority.BACKGROUND` job, and the next slice is queued
  when it ends, behind whatever was queued meanwhile. A person's request waits for one
  step at most.
* **Pause** queues no next slice: the generator waits where it stopped, on no thread.
  (The indexer's own :class:`~llmasos.services.knowledge.indexer.Pause` blocks the
  thread that runs it — here that would be the worker everyone shares.)
* **Cancel** sets the running slice's kernel token, which the sync and the embedder read
  (a :class:`_Relay` hands each slice's token to the one generator), or drops a queued
  slice; what was indexed is kept, and the next sync goes on from there.
* **The embedder** (``knowledge.embedding_model``) is created by the first slice or
  search that needs it, used and closed on the worker only. A model that cannot be
  loaded is reported once (``embedder_failed``); indexing goes on full-text only.
* **Warm vectors.** One :class:`~llmasos.services.knowledge.search.Searcher` on the
  worker (:meth:`KnowledgeIndexer.worker_searcher`) serves searches, the Ask tab and
  chats with collections attached, and keeps the vector matrix between them. An index
  change makes it stale, and reading it back took the first search 2.1-2.8 s at 100k
  chunks; so when indexing has changed something and goes idle, background slices load
  it again (``warmed(vectors)``), and the person's next search finds it in memory.

Signals (all on the GUI thread): ``progress(name, IndexProgress)``,
``file_changed(name, FileChanged)``, ``synced(name, SyncSummary)`` (also when cancelled),
``sync_failed(name, Failure)``, ``state_changed()`` (running, paused or idle changed),
``embedder_failed(LLMasOSError)``, ``removed(name)``, ``searched(request id,
list[Passage])``, ``search_failed(request id, Failure)`` and ``warmed(vectors)``.
Failures and errors stay typed, so a window can say them in its own language.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from llmasos.errors import LLMasOSError
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.stream import TextStream
from llmasos.kernel.kernel import Failure, Kernel, Priority

if TYPE_CHECKING:
    from llmasos.foundation.engine.embedding import Embedder
    from llmasos.foundation.engine.protocol import Engine
    from llmasos.services.knowledge.indexer import IndexEvent
    from llmasos.services.knowledge.search import Searcher
    from llmasos.services.knowledge.store import KnowledgeStore

log = logging.getLogger(__name__)

#: A job that needs the embedding model: ``job(engine, embedder, cancel)`` yields items.
EmbedderJob = Callable[["Engine", "Embedder | None", CancelToken], Iterator[Any]]
#: How long one slice of a sync may hold the worker before it lets queued work run.
SLICE_S = 0.25
OWNER = "knowledge"


class _Relay(CancelToken):
    """The cancel token a sync keeps for its whole life: it reads the token of the slice
    running it now (set at the start of each slice, on the worker)."""

    def __init__(self) -> None:
        super().__init__()
        self.current: CancelToken = CancelToken()

    def cancel(self) -> None:
        self.current.cancel()

    @property
    def is_cancelled(self) -> bool:
        return self.current.is_cancelled

    @property
    def address(self) -> int:
        return self.current.address


@dataclass
class _Run:
    """One collection's sync in progress; ``events`` is created on the worker."""

    name: str
    relay: _Relay = field(default_factory=_Relay)
    events: Iterator[IndexEvent] | None = None
    done: bool = False
    stopped: bool = False  # cancelled: no further slice
    request: int | None = None  # the slice queued or running


@dataclass(frozen=True)
class _EmbedderProblem:
    error: LLMasOSError


@dataclass(frozen=True)
class _Removed:
    name: str


@dataclass(frozen=True)
class _Found:
    passages: list[Any]


@dataclass(frozen=True)
class _Warmed:
    vectors: int


@dataclass(frozen=True)
class _WarmStep:
    """A slice of warming ended with more to read: queue ``job`` again."""

    job: Any


class _EmbedderJobStream(TextStream[Any]):
    """A job of :meth:`KnowledgeIndexer.submit_with_embedder`: the embedder's problem (if
    any), then the job's items. Its ``stats`` are the job's once it ends, so the kernel
    reports what the answer cost (a plain generator around the job lost them, and a chat
    answered from documents said "Done: 0 tokens")."""

    def __init__(
        self, problem: _EmbedderProblem | None, job: Iterator[Any], cancel: CancelToken
    ) -> None:
        self._job = job
        self._cancel = cancel
        self._it = itertools.chain([problem] if problem is not None else [], job)

    def __next__(self) -> Any:
        try:
            return next(self._it)
        except StopIteration:
            self.stats = getattr(self._job, "stats", None)
            raise


class KnowledgeIndexer(QObject):
    """Indexes and searches the collections of one :class:`KnowledgeStore` through the
    kernel. Make it and call it on the GUI thread."""

    progress = Signal(str, object)
    file_changed = Signal(str, object)
    synced = Signal(str, object)
    sync_failed = Signal(str, object)  # Failure
    state_changed = Signal()
    embedder_failed = Signal(object)  # LLMasOSError
    removed = Signal(str)
    searched = Signal(int, object)
    search_failed = Signal(int, object)  # Failure
    warmed = Signal(int)  # vectors now in memory

    def __init__(
        self,
        kernel: Kernel,
        store: KnowledgeStore,
        embedder_path: Path | None = None,
        *,
        threads: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.kernel = kernel
        self.store = store
        self.threads = threads
        self._path = embedder_path
        self._embedder: Embedder | None = None  # the worker's
        self._loaded_path: Path | None = None
        self._failed_path: Path | None = None  # a model that would not load, not retried
        self._searcher: Searcher | None = None  # the worker's
        self._pending: list[str] = []
        self._run: _Run | None = None
        self._paused = False
        self._searches: set[int] = set()
        self._changed = False  # a sync changed the index since the vectors were warmed
        self._warm_job: Any = None  # the warming under way (its slices re-queue it)
        self._closed = False
        kernel.yielded.connect(self._on_yielded)
        kernel.finished.connect(self._on_finished)
        kernel.cancelled.connect(self._on_cancelled)
        kernel.failed.connect(self._on_failed)

    # -- state (GUI thread) --------------------------------------------------------------
    @property
    def embedder_path(self) -> Path | None:
        return self._path

    @property
    def running(self) -> str | None:
        """The collection being indexed now (None when idle)."""
        return self._run.name if self._run is not None else None

    @property
    def is_paused(self) -> bool:
        return self._paused

    @property
    def pending(self) -> tuple[str, ...]:
        """Collections waiting for their sync, in order."""
        return tuple(self._pending)

    @property
    def is_idle(self) -> bool:
        return self._run is None and not self._pending

    # -- commands (GUI thread) -----------------------------------------------------------
    def sync(self, name: str) -> None:
        """Bring ``name`` up to date soon (once, however often it is asked meanwhile)."""
        if self._closed or name in self._pending:
            return
        self._pending.append(name)
        self._next()

    def sync_all(self) -> None:
        """Re-check every collection (at start, after a change of embedder)."""
        for collection in self.store.collections():
            self.sync(collection.name)

    def set_embedder(self, path: Path | None) -> None:
        """Use the embedding model in ``path`` from now on (None: full-text only); every
        collection is brought in step with it in the background."""
        if path == self._path:
            return
        self._path = path
        self._failed_path = None
        run = self._run
        self.sync_all()  # the running collection too: it is queued again
        if run is not None:  # it holds the old model, which the next search may close
            self._stop(run)

    def pause(self) -> None:
        """Hold indexing after the step running now; searches still run."""
        if not self._paused:
            self._paused = True
            self.state_changed.emit()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self.state_changed.emit()
            self._next()

    def cancel(self, name: str | None = None) -> None:
        """Stop indexing ``name`` (None: everything queued and running); what was indexed
        is kept and the next sync goes on from there."""
        self._pending = [n for n in self._pending if name is not None and n != name]
        run = self._run
        if run is not None and (name is None or run.name == name):
            self._stop(run)
        self.state_changed.emit()

    def _stop(self, run: _Run) -> None:
        """End ``run``: its slice running or queued is cancelled (the sync stops after the
        step running then); paused between slices, it ends now."""
        run.stopped = True
        if run.request is not None:
            run.relay.cancel()
            self.kernel.cancel(run.request)
        else:
            self._end_run(run)

    def remove(self, name: str) -> int:
        """Stop indexing ``name`` and forget it (its files stay on disk): on the worker,
        after the slice running now, so no sync writes into a collection that is gone.
        ``removed(name)`` follows."""
        self.cancel(name)

        def job(_engine: Engine, _cancel: CancelToken) -> Iterator[Any]:  # worker thread
            self.store.remove_collection(name)
            yield _Removed(name)

        request = self.kernel.submit(job, owner=OWNER, priority=Priority.INTERACTIVE)
        self._searches.add(request)  # its failure is reported like a search's
        return request

    def search(self, collections: list[str], query: str, k: int = 10, mode: str = "hybrid") -> int:
        """Queue a search (interactive priority); the answer comes as ``searched(id, …)``."""

        def job(_engine: Engine, embedder: Embedder | None, cancel: CancelToken) -> Iterator[Any]:
            if not cancel.is_cancelled:
                used = None if mode == "lexical" else embedder
                searcher = self.worker_searcher()
                yield _Found(searcher.search(collections, query, k, mode=mode, embedder=used))

        request = self.submit_with_embedder(job, owner=OWNER)
        self._searches.add(request)
        return request

    def submit_with_embedder(
        self,
        job: EmbedderJob,
        *,
        owner: str,
        priority: Priority = Priority.INTERACTIVE,
    ) -> int:
        """Queue ``job(engine, embedder, cancel)`` on the kernel's worker with the app's
        embedding model (None: none set, or it would not load) — for work that needs the
        model the collections were indexed with, such as answering a question from them
        (``services.knowledge.answer``). Its items and end come as the kernel's signals
        for the returned request id, as for any job of ``owner``."""

        def run(engine: Engine, cancel: CancelToken) -> _EmbedderJobStream:  # worker thread
            embedder = self._worker_embedder()
            problem = None
            if isinstance(embedder, _EmbedderProblem):
                problem, embedder = embedder, None
            return _EmbedderJobStream(problem, job(engine, embedder, cancel), cancel)

        return self.kernel.submit(run, owner=owner, priority=priority)

    def worker_searcher(self) -> Searcher:  # worker thread
        """The searcher every search of this index shares (call it only on the worker,
        inside a job): its vectors stay in memory between searches and are warmed after
        indexing."""
        from llmasos.services.knowledge.search import Searcher

        if self._searcher is None:
            self._searcher = Searcher(self.store)
        return self._searcher

    def _warm(self) -> None:
        """Load the vectors again in the background (indexing changed them and is idle):
        in slices of :data:`SLICE_S`, like indexing, so a person's request waits for one
        step at most. A newer warming replaces an older one still under way."""
        self._changed = False
        steps: list[Iterator[int]] = []  # the warming generator, made on the worker
        read = [0]

        def job(_engine: Engine, cancel: CancelToken) -> Iterator[Any]:  # worker thread
            if not steps:
                embedder = self._embedder  # only one already loaded: never load it for this
                if embedder is None:
                    return
                steps.append(self.worker_searcher().warming(embedder.model_id))
            deadline = time.monotonic() + SLICE_S
            for read[0] in steps[0]:
                if cancel.is_cancelled or time.monotonic() >= deadline:
                    yield _WarmStep(job)
                    return
            yield _Warmed(read[0])

        self._warm_job = job
        self.kernel.submit(job, owner=f"{OWNER}-warm", priority=Priority.BACKGROUND)

    def shutdown(self) -> None:
        """Stop indexing and free the embedding model (on the worker, after its jobs; at
        once when the kernel has stopped)."""
        self._closed = True
        self.cancel()
        for request in list(self._searches):
            self.kernel.cancel(request)

        def close(_engine: Engine, _cancel: CancelToken) -> Iterator[Any]:  # worker thread
            self._close_embedder()
            return iter(())

        try:
            self.kernel.submit(close, owner=f"{OWNER}-close", priority=Priority.BACKGROUND)
        except RuntimeError:  # the kernel is shut down: no worker can be using it
            self._close_embedder()

    # -- slices --------------------------------------------------------------------------
    def _next(self) -> None:
        """Queue the next slice: of the running sync, else of the next collection."""
        if self._closed or self._paused:
            return
        if self._run is None:
            if not self._pending:
                self.state_changed.emit()
                return
            self._run = _Run(self._pending.pop(0))
            self.state_changed.emit()
        run = self._run
        if run.request is None:
            run.request = self.kernel.submit(
                self._slice(run), owner=OWNER, priority=Priority.BACKGROUND
            )

    def _slice(self, run: _Run) -> Any:
        def job(_engine: Engine, cancel: CancelToken) -> Iterator[Any]:  # worker thread
            from llmasos.services.knowledge.indexer import IndexProgress, SyncSummary, sync

            run.relay.current = cancel
            if run.events is None:
                embedder = self._worker_embedder()
                if isinstance(embedder, _EmbedderProblem):
                    yield embedder
                    embedder = None
                if embedder is not None and self._loaded_path is not None:
                    collection = self.store.collection(run.name)
                    if collection.embedder != str(self._loaded_path):
                        self.store.set_embedder(run.name, str(self._loaded_path))
                run.events = sync(self.store, run.name, embedder, cancel=run.relay)
            deadline = time.monotonic() + SLICE_S
            latest: IndexProgress | None = None
            for event in run.events:
                if isinstance(event, IndexProgress):
                    latest = event  # only the newest of a slice goes to the window
                else:
                    if latest is not None:
                        yield latest
                        latest = None
                    yield event
                if isinstance(event, SyncSummary):
                    run.done = True
                    return
                if cancel.is_cancelled or self._paused or time.monotonic() >= deadline:
                    break
            if latest is not None:
                yield latest

        return job

    # -- the worker's embedding model ----------------------------------------------------
    def _worker_embedder(self) -> Embedder | _EmbedderProblem | None:  # worker thread
        path = self._path
        if path != self._loaded_path:
            self._close_embedder()
        if path is None or path == self._failed_path:
            return None
        if self._embedder is None:
            from llmasos.foundation.engine.llama_embedder import LlamaEmbedder

            try:
                self._embedder = LlamaEmbedder(path, n_threads=self.threads)
            except LLMasOSError as exc:
                self._failed_path = path
                log.warning("embedding model %s not loaded: %s", path, exc)
                return _EmbedderProblem(exc)
            self._loaded_path = path
        return self._embedder

    def _close_embedder(self) -> None:  # worker thread (or after the kernel stopped)
        embedder, self._embedder, self._loaded_path = self._embedder, None, None
        if embedder is not None:
            embedder.close()

    # -- kernel signals (GUI thread) -----------------------------------------------------
    def _on_yielded(self, request: int, item: object) -> None:
        from llmasos.services.knowledge.indexer import FileChanged, IndexProgress, SyncSummary

        if isinstance(item, _EmbedderProblem):
            self.embedder_failed.emit(item.error)
        elif isinstance(item, _Warmed):
            self.warmed.emit(item.vectors)
        elif isinstance(item, _WarmStep):
            if item.job is self._warm_job and not self._closed:  # else a newer one runs
                self.kernel.submit(item.job, owner=f"{OWNER}-warm", priority=Priority.BACKGROUND)
        elif request in self._searches and isinstance(item, _Found):
            self.searched.emit(request, item.passages)
        elif isinstance(item, _Removed):
            self.removed.emit(item.name)
        elif self._run is not None and request == self._run.request:
            name = self._run.name
            if isinstance(item, IndexProgress):
                self.progress.emit(name, item)
            elif isinstance(item, FileChanged):
                self.file_changed.emit(name, item)
            elif isinstance(item, SyncSummary):
                self._changed |= bool(
                    item.added or item.updated or item.moved or item.removed or item.embedded
                )
                self.synced.emit(name, item)

    def _on_finished(self, request: int, _stats: object) -> None:
        self._searches.discard(request)
        run = self._run
        if run is None or request != run.request:
            return
        run.request = None
        if run.stopped and not run.done:  # it ended before it saw the cancel
            self._end_run(run)
            return
        if run.done:
            self._run = None
        self._next()
        if self._run is None and self._changed and not self._closed:
            self._warm()
        if self._run is None or self._paused:
            self.state_changed.emit()

    def _on_cancelled(self, request: int, _stats: object) -> None:
        self._searches.discard(request)
        run = self._run
        if run is None or request != run.request:
            return
        self._end_run(run)

    def _on_failed(self, request: int, failure: Failure) -> None:
        if request in self._searches:
            self._searches.discard(request)
            self.search_failed.emit(request, failure)
            return
        run = self._run
        if run is None or request != run.request:
            return
        self.sync_failed.emit(run.name, failure)
        self._end_run(run)

    def _end_run(self, run: _Run) -> None:
        """The run was stopped, or its slice failed: drop it and go on with the rest."""
        if self._run is run:
            self._run = None
        if run.events is not None and not run.done:
            close = getattr(run.events, "close", None)
            if close is not None:
                close()  # no slice runs it: the kernel has let go of the request
        self._next()
        self.state_changed.emit()


__all__ = ["OWNER", "SLICE_S", "EmbedderJob", "KnowledgeIndexer"]
