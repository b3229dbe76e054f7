"""Conversations on disk: one SQLite file, safe to kill at any moment.

The database runs in WAL mode with ``synchronous=NORMAL``: every committed write
survives the process being killed (only a power cut can lose the last one) and
a kill mid-write never corrupts the file. The schema version lives in
``PRAGMA user_version`` and :data:`MIGRATIONS` brings an older file up to date.
Full-text search uses an FTS5 index kept in step by triggers.

One :class:`ConversationStore` may be used from several threads (the GUI thread
lists and renames, the kernel's worker thread saves a reply as it streams); a
lock serialises them. Several stores (windows, the command line) may open the
same file at once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from llmasos.errors import ConversationStoreError
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.platform.paths import app_paths
from llmasos.services.chat.records import (
    Conversation,
    StoredMessage,
    conversation_from_dict,
    conversation_to_dict,
    sampling_from_json,
    sampling_to_json,
)
from llmasos.services.chat.schema import MIGRATIONS, migrate

DB_NAME = "conversations.sqlite3"

#: Message states: ``streaming`` while a reply is written (or if the app died then),
#: ``stopped`` when the person cancelled it, ``failed`` when generation failed.
DONE, STREAMING, STOPPED, FAILED = "done", "streaming", "stopped", "failed"


@dataclass(frozen=True)
class SearchHit:
    """A message matching a search, with a snippet of the match."""

    conversation_id: int
    message_id: int
    title: str
    snippet: str


_SETTABLE = (
    "title",
    "is_auto_title",
    "system_prompt",
    "persona",
    "model",
    "sampling",
    "pinned",
    "cut_message_id",
    "collections",
)
_MESSAGE_COLUMNS = tuple(f.name for f in fields(StoredMessage))
_CONV_COLUMNS = tuple(f.name for f in fields(Conversation))


def default_path() -> Path:
    """Where the app keeps its conversations."""
    return app_paths().data / DB_NAME


class ConversationStore:
    """Conversations and their messages in one SQLite file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConversationStoreError(
                f"The conversation database {self.path} cannot be opened ({exc}). Move it "
                "aside to start with an empty one; your other files are not affected."
            ) from exc

    # -- plumbing ----------------------------------------------------------------
    def close(self) -> None:
        """Close the file. Safe to call twice."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    @property
    def schema_version(self) -> int:
        """The file's schema version (``PRAGMA user_version``)."""
        return int(self._query("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        with self._tx() as db:
            migrate(db, MIGRATIONS, self.path, ConversationStoreError)

    def integrity_ok(self) -> bool:
        """True when ``PRAGMA integrity_check`` finds nothing wrong."""
        return bool(self._query("PRAGMA integrity_check")[0][0] == "ok")

    # -- conversations -------------------------------------------------------------
    def create(
        self,
        title: str = "New chat",
        *,
        system_prompt: str = "",
        persona: str = "",
        model: str = "",
        sampling: SamplingParams | None = None,
        is_auto_title: bool = True,
    ) -> Conversation:
        """Start a conversation and return it."""
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO conversations (title, is_auto_title, system_prompt, persona, model,"
                " sampling, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    title,
                    int(is_auto_title),
                    system_prompt,
                    persona,
                    model,
                    sampling_to_json(sampling),
                    now,
                    now,
                ),
            )
            new_id = int(cur.lastrowid or 0)
        return self.get(new_id)

    def get(self, conversation_id: int) -> Conversation:
        """The conversation with this id.

        Raises:
            ConversationNotFound: there is none (it was deleted).
        """
        rows = self._query(
            f"SELECT {', '.join(_CONV_COLUMNS)} FROM conversations WHERE id = ?", (conversation_id,)
        )
        if not rows:
            raise _not_found(conversation_id)
        return _conversation(rows[0])

    def conversations(self) -> list[Conversation]:
        """All conversations: pinned first, then the most recently updated first."""
        rows = self._query(
            f"SELECT {', '.join(_CONV_COLUMNS)} FROM conversations "
            "ORDER BY pinned DESC, updated DESC, id DESC"
        )
        return [_conversation(r) for r in rows]

    def update(self, conversation_id: int, **changes: Any) -> Conversation:
        """Change some of a conversation's settings (title, pinned, sampling, …)."""
        bad = set(changes) - set(_SETTABLE)
        if bad:
            raise TypeError(f"cannot set {sorted(bad)} on a conversation")
        if "sampling" in changes:
            changes["sampling"] = sampling_to_json(changes["sampling"])
        if "collections" in changes:
            changes["collections"] = json.dumps(list(changes["collections"]), ensure_ascii=False)
        if "title" in changes and "is_auto_title" not in changes:
            changes["is_auto_title"] = False  # a title the person typed stays
        assigns = ", ".join(f"{k} = ?" for k in changes)
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE conversations SET {assigns}, updated = ? WHERE id = ?",
                (*changes.values(), time.time(), conversation_id),
            )
            if cur.rowcount == 0:
                raise _not_found(conversation_id)
        return self.get(conversation_id)

    def delete(self, conversation_id: int) -> dict[str, Any]:
        """Delete a conversation; return its data, which :meth:`restore` brings back."""
        data = conversation_to_dict(self.get(conversation_id), self.messages(conversation_id))
        with self._tx() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        return data

    def restore(self, data: dict[str, Any], *, keep_ids: bool = True) -> Conversation:
        """Insert a conversation from :func:`conversation_to_dict` data (undo, import)."""
        conv, msgs = conversation_from_dict(data)
        with self._tx() as db:
            cols = [c for c in _CONV_COLUMNS if keep_ids or c != "id"]
            values = _conversation_row(conv)
            if not keep_ids:
                values = values[1:]
            cur = db.execute(
                f"INSERT INTO conversations ({', '.join(cols)}) VALUES "
                f"({', '.join('?' * len(cols))})",
                values,
            )
            new_id = conv.id if keep_ids else int(cur.lastrowid or 0)
            mapping = self._insert_messages(
                db, [replace(m, conversation_id=new_id) for m in msgs], keep_ids=keep_ids
            )
            if not keep_ids and conv.cut_message_id is not None:
                db.execute(
                    "UPDATE conversations SET cut_message_id = ? WHERE id = ?",
                    (mapping.get(conv.cut_message_id), new_id),
                )
        return self.get(new_id)

    # -- messages ----------------------------------------------------------------------
    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """The conversation's messages, oldest first."""
        rows = self._query(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM messages "
            "WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [StoredMessage(*r) for r in rows]

    def message(self, message_id: int) -> StoredMessage:
        """One message by id (raises ConversationNotFound when it is gone)."""
        rows = self._query(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM messages WHERE id = ?", (message_id,)
        )
        if not rows:
            raise _not_found(None, message_id)
        return StoredMessage(*rows[0])

    def add_message(
        self, conversation_id: int, role: str, content: str, status: str = DONE
    ) -> StoredMessage:
        """Append a message (committed before this returns)."""
        now = time.time()
        with self._tx() as db:
            try:
                cur = db.execute(
                    "INSERT INTO messages (conversation_id, role, content, status,"
                    " created) VALUES (?, ?, ?, ?, ?)",
                    (conversation_id, role, content, status, now),
                )
            except sqlite3.IntegrityError as exc:
                raise _not_found(conversation_id) from exc
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
            new_id = int(cur.lastrowid or 0)
        return StoredMessage(new_id, conversation_id, role, content, status, now)

    def save_message(self, message: StoredMessage) -> None:
        """Write a message's text, status and stats (e.g. a reply as it streams)."""
        columns = _MESSAGE_COLUMNS[3:]  # content onwards; never moves a message
        with self._tx() as db:
            db.execute(
                f"UPDATE messages SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                (*(getattr(message, c) for c in columns), message.id),
            )

    def delete_messages_from(self, message_id: int) -> list[StoredMessage]:
        """Delete this message and every later one in its conversation; return them."""
        first = self.message(message_id)
        gone = [m for m in self.messages(first.conversation_id) if m.id >= message_id]
        with self._tx() as db:
            db.execute(
                "DELETE FROM messages WHERE conversation_id = ? AND id >= ?",
                (first.conversation_id, message_id),
            )
        return gone

    def restore_messages(self, messages: Sequence[StoredMessage]) -> None:
        """Put deleted messages back with their ids (undo)."""
        with self._tx() as db:
            self._insert_messages(db, messages, keep_ids=True)

    @staticmethod
    def _insert_messages(
        db: sqlite3.Connection, messages: Sequence[StoredMessage], *, keep_ids: bool
    ) -> dict[int, int]:
        cols = _MESSAGE_COLUMNS if keep_ids else _MESSAGE_COLUMNS[1:]
        sql = f"INSERT INTO messages ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        mapping: dict[int, int] = {}
        for m in messages:
            values = tuple(getattr(m, c) for c in cols)
            mapping[m.id] = int(db.execute(sql, values).lastrowid or 0)
        return mapping

    # -- search and personas -------------------------------------------------------------
    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Messages containing ``text`` (any case), newest first.

        Queries of three characters or more use the FTS5 trigram index; shorter
        ones (e.g. one Chinese word of two characters) fall back to a scan.
        """
        text = text.strip()
        if not text:
            return []
        select = (
            "SELECT m.conversation_id, m.id, c.title, m.content FROM messages m "
            "JOIN conversations c ON c.id = m.conversation_id "
        )
        if len(text) >= 3:
            phrase = '"' + text.replace('"', '""') + '"'
            rows = self._query(
                select + "WHERE m.id IN (SELECT rowid FROM messages_fts WHERE "
                "messages_fts MATCH ?) ORDER BY m.id DESC LIMIT ?",
                (phrase, limit),
            )
        else:
            rows = self._query(
                select + "WHERE instr(lower(m.content), lower(?)) > 0 ORDER BY m.id DESC LIMIT ?",
                (text, limit),
            )
        return [SearchHit(c, m, t, _snippet(body, text)) for c, m, t, body in rows]

    def personas(self) -> dict[str, str]:
        """Persona name → system prompt, the person's edits over the built-in ones."""
        from llmasos.services.chat.personas import BUILTIN_PERSONAS

        saved = dict(self._query("SELECT name, system_prompt FROM personas"))
        return {**BUILTIN_PERSONAS, **{str(k): str(v) for k, v in saved.items()}}

    def save_persona(self, name: str, system_prompt: str) -> None:
        """Add or edit a persona."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO personas (name, system_prompt) VALUES (?, ?)",
                (name, system_prompt),
            )


def _snippet(body: str, text: str, width: int = 40) -> str:
    at = body.lower().find(text.lower())
    if at < 0:
        return body[: 2 * width]
    start = max(0, at - width)
    prefix = "…" if start else ""
    end = at + len(text) + width
    suffix = "…" if end < len(body) else ""
    return prefix + body[start:end].replace("\n", " ") + suffix


def _conversation(row: tuple[Any, ...]) -> Conversation:
    data = dict(zip(_CONV_COLUMNS, row, strict=True))
    data["is_auto_title"] = bool(data["is_auto_title"])
    data["pinned"] = bool(data["pinned"])
    data["sampling"] = sampling_from_json(data["sampling"])
    data["collections"] = tuple(str(n) for n in json.loads(data["collections"] or "[]"))
    return Conversation(**data)


def _conversation_row(conv: Conversation) -> tuple[Any, ...]:
    values = [getattr(conv, c) for c in _CONV_COLUMNS]
    values[_CONV_COLUMNS.index("sampling")] = sampling_to_json(conv.sampling)
    names = json.dumps(list(conv.collections), ensure_ascii=False)
    values[_CONV_COLUMNS.index("collections")] = names
    return tuple(int(v) if isinstance(v, bool) else v for v in values)


def _not_found(conversation_id: int | None, message_id: int | None = None) -> Exception:
    from llmasos.errors import ConversationNotFound

    what = f"message {message_id}" if message_id is not None else f"conversation {conversation_id}"
    return ConversationNotFound(
        f"The {what} no longer exists (it was deleted). "
        "Pick another conversation or start a new one."
    )


__all__ = [
    "DONE",
    "FAILED",
    "STOPPED",
    "STREAMING",
    "Conversation",
    "ConversationStore",
    "SearchHit",
    "StoredMessage",
    "default_path",
    "sampling_from_json",
    "sampling_to_json",
]
