"""A file's problem is said in the UI language at display time (the index stores a code
and parameters): the Knowledge page's file list in English and in Chinese, real widgets and
the real translator over a real index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from helpers.documents import write_pdf
from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.knowledge.files import FileList
from llmasos.apps.gui.knowledge.problems import problem_text
from llmasos.services.knowledge.indexer import sync
from llmasos.services.knowledge.problems import FileProblem
from llmasos.services.knowledge.store import KnowledgeStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_pdf(docs / "secret.pdf", [["hidden"]], password="pw")
    (docs / "fine.md").write_text("# Fine\n\nSome text.\n")
    with KnowledgeStore(tmp_path / "k.sqlite3") as s:
        s.add_collection("docs", [docs])
        list(sync(s, "docs"))
        yield s


def row_status(qtbot, store: KnowledgeStore, name: str) -> str:
    """The Status column of ``name``'s row, as the file list shows the collection (its
    background scan for waiting files runs, and the list is shut down right after)."""
    view = FileList()
    qtbot.addWidget(view)
    view.show_collection(store, "docs")
    rows = [view.topLevelItem(i) for i in range(view.topLevelItemCount())]
    [row] = [r for r in rows if r.text(0) == name]
    view.shutdown()
    return row.text(1)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Error: secret.pdf is protected by a password. Save a copy without the password "
            "to index it.",
        ),
        ("zh_CN", "secret.pdf 受密码保护。请另存一份不带密码的副本再索引。"),
    ],
)
def test_the_file_list_says_the_problem_in_the_ui_language(
    qtbot, qapp: QApplication, store: KnowledgeStore, language: str, expected: str
) -> None:
    install_translator(qapp, language)
    try:
        status = row_status(qtbot, store, "secret.pdf")
        if language == "en":
            assert status == expected
        else:
            assert status.endswith(expected) and status != expected  # 错误：… before it
        assert problem_text(FileProblem.of("other", text="as stored")) == "as stored"
    finally:
        install_translator(qapp, "en")
