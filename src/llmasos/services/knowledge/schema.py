"""The knowledge index's schema, as numbered migrations (see ``services/chat/schema.py``).

Two full-text indexes cover every chunk:

* ``chunks_trigram`` (FTS5 ``trigram``): any substring of three or more characters, in
  any script — exact terms, identifiers, Chinese words of three or more characters;
* ``chunks_words`` (FTS5 ``porter unicode61``) over the text with a space around every
  CJK character (:func:`~llmasos.services.knowledge.query.spaced`): English words with
  Porter stemming, and Chinese of any length as a phrase of single characters — the one
  thing trigrams cannot do (a one- or two-character query). It is contentless; its
  triggers recompute the spaced text with the SQL function ``knowledge_spaced``, which
  every connection of :class:`~llmasos.services.knowledge.store.KnowledgeStore` registers.

Append new migrations; never edit one that has shipped. A migration that changes
``spaced`` must rebuild ``chunks_words`` (``'delete-all'``, then insert every chunk).
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: collections, their sources, files, chunks, vectors and both full-text indexes
    """
    CREATE TABLE collections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        embedder TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL
    );
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        UNIQUE (collection_id, path)
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        chunks INTEGER NOT NULL DEFAULT 0,
        indexed REAL NOT NULL,
        UNIQUE (collection_id, path)
    );
    CREATE INDEX files_by_hash ON files(collection_id, sha256);
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        span_start INTEGER NOT NULL,
        span_end INTEGER NOT NULL,
        page INTEGER,
        heading TEXT NOT NULL DEFAULT '[]',
        text TEXT NOT NULL,
        UNIQUE (file_id, seq)
    );
    CREATE TABLE vectors (
        chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (chunk_id, model)
    ) WITHOUT ROWID;
    CREATE INDEX vectors_by_model ON vectors(model);
    CREATE VIRTUAL TABLE chunks_trigram USING fts5(
        text, content='chunks', content_rowid='id', tokenize='trigram');
    CREATE VIRTUAL TABLE chunks_words USING fts5(
        words, content='', tokenize='porter unicode61 remove_diacritics 2');
    CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_trigram(rowid, text) VALUES (new.id, new.text);
        INSERT INTO chunks_words(rowid, words) VALUES (new.id, knowledge_spaced(new.text));
    END;
    CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_trigram(chunks_trigram, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chunks_words(chunks_words, rowid, words)
        VALUES ('delete', old.id, knowledge_spaced(old.text));
    END;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]
