"""The conversation database's schema, as numbered migrations.

``PRAGMA user_version`` holds how many of :data:`MIGRATIONS` a database has had; the
store applies the rest in order, each in one transaction, when it opens a file.
Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

MIGRATIONS: tuple[str, ...] = (
    # 1: conversations and messages
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        is_auto_title INTEGER NOT NULL DEFAULT 1,
        system_prompt TEXT NOT NULL DEFAULT '',
        persona TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        sampling TEXT NOT NULL DEFAULT '',
        pinned INTEGER NOT NULL DEFAULT 0,
        cut_message_id INTEGER,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'done',
        created REAL NOT NULL,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        tokens_per_s REAL NOT NULL DEFAULT 0,
        ttft_s REAL NOT NULL DEFAULT 0,
        model TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    """,
    # 2: full-text search, and editable personas
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        content, content='messages', content_rowid='id', tokenize='trigram');
    CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
    END;
    CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
    END;
    CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
        INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
    END;
    INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
    CREATE TABLE personas (name TEXT PRIMARY KEY, system_prompt TEXT NOT NULL);
    """,
    # 3: knowledge collections attached to a conversation (a JSON list of names), and the
    # passages a grounded reply cited (a JSON list, services.chat.grounding)
    """
    ALTER TABLE conversations ADD COLUMN collections TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE messages ADD COLUMN citations TEXT NOT NULL DEFAULT '';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a migration into statements (trigger bodies contain semicolons)."""
    out: list[str] = []
    pending = ""
    for line in script.strip().splitlines():
        pending += line + "\n"
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return out


def migrate(
    db: sqlite3.Connection,
    migrations: Sequence[str],
    path: Path,
    too_new: Callable[[str], Exception],
) -> None:
    """Bring ``db`` (inside the caller's transaction) up to ``len(migrations)``, recording
    each step in ``PRAGMA user_version``; a file from a newer LLMasOS raises ``too_new``
    with a message saying so. Shared by the conversation and knowledge stores."""
    target = len(migrations)
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > target:
        raise too_new(
            f"{path} was written by a newer LLMasOS (schema {version}, this "
            f"version reads up to {target}). Update LLMasOS to open it."
        )
    for number in range(version, target):
        for statement in statements(migrations[number]):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number + 1}")


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "statements"]
