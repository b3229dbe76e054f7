"""The knowledge index's schema, as numbered migrations (see ``services/chat/schema.py``).

Two full-text indexes cover every chunk:

* ``chunks_trigram`` (FTS5 ``trigram``): any substring of three or more characters, in
  any script — exact terms, identifiers, Chinese words of three or more characters;
* ``chunks_words`` (FTS5 ``porter unicode61``) over
  :func:`~llmasos.services.knowledge.query.words_text` of the text: English words with
  Porter stemming, and Chinese as overlapping two-character tokens — which answers the
  one- and two-character queries that trigrams cannot. It is contentless; its triggers
  recompute the tokens with the SQL function ``knowledge_words``, which every connection
  of :class:`~llmasos.services.knowledge.store.KnowledgeStore` registers.

Vectors are keyed by ``(model, chunk_id)`` so that one model's vectors lie together on
disk: loading 100k of them for a search reads them in order (0.5 s instead of 1.0 s
through an index on ``model``, measured with bench/knowledge_index.py's corpus).

Append new migrations; never edit one that has shipped. A migration that changes
``words_text`` must rebuild ``chunks_words`` (``'delete-all'``, then insert every chunk).
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
        model TEXT NOT NULL,
        chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, chunk_id)
    ) WITHOUT ROWID;
    CREATE INDEX vectors_by_chunk ON vectors(chunk_id);
    CREATE VIRTUAL TABLE chunks_trigram USING fts5(
        text, content='chunks', content_rowid='id', tokenize='trigram');
    CREATE VIRTUAL TABLE chunks_words USING fts5(
        words, content='', tokenize='porter unicode61 remove_diacritics 2');
    CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_trigram(rowid, text) VALUES (new.id, new.text);
        INSERT INTO chunks_words(rowid, words) VALUES (new.id, knowledge_words(new.text));
    END;
    CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_trigram(chunks_trigram, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chunks_words(chunks_words, rowid, words)
        VALUES ('delete', old.id, knowledge_words(old.text));
    END;
    """,
    # 2: a file's problem as a code and parameters (JSON), said in the reader's language;
    # English sentences stored before are converted by knowledge_problem (problems.py)
    """
    UPDATE files SET error = knowledge_problem(error) WHERE error != '';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]
