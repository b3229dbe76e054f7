"""Past translations and glossaries, kept in one SQLite file in the data folder.

Each call opens its own short connection, so the store can be used from any
thread (the window writes, a search reads) without sharing a connection.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from llmasos.foundation.platform.paths import app_paths
from llmasos.services.translation.glossary import GlossaryEntry

_SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY, created REAL NOT NULL, source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL, source TEXT NOT NULL, result TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS glossary (
    source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, term TEXT NOT NULL,
    translation TEXT NOT NULL, PRIMARY KEY (source_lang, target_lang, term));
"""
HISTORY_LIMIT = 1000  # oldest entries beyond this are dropped


@dataclass(frozen=True)
class HistoryEntry:
    """One past translation."""

    id: int
    created: float  # seconds since the epoch
    source_lang: str
    target_lang: str
    source: str
    result: str


class TranslationStore:
    """History of translations and per-language-pair glossaries."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or app_paths().data / "translations.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=5.0)
        try:
            with db:
                yield db
        finally:
            db.close()

    # -- history -----------------------------------------------------------------
    def add(self, source_lang: str, target_lang: str, source: str, result: str) -> int:
        """Record a translation; return its id. The oldest beyond the limit are dropped."""
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO history (created, source_lang, target_lang, source, result) "
                "VALUES (?, ?, ?, ?, ?)",
                (time.time(), source_lang, target_lang, source, result),
            )
            db.execute(
                "DELETE FROM history WHERE id NOT IN "
                "(SELECT id FROM history ORDER BY id DESC LIMIT ?)",
                (HISTORY_LIMIT,),
            )
            return int(cur.lastrowid or 0)

    def search(self, query: str = "", limit: int = 100) -> list[HistoryEntry]:
        """Newest first; with ``query``, entries whose source or result contains it."""
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        with self._db() as db:
            rows = db.execute(
                "SELECT id, created, source_lang, target_lang, source, result FROM history "
                "WHERE source LIKE ? ESCAPE '\\' OR result LIKE ? ESCAPE '\\' "
                "ORDER BY id DESC LIMIT ?",
                (like, like, limit),
            ).fetchall()
        return [HistoryEntry(*row) for row in rows]

    def clear_history(self) -> None:
        with self._db() as db:
            db.execute("DELETE FROM history")

    # -- glossaries --------------------------------------------------------------
    def glossary(self, source_lang: str, target_lang: str) -> tuple[GlossaryEntry, ...]:
        """The entries for one language pair, sorted by term."""
        with self._db() as db:
            rows = db.execute(
                "SELECT term, translation FROM glossary WHERE source_lang = ? "
                "AND target_lang = ? ORDER BY term",
                (source_lang, target_lang),
            )
            return tuple(GlossaryEntry(term, translation) for term, translation in rows)

    def set_glossary(
        self, source_lang: str, target_lang: str, entries: Iterable[GlossaryEntry]
    ) -> None:
        """Replace the pair's glossary with ``entries`` (blank terms are skipped)."""
        rows = [
            (source_lang, target_lang, e.term.strip(), e.translation.strip())
            for e in entries
            if e.term.strip() and e.translation.strip()
        ]
        with self._db() as db:
            db.execute(
                "DELETE FROM glossary WHERE source_lang = ? AND target_lang = ?",
                (source_lang, target_lang),
            )
            db.executemany("INSERT OR REPLACE INTO glossary VALUES (?, ?, ?, ?)", rows)
