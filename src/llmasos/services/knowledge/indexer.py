"""Bring a collection's index in step with its folders: :func:`sync`.

``sync`` is a generator of progress events; it does one file per step, so the kernel's
worker (or the command line) drives it, a cancel token stops it between files, and a
:class:`Pause` holds it. Nothing is lost when it stops, however it stops:

* each file is read once, hashed and extracted from those bytes, and written with its
  chunks in one transaction (see :mod:`~llmasos.services.knowledge.store`);
* a file whose size and mtime are unchanged is not read; one whose content hash is
  unchanged is not re-chunked; a file that vanished while a new path appeared with the
  same hash was renamed: its row moves, its chunks and vectors stay;
* files are deleted from the index only when their source folder is there (a drive not
  mounted is not "every file deleted");
* vectors come last, in batches, for every chunk that has none from the current embedder
  (new chunks, and all of them after a change of embedder).

The next ``sync`` picks up wherever the last one stopped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from llmasos.errors import DocumentError
from llmasos.foundation.engine.cancel import Cancelled
from llmasos.services.knowledge.chunks import chunk_document, embedding_text
from llmasos.services.knowledge.extract import MAX_BYTES, extract, kind_of
from llmasos.services.knowledge.problems import FileProblem
from llmasos.services.knowledge.store import EMPTY, ERROR, OK, FileRecord, KnowledgeStore

if TYPE_CHECKING:
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.embedding import Embedder

__all__ = [
    "EMBED_BATCH",
    "FileChanged",
    "IndexEvent",
    "IndexProgress",
    "Pause",
    "SyncSummary",
    "scan",
    "sync",
]

log = logging.getLogger(__name__)

#: Chunks per call to the embedder (and per vector transaction).
EMBED_BATCH = 32
# Folders that hold tools' files, not documents.
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})


@dataclass(frozen=True)
class IndexProgress:
    """Where a sync is: ``phase`` is ``"scan"``, ``"files"`` or ``"embed"``."""

    phase: str
    files_done: int
    files_total: int
    chunks_done: int
    chunks_total: int
    current: str = ""


@dataclass(frozen=True)
class FileChanged:
    """A file's index entry changed: ``change`` is ``added``, ``updated``, ``moved``
    (``previous`` holds the old path), ``removed`` or ``failed`` (``error`` says why)."""

    path: str
    change: str
    chunks: int = 0
    error: str = ""  # in English; ``problem`` is what a window says in its language
    previous: str = ""
    problem: FileProblem | None = None


@dataclass(frozen=True)
class SyncSummary:
    """The last event of a sync: what changed, and whether it was cut short."""

    files: int
    chunks: int
    added: int
    updated: int
    moved: int
    removed: int
    failed: int
    embedded: int
    seconds: float
    cancelled: bool = False


IndexEvent = IndexProgress | FileChanged | SyncSummary


class Pause:
    """Holds a running sync between two files (or two embedding batches) until resumed.

    Any thread may call :meth:`pause` and :meth:`resume`; the sync waits in its own."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def is_paused(self) -> bool:
        return not self._running.is_set()

    def wait(self, cancel: CancelToken | None) -> None:
        """Return once resumed, or once ``cancel`` is set."""
        while not self._running.wait(0.1):
            if cancel is not None and cancel.is_cancelled:
                return


@dataclass(frozen=True)
class _OnDisk:
    path: str
    size: int
    mtime_ns: int


def scan(sources: tuple[str, ...]) -> tuple[dict[str, _OnDisk], list[str]]:
    """The readable files under ``sources``, and the sources that are missing.

    Folders are walked for files of a known kind, hidden files and folders left out; a
    file named directly is taken whatever its kind (read as text if unknown)."""
    found: dict[str, _OnDisk] = {}
    missing: list[str] = []
    for source in sources:
        root = Path(source)
        if root.is_file():
            _add(found, root)
        elif root.is_dir():
            for folder, dirs, names in os.walk(root):
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS
                )
                for name in sorted(names):
                    if not name.startswith(".") and kind_of(Path(name)):
                        _add(found, Path(folder, name))
        else:
            missing.append(source)
    return found, missing


def _add(found: dict[str, _OnDisk], path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        return  # vanished while walking
    if not stat.S_ISREG(st.st_mode):
        return  # a named pipe, socket or device: reading it could wait or run forever
    found[str(path)] = _OnDisk(str(path), st.st_size, st.st_mtime_ns)


def _read_small(path: str) -> bytes | None:
    """The bytes of ``path``, or None when it has grown past :data:`MAX_BYTES` since the
    scan (it is not read then)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size > MAX_BYTES:
            return None
        return f.read()


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


class _Sync:
    """The state of one :func:`sync` run; its methods are its steps."""

    def __init__(self, store: KnowledgeStore, name: str, embedder: Embedder | None) -> None:
        self.store = store
        self.collection = store.collection(name)
        self.embedder = embedder
        self.counts = dict.fromkeys(("added", "updated", "moved", "removed", "failed"), 0)
        self.embedded = 0
        self.embedded_up_to = 0  # the highest chunk id embedded by this run
        self.moved: set[int] = set()  # ids of vanished files found again under a new path
        self.started = time.monotonic()

    def summary(self, cancelled: bool) -> SyncSummary:
        files = self.store.files(self.collection.id)
        return SyncSummary(
            files=len(files),
            chunks=sum(f.chunks for f in files),
            embedded=self.embedded,
            seconds=time.monotonic() - self.started,
            cancelled=cancelled,
            **self.counts,
        )

    def index(
        self, disk: _OnDisk, known: FileRecord | None, gone: dict[str, FileRecord]
    ) -> FileChanged | None:
        """Bring one file up to date; ``gone`` maps content hashes of vanished files."""
        if known and known.size == disk.size and known.mtime_ns == disk.mtime_ns:
            return None
        kind = kind_of(Path(disk.path)) or "text"
        try:
            data = _read_small(disk.path) if disk.size <= MAX_BYTES else None
        except OSError as exc:
            problem = FileProblem.of("unreadable", path=disk.path, reason=exc.strerror)
            return self._failed(disk, known, "", problem, kind)
        if data is None:  # not read: a huge log would fill memory first
            big = FileProblem.of("too_big", name=Path(disk.path).name, mib=MAX_BYTES >> 20)
            return self._failed(disk, known, "", big, kind)
        digest = hashlib.sha256(data).hexdigest()
        if known and known.sha256 == digest:
            self.store.update_file(known.id, size=disk.size, mtime_ns=disk.mtime_ns)
            return None
        moved = gone.pop(digest, None) if not known else None
        if moved is not None:
            self.store.update_file(moved.id, path=disk.path, size=disk.size, mtime_ns=disk.mtime_ns)
            self.counts["moved"] += 1
            self.moved.add(moved.id)
            return FileChanged(disk.path, "moved", moved.chunks, previous=moved.path)
        try:
            chunks = chunk_document(extract(data, kind, Path(disk.path).name))
        except DocumentError as exc:
            problem = getattr(exc, "problem", None) or FileProblem.of("other", text=str(exc))
            return self._failed(disk, known, digest, problem, kind)
        empty = None if chunks else FileProblem.of("no_text")
        status, error = (OK, "") if empty is None else (EMPTY, empty.to_json())
        self.store.write_file(self._record(disk, kind, digest, status, error), chunks)
        change = "updated" if known else "added"
        self.counts[change] += 1
        english = empty.text() if empty is not None else ""
        return FileChanged(disk.path, change, len(chunks), english, problem=empty)

    def _record(self, disk: _OnDisk, kind: str, digest: str, status: str, error: str) -> FileRecord:
        return FileRecord(
            0,
            self.collection.id,
            disk.path,
            kind,
            disk.size,
            disk.mtime_ns,
            digest,
            status,
            error,
            0,
            0.0,
        )

    def _failed(
        self,
        disk: _OnDisk,
        known: FileRecord | None,
        digest: str,
        problem: FileProblem,
        kind: str = "text",
    ) -> FileChanged:
        # the hash is kept so an unchanged broken file is not read again on every sync;
        # the problem is stored as code and parameters, said in words where it is shown
        self.store.write_file(self._record(disk, kind, digest, ERROR, problem.to_json()), [])
        self.counts["failed"] += 1
        log.info("not indexed: %s", problem.text())
        return FileChanged(disk.path, "failed", error=problem.text(), problem=problem)

    def embed_batch(self, embedder: Embedder, cancel: CancelToken | None) -> int:
        """Embed up to one batch of chunks that lack a vector; how many were done.

        Raises:
            Cancelled: ``cancel`` was set during the batch (nothing of it is stored).
        """
        rows = self.store.chunks_without_vector(
            self.collection.id, embedder.model_id, EMBED_BATCH, after=self.embedded_up_to
        )
        if not rows:
            return 0
        texts = [embedding_text(tuple(json.loads(heading)), text) for _, heading, text in rows]
        vectors = np.asarray(embedder.embed(texts, cancel=cancel), dtype=np.float32)
        self.store.put_vectors(
            embedder.model_id,
            [(row[0], vec.tobytes()) for row, vec in zip(rows, vectors, strict=True)],
        )
        self.embedded += len(rows)
        self.embedded_up_to = rows[-1][0]
        return len(rows)


def sync(
    store: KnowledgeStore,
    name: str,
    embedder: Embedder | None = None,
    *,
    cancel: CancelToken | None = None,
    pause: Pause | None = None,
) -> Iterator[IndexEvent]:
    """Index what changed in collection ``name``; yields progress, ends with a
    :class:`SyncSummary` (``cancelled=True`` when ``cancel`` stopped it).

    Runs on the caller's thread (the kernel's worker, or the command line). With no
    ``embedder`` only the full-text indexes are kept up to date.

    Raises:
        CollectionNotFound: there is no such collection.
    """
    run = _Sync(store, name, embedder)

    def stopped() -> bool:
        if pause is not None:
            pause.wait(cancel)
        return cancel is not None and cancel.is_cancelled

    yield IndexProgress("scan", 0, 0, 0, 0)
    cancelled = yield from _files_phase(run, stopped)
    if not cancelled and embedder is not None:
        cancelled = yield from _embed_phase(run, embedder, cancel, stopped)
    yield run.summary(cancelled)


def _files_phase(run: _Sync, stopped: Callable[[], bool]) -> Generator[IndexEvent, None, bool]:
    """Index new and changed files, move renamed ones, drop deleted ones; True if stopped."""
    store = run.store
    disk, missing = scan(run.collection.sources)
    known = {f.path: f for f in store.files(run.collection.id)}
    present_roots = [s for s in run.collection.sources if s not in missing]
    # a file named as a source is gone when its folder is still there; a missing folder
    # may be a drive not mounted, so what was under it stays
    deleted = {s for s in missing if s in known and Path(s).parent.is_dir()}
    vanished = [
        f for p, f in known.items() if p not in disk and (_under(p, present_roots) or p in deleted)
    ]
    gone = {f.sha256: f for f in vanished if f.status == OK}
    total, chunks = len(disk), 0
    # known files first, so a rename is matched only against files really gone
    order = sorted(disk, key=lambda p: (p not in known, p))
    for done, path in enumerate(order):
        if stopped():
            return True
        yield IndexProgress("files", done, total, chunks, 0, path)
        change = run.index(disk[path], known.get(path), gone)
        if change is not None:
            chunks += change.chunks
            yield change
    for record in vanished:
        if record.id not in run.moved:
            store.delete_file(record.id)
            run.counts["removed"] += 1
            yield FileChanged(record.path, "removed")
    yield IndexProgress("files", total, total, chunks, 0)
    return False


def _embed_phase(
    run: _Sync, embedder: Embedder, cancel: CancelToken | None, stopped: Callable[[], bool]
) -> Generator[IndexEvent, None, bool]:
    """Embed every chunk without a vector from ``embedder``; True if stopped."""
    collection_id, model = run.collection.id, embedder.model_id
    todo, done = run.store.count_without_vector(collection_id, model), 0
    files = len(run.store.files(collection_id))
    while True:
        if stopped():
            return True
        yield IndexProgress("embed", files, files, done, todo)
        try:
            batch = run.embed_batch(embedder, cancel)
        except Cancelled:
            return True
        if not batch:
            break
        done += batch
    run.store.drop_other_vectors(collection_id, model)
    return False
