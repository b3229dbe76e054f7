"""Knowledge collections attached to a chat, on real components: the real kernel with
Qwen2.5-Coder-0.5B, the knowledge index (real SQLite) indexed with m3e-small by the
kernel's indexer, the conversation file, real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices

from helpers.knowledge_docs import HANDBOOK, write_docs
from helpers.opened_urls import Opened
from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.common.sources import SourcesView
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.kernel.knowledge import KnowledgeIndexer
from llmasos.services.chat.conversations import ConversationStore
from llmasos.services.knowledge.store import KnowledgeStore

pytestmark = pytest.mark.real_model
WAIT_MS = 180_000
PARAMS = SamplingParams(temperature=0.0, max_tokens=48, seed=0)


@pytest.fixture
def setup(qtbot, tmp_path: Path, qwen_path: Path, m3e_small_path: Path) -> Iterator[tuple]:
    docs = write_docs(tmp_path / "Handbook", HANDBOOK)
    kernel = Kernel()
    with qtbot.waitSignal(kernel.loaded, timeout=WAIT_MS):
        kernel.load_model(qwen_path, EngineSettings(n_ctx=2048, n_threads=2))
    knowledge = KnowledgeStore(tmp_path / "knowledge.sqlite3")
    indexer = KnowledgeIndexer(kernel, knowledge, m3e_small_path, threads=1)
    knowledge.add_collection("Handbook", [docs])
    with qtbot.waitSignal(indexer.synced, timeout=WAIT_MS):
        indexer.sync("Handbook")
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    yield kernel, indexer, store, docs
    indexer.shutdown()
    assert kernel.shutdown(30)
    knowledge.close()
    store.close()


def make_page(qtbot, kernel: Kernel, store: ConversationStore, indexer: object) -> ChatPage:
    page = ChatPage(kernel, lambda: PARAMS, store=store)
    qtbot.addWidget(page)
    page.use_knowledge(lambda: indexer)  # type: ignore[arg-type, return-value]
    page.resize(900, 650)
    page.show()
    return page


def test_a_reply_in_a_conversation_with_a_collection_cites_and_opens_the_file(
    qtbot, setup: tuple
) -> None:
    kernel, indexer, store, docs = setup
    page = make_page(qtbot, kernel, store, indexer)
    button = page.documents.button
    assert button.isVisible() and button.text() == "Documents"
    # the menu lists the collection; checking it attaches it to a new conversation
    button.menu().aboutToShow.emit()
    [action] = button.menu().actions()
    assert action.text() == "Handbook" and not action.isChecked()
    action.setChecked(True)
    assert page.conversation_id is not None
    assert store.get(page.conversation_id).collections == ("Handbook",)
    assert button.text() == "Documents: Handbook"

    page.input.setPlainText("How many days of paid annual leave do full-time employees get?")
    page.submit()
    assert page.request_id is not None
    qtbot.waitUntil(lambda: page.request_id is None, timeout=WAIT_MS)
    reply = store.messages(page.conversation_id)[-1]
    assert reply.role == "assistant" and "27" in reply.content, reply.content
    # the status line tells what the answer cost (a grounded reply's stats once got lost)
    assert f"Done: {reply.completion_tokens} tokens" in page.status.text()
    assert reply.completion_tokens > 0
    widget = page.transcript.widget_for(reply.id)
    assert widget is not None
    view = widget.findChild(SourcesView)
    assert view is not None and view.isVisible()
    assert "handbook.md" in view.links.text() and "Annual leave" in view.links.text()
    assert "expenses.md" not in view.links.text()
    number = min(view.sources)

    view.links.linkActivated.emit(f"cite:{number}")  # a click on [n]
    assert view.passage.isVisible() and "27 days" in view.passage.text()
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        view.passage.linkActivated.emit(f"open:{number}")  # "Open handbook.md"
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in opened.urls] == [str(docs / "handbook.md")]
    assert not view.note.isVisible()  # opened as planned: nothing to say

    # the sources come back with the conversation, from the file
    page.new_conversation()
    page.open_conversation(reply.conversation_id)
    assert button.text() == "Documents: Handbook"
    again = page.transcript.widget_for(reply.id)
    assert again is not None and again.findChild(SourcesView) is not None

    # a moved file: nothing opens, and the message says what to do
    (docs / "handbook.md").rename(docs / "moved.md")
    view = again.findChild(SourcesView)
    message = view.open_source(number)
    assert "handbook.md is no longer there" in message and not view.note.isHidden()

    # detaching: the next reply is an ordinary one, with no sources
    button.menu().aboutToShow.emit()
    button.menu().actions()[0].setChecked(False)
    assert store.get(reply.conversation_id).collections == () and button.text() == "Documents"
