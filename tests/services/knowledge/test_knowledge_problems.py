"""Per-file problems stored as a code and parameters (services/knowledge/problems.py) on
real SQLite files: what the indexer writes, and the migration of an index whose rows hold
English sentences."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from helpers.documents import write_pdf
from llmasos.services.chat.schema import statements
from llmasos.services.knowledge.indexer import FileChanged, sync
from llmasos.services.knowledge.problems import (
    PROBLEMS,
    FileProblem,
    problem_of,
    stored_from_text,
)
from llmasos.services.knowledge.schema import MIGRATIONS, SCHEMA_VERSION
from llmasos.services.knowledge.store import KnowledgeStore

# what LLMasOS wrote into files.error before schema 2, one of each kind, and one it never
# wrote (kept as it is)
OLD_ROWS = {
    "big.txt": "big.txt is larger than 50 MiB, too big to index. Split it, or leave it out of "
    "the collection.",
    "data.txt": "data.txt looks binary, not text. Leave it out of the collection.",
    "gbk.txt": "gbk.txt is neither UTF-8 nor GB18030 text (byte 0xff at offset 12). Convert it "
    "to UTF-8, e.g. with iconv.",
    "secret.pdf": "secret.pdf is protected by a password. Save a copy without the password to "
    "index it.",
    "broken.docx": "broken.docx is not a readable Word document (BadZipFile: File is not a zip "
    "file). Open it in Word or LibreOffice and save it again as .docx.",
    "locked.md": "/docs/locked.md cannot be read (Permission denied). Check its permissions.",
    "scan.pdf": "no text found (a scanned PDF needs OCR first)",
    "odd.txt": "something a later version never says",
}
EXPECTED = {
    "big.txt": ("too_big", {"name": "big.txt", "mib": "50"}),
    "data.txt": ("binary", {"name": "data.txt"}),
    "gbk.txt": (
        "encoding",
        {"name": "gbk.txt", "encoding": "GB18030", "byte": "0xff", "offset": "12"},
    ),
    "secret.pdf": ("password", {"name": "secret.pdf"}),
    "broken.docx": (
        "bad_docx",
        {"name": "broken.docx", "detail": "BadZipFile: File is not a zip file"},
    ),
    "locked.md": ("unreadable", {"path": "/docs/locked.md", "reason": "Permission denied"}),
    "scan.pdf": ("no_text", {}),
    "odd.txt": ("other", {"text": "something a later version never says"}),
}


def test_an_index_of_schema_1_gets_codes_and_parameters(tmp_path: Path) -> None:
    path = tmp_path / "knowledge.sqlite3"
    db = sqlite3.connect(path)
    db.create_function("knowledge_words", 1, lambda text: text)
    for statement in statements(MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO collections (name, created) VALUES ('docs', 0)")
    for name, error in OLD_ROWS.items():
        status = "empty" if name == "scan.pdf" else "error"
        db.execute(
            "INSERT INTO files (collection_id, path, kind, size, mtime_ns, sha256, status, error,"
            " chunks, indexed) VALUES (1, ?, 'text', 1, 1, '', ?, ?, 0, 0)",
            (f"/docs/{name}", status, error),
        )
    db.execute(
        "INSERT INTO files (collection_id, path, kind, size, mtime_ns, sha256, status, error,"
        " chunks, indexed) VALUES (1, '/docs/fine.md', 'markdown', 1, 1, '', 'ok', '', 3, 0)"
    )
    db.commit()
    db.close()
    with KnowledgeStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 2
        records = {Path(f.path).name: f for f in store.files(store.collection("docs").id)}
    assert records["fine.md"].error == "" and records["fine.md"].problem is None
    for name, (code, params) in EXPECTED.items():
        stored = json.loads(records[name].error)
        assert stored == {"code": code, "params": params}, name
        problem = records[name].problem
        assert problem is not None and problem.text() == OLD_ROWS[name]  # same words back
    # running the conversion again changes nothing
    converted = records["gbk.txt"].error
    assert stored_from_text(converted) == converted


def test_the_indexer_stores_codes_and_says_them_in_english(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "blob.txt").write_bytes(b"\x00\x01binary")
    write_pdf(docs / "secret.pdf", [["hidden"]], password="pw")
    write_pdf(docs / "scan.pdf", [[]])  # a page without text
    (docs / "fine.md").write_text("# Fine\n\nSome text.\n")
    with KnowledgeStore(tmp_path / "k.sqlite3") as store:
        store.add_collection("docs", [docs])
        events = [e for e in sync(store, "docs") if isinstance(e, FileChanged)]
        records = {Path(f.path).name: f for f in store.files(store.collection("docs").id)}
    failed = {Path(e.path).name: e for e in events if e.problem is not None}
    assert set(failed) == {"blob.txt", "secret.pdf", "scan.pdf"}
    assert failed["blob.txt"].error == PROBLEMS["binary"].format(name="blob.txt")
    assert failed["secret.pdf"].problem == FileProblem.of("password", name="secret.pdf")
    assert json.loads(records["secret.pdf"].error) == {
        "code": "password",
        "params": {"name": "secret.pdf"},
    }
    assert records["scan.pdf"].problem == FileProblem.of("no_text")
    assert records["fine.md"].problem is None


@pytest.mark.parametrize("stored", ["not json", '{"no": "code"}', "[1, 2]"])
def test_anything_else_in_the_column_reads_as_its_own_text(stored: str) -> None:
    assert problem_of(stored) == FileProblem.of("other", text=stored)
    assert problem_of(stored).text() == stored
    assert FileProblem.of("password").text() == "password"  # a parameter missing: the code
