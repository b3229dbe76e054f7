"""The knowledge index on disk: one SQLite file, safe to kill at any moment.

Like the conversation store, it runs in WAL mode with ``synchronous=NORMAL`` and keeps
its schema version in ``PRAGMA user_version``. The invariant the indexer relies on:
**a file's row, its chunks and their full-text entries change in one transaction**, so
a kill leaves each file either as it was or fully re-indexed — never half, never twice.
Vectors are written later, in batches, each batch one transaction; a chunk without a
vector for the current embedder is simply embedded on the next run.

One :class:`KnowledgeStore` may be used from several threads; a lock serialises them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmasos.errors import CollectionError, CollectionNotFound, KnowledgeStoreError
from llmasos.foundation.platform.paths import app_paths
from llmasos.services.chat.schema import migrate
from llmasos.services.knowledge.chunks import Chunk
from llmasos.services.knowledge.problems import FileProblem, problem_of, stored_from_text
from llmasos.services.knowledge.query import words_text
from llmasos.services.knowledge.schema import MIGRATIONS

__all__ = ["DB_NAME", "Collection", "FileRecord", "KnowledgeStore", "default_path"]

DB_NAME = "knowledge.sqlite3"

#: File states: ``ok`` (indexed), ``empty`` (readable, no text: a scan), ``error``.
OK, EMPTY, ERROR = "ok", "empty", "error"


@dataclass(frozen=True)
class Collection:
    """A named set of folders and files that is indexed and searched together."""

    id: int
    name: str
    sources: tuple[str, ...]
    embedder: str  # the embedding model file the collection was indexed with, or ""
    created: float


@dataclass(frozen=True)
class FileRecord:
    """One indexed file and its state."""

    id: int
    collection_id: int
    path: str
    kind: str
    size: int
    mtime_ns: int
    sha256: str
    status: str
    error: str  # the problem as JSON (services/knowledge/problems.py); "" when none
    chunks: int
    indexed: float

    @property
    def problem(self) -> FileProblem | None:
        """Why the file has no passages (None: it has them)."""
        return problem_of(self.error)


_FILE_COLUMNS = (
    "id, collection_id, path, kind, size, mtime_ns, sha256, status, error, chunks, indexed"
)


def default_path() -> Path:
    """Where the app keeps its knowledge index."""
    return app_paths().data / DB_NAME


class KnowledgeStore:
    """Collections, their files, chunks and vectors in one SQLite file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._writes = 0  # bumped by every commit of ours; readers' caches key on it
        try:
            self._db = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            self._db.create_function("knowledge_words", 1, words_text, deterministic=True)
            self._db.create_function("knowledge_problem", 1, stored_from_text, deterministic=True)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise KnowledgeStoreError(
                f"The knowledge index {self.path} cannot be opened ({exc}). Move it aside "
                "and add your collections again; your documents are not affected."
            ) from exc

    # -- plumbing ----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the file. Safe to call twice."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``), rolled back on any exception."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._writes += 1

    def read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read query."""
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever this or another connection commits (for caches)."""
        return int(self.read("PRAGMA data_version")[0][0]), self._writes

    @property
    def schema_version(self) -> int:
        """The file's schema version (``PRAGMA user_version``)."""
        return int(self.read("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        with self.transaction() as db:
            migrate(db, MIGRATIONS, self.path, KnowledgeStoreError)

    def integrity_ok(self) -> bool:
        """True when SQLite's and both full-text indexes' integrity checks pass."""
        if self.read("PRAGMA integrity_check")[0][0] != "ok":
            return False
        try:
            with self.transaction() as db:
                for table in ("chunks_trigram", "chunks_words"):
                    db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError:
            return False
        return True

    # -- collections -------------------------------------------------------------------------
    def add_collection(
        self, name: str, sources: Sequence[Path], *, embedder: str = ""
    ) -> Collection:
        """Make a collection of ``sources`` (folders or files; stored as absolute paths).

        Raises:
            CollectionError: the name is empty or taken, or a source does not exist.
        """
        name = name.strip()
        if not name:
            raise CollectionError(
                "A collection needs a name, e.g. `llmasos docs add notes ~/Notes`."
            )
        paths = _absolute_sources(sources)
        try:
            with self.transaction() as db:
                cur = db.execute(
                    "INSERT INTO collections (name, embedder, created) VALUES (?, ?, ?)",
                    (name, embedder, time.time()),
                )
                db.executemany(
                    "INSERT OR IGNORE INTO sources (collection_id, path) VALUES (?, ?)",
                    [(cur.lastrowid, p) for p in paths],
                )
        except sqlite3.IntegrityError as exc:
            raise CollectionError(
                f"A collection named {name!r} already exists. Pick another name, or add "
                f"folders to it with `llmasos docs add {name} PATH…`."
            ) from exc
        return self.collection(name)

    def add_sources(self, name: str, sources: Sequence[Path]) -> Collection:
        """Add folders or files to an existing collection."""
        collection = self.collection(name)
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO sources (collection_id, path) VALUES (?, ?)",
                [(collection.id, p) for p in _absolute_sources(sources)],
            )
        return self.collection(name)

    def set_embedder(self, name: str, embedder: str) -> Collection:
        """Remember the embedding model file ``name`` is indexed with (``""``: none)."""
        with self.transaction() as db:
            db.execute("UPDATE collections SET embedder = ? WHERE name = ?", (embedder, name))
        return self.collection(name)

    def collection(self, name: str) -> Collection:
        """The collection called ``name``.

        Raises:
            CollectionNotFound: there is none.
        """
        rows = self.read(
            "SELECT id, name, embedder, created FROM collections WHERE name = ?", (name,)
        )
        if not rows:
            known = ", ".join(c.name for c in self.collections()) or "none yet"
            raise CollectionNotFound(
                f"There is no collection named {name!r} (collections: {known}). "
                "`llmasos docs add NAME PATH…` makes one."
            )
        return self._collection(rows[0])

    def collections(self) -> list[Collection]:
        """All collections, by name."""
        rows = self.read("SELECT id, name, embedder, created FROM collections ORDER BY name")
        return [self._collection(row) for row in rows]

    def _collection(self, row: tuple[Any, ...]) -> Collection:
        sources = self.read(
            "SELECT path FROM sources WHERE collection_id = ? ORDER BY id", (row[0],)
        )
        return Collection(row[0], row[1], tuple(s[0] for s in sources), row[2], row[3])

    def remove_collection(self, name: str) -> None:
        """Forget a collection and everything indexed for it (the files stay on disk)."""
        collection = self.collection(name)
        with self.transaction() as db:
            db.execute("DELETE FROM collections WHERE id = ?", (collection.id,))

    # -- files -------------------------------------------------------------------------------
    def files(self, collection_id: int) -> list[FileRecord]:
        """The collection's indexed files, by path."""
        rows = self.read(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE collection_id = ? ORDER BY path",
            (collection_id,),
        )
        return [FileRecord(*row) for row in rows]

    def write_file(self, record: FileRecord, chunks: Sequence[Chunk]) -> None:
        """Replace whatever was indexed at ``record.path`` with ``record`` and ``chunks``,
        in one transaction (``record.id`` is ignored)."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM files WHERE collection_id = ? AND path = ?",
                (record.collection_id, record.path),
            )
            cur = db.execute(
                "INSERT INTO files (collection_id, path, kind, size, mtime_ns, sha256, status,"
                " error, chunks, indexed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.collection_id,
                    record.path,
                    record.kind,
                    record.size,
                    record.mtime_ns,
                    record.sha256,
                    record.status,
                    record.error,
                    len(chunks),
                    time.time(),
                ),
            )
            db.executemany(
                "INSERT INTO chunks (file_id, seq, span_start, span_end, page, heading, text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        cur.lastrowid,
                        c.seq,
                        c.start,
                        c.end,
                        c.page,
                        json.dumps(c.heading, ensure_ascii=False),
                        c.text,
                    )
                    for c in chunks
                ],
            )

    def update_file(self, file_id: int, **changes: Any) -> None:
        """Change a file's ``path``, ``size`` or ``mtime_ns`` (a move, a touch)."""
        if not changes or set(changes) - {"path", "size", "mtime_ns"}:
            raise TypeError(f"cannot set {sorted(changes)} on a file")
        assigns = ", ".join(f"{key} = ?" for key in changes)
        with self.transaction() as db:
            db.execute(f"UPDATE files SET {assigns} WHERE id = ?", (*changes.values(), file_id))

    def delete_file(self, file_id: int) -> None:
        """Forget one file, its chunks and their vectors."""
        with self.transaction() as db:
            db.execute("DELETE FROM files WHERE id = ?", (file_id,))

    # -- vectors -----------------------------------------------------------------------------
    def chunks_without_vector(
        self, collection_id: int, model: str, limit: int, after: int = 0
    ) -> list[tuple[int, str, str]]:
        """Up to ``limit`` chunks of the collection with no vector from ``model`` and an
        id above ``after``: ``(chunk id, heading JSON, text)``, by id.

        Pass the last id of one batch as ``after`` for the next, so each batch does not
        walk again over the chunks embedded before it."""
        return self.read(
            "SELECT c.id, c.heading, c.text FROM chunks c JOIN files f ON f.id = c.file_id"
            " WHERE c.id > ? AND f.collection_id = ? AND NOT EXISTS (SELECT 1 FROM vectors v"
            " WHERE v.model = ? AND v.chunk_id = c.id) ORDER BY c.id LIMIT ?",
            (after, collection_id, model, limit),
        )

    def count_without_vector(self, collection_id: int, model: str) -> int:
        """How many of the collection's chunks have no vector from ``model``."""
        return int(
            self.read(
                "SELECT count(*) FROM chunks c JOIN files f ON f.id = c.file_id"
                " WHERE f.collection_id = ? AND NOT EXISTS (SELECT 1 FROM vectors v"
                " WHERE v.chunk_id = c.id AND v.model = ?)",
                (collection_id, model),
            )[0][0]
        )

    def put_vectors(self, model: str, rows: Sequence[tuple[int, bytes]]) -> None:
        """Store float32 vectors of ``model`` for chunks, in one transaction (chunks
        deleted meanwhile are skipped)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors (model, chunk_id, vector)"
                " SELECT ?, id, ? FROM chunks WHERE id = ?",
                [(model, blob, chunk_id) for chunk_id, blob in rows],
            )

    def drop_other_vectors(self, collection_id: int, model: str) -> None:
        """Forget the collection's vectors from any model but ``model`` (after a change
        of embedder, once every chunk has a vector from the new one)."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM vectors WHERE model != ? AND chunk_id IN (SELECT c.id FROM"
                " chunks c JOIN files f ON f.id = c.file_id WHERE f.collection_id = ?)",
                (model, collection_id),
            )


def _absolute_sources(sources: Sequence[Path]) -> list[str]:
    missing = [str(p) for p in sources if not Path(p).expanduser().exists()]
    if missing:
        raise CollectionError(
            f"Not found: {', '.join(missing)}. Check the path, or mount the drive it is on."
        )
    if not sources:
        raise CollectionError("Give at least one folder or file to index.")
    return [str(Path(p).expanduser().resolve()) for p in sources]
