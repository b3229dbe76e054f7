"""A citation whose passage lacks an amount the answer gives is shown as such, in the
UI's language: beside its marker and under the answer in the Knowledge page's Ask tab,
and in a chat reply's sources (real widgets; the citations come from the real check,
``citations.cite``, on crafted answers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.common.sources import SourcesView
from llmasos.apps.gui.knowledge.ask import AskPanel
from llmasos.kernel.kernel import Kernel
from llmasos.kernel.knowledge import KnowledgeIndexer
from llmasos.services.chat.grounding import sources, sources_json
from llmasos.services.chat.records import StoredMessage
from llmasos.services.knowledge.answer import AnswerResult
from llmasos.services.knowledge.citations import cite
from llmasos.services.knowledge.search import Passage
from llmasos.services.knowledge.store import KnowledgeStore

WARNING = {
    "en": "The cited passage does not contain 12",
    "zh_CN": "所引用的段落中没有 12",
}


def passage(text: str, file: str, chunk_id: int) -> Passage:
    return Passage(
        chunk_id=chunk_id, collection="c", file=file, kind="md", page=None, heading=("H",),
        start=0, end=len(text), text=text, rank=chunk_id, fused=0.03, coverage=1.0,
    )  # fmt: skip


LEAVE = passage("Every employee receives 27 days of paid annual leave.", "/docs/leave.md", 1)
SICK = passage("Sick leave needs a doctor's note from the third day.", "/docs/sick.md", 2)
# [1] holds 27, not 12: unsupported; [2] has no amount to check
ANSWER = "Employees get 27 days of leave and 12 days of sick leave [1]. A note is needed [2]."
CITED = cite(ANSWER, [LEAVE, SICK])


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    lang = str(request.param)
    assert install_translator(qapp, lang) == (lang != "en")
    yield lang
    install_translator(qapp, "en")


@pytest.fixture
def panel(qtbot, tmp_path: Path) -> Iterator[AskPanel]:
    kernel = Kernel()
    store = KnowledgeStore(tmp_path / "knowledge.sqlite3")
    indexer = KnowledgeIndexer(kernel, store)
    made = AskPanel(indexer)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.shutdown()
    indexer.shutdown()
    assert kernel.shutdown(30)
    store.close()


def test_the_check_names_what_the_passage_lacks() -> None:
    first, second = CITED.citations
    assert (first.supported, first.missing) == (False, ("12",))
    assert (second.supported, second.missing) == (None, ())


def test_the_ask_tab_warns_beside_an_unsupported_citation(panel: AskPanel, language: str) -> None:
    result = AnswerResult(
        question="How many days?", text=CITED.text, language="en", covered=True,
        general=False, citations=CITED.citations, passages=(LEAVE, SICK), queries=(),
    )  # fmt: skip
    panel.show_result(result)
    shown = panel.answer.toPlainText()
    assert "[1]⚠" in shown and "[2]⚠" not in shown
    assert f"[1] ⚠ {WARNING[language]}" in shown
    panel.show_citation(1)
    assert panel.source.isVisible() and WARNING[language] in panel.source.text()
    panel.show_citation(2)
    assert "⚠" not in panel.source.text()


def test_a_chat_reply_warns_in_its_sources(qtbot, language: str) -> None:
    stored = StoredMessage(
        id=1, conversation_id=1, role="assistant", content=CITED.text, status="done",
        created=0.0, citations=sources_json(CITED.citations),
    )  # fmt: skip
    view = SourcesView(sources(stored))
    qtbot.addWidget(view)
    view.show()
    links = view.links.text()
    assert "leave.md — H</a> ⚠" in links and "sick.md — H</a> ⚠" not in links
    assert view.warnings.isVisible()
    assert view.warnings.text().startswith(f"[1] ⚠ {WARNING[language]}")
    view.show_source(1)
    assert WARNING[language] in view.passage.text()
    view.show_source(2)
    assert "⚠" not in view.passage.text()


def test_sources_without_an_unsupported_citation_show_no_warning(qtbot) -> None:
    stored = StoredMessage(
        id=1, conversation_id=1, role="assistant", content="27 days [1].", status="done",
        created=0.0, citations=sources_json(cite("27 days [1].", [LEAVE]).citations),
    )  # fmt: skip
    view = SourcesView(sources(stored))
    qtbot.addWidget(view)
    view.show()
    assert not view.warnings.isVisible() and "⚠" not in view.links.text()
