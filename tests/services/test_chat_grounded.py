"""Chat turns in a conversation with knowledge collections attached, on real components:
documents written here, a real SQLite index and conversation file, the m3e-small embedder
and Qwen2.5-Coder-0.5B (greedy)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from helpers.knowledge_docs import HANDBOOK, write_docs
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.services.chat.conversations import DONE, ConversationStore
from llmasos.services.chat.grounding import Grounding, sources
from llmasos.services.chat.service import ChatService, ReplyEnded
from llmasos.services.knowledge.answer import NOT_COVERED
from llmasos.services.knowledge.indexer import sync
from llmasos.services.knowledge.search import Searcher
from llmasos.services.knowledge.store import KnowledgeStore

pytestmark = pytest.mark.real_model

PARAMS = SamplingParams(temperature=0.0, max_tokens=48, seed=0)


@pytest.fixture(scope="module")
def embedder(m3e_small_path: Path) -> Iterator[LlamaEmbedder]:
    model = LlamaEmbedder(m3e_small_path, probe=False, n_threads=1)
    yield model
    model.close()


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory, embedder: LlamaEmbedder) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("grounded")
    folder = write_docs(root / "docs", HANDBOOK)
    with KnowledgeStore(root / "knowledge.sqlite3") as store:
        store.add_collection("Handbook", [folder])
        list(sync(store, "Handbook", embedder))
        yield store


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[ChatService]:
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    yield ChatService(store)
    store.close()


def turn(chat: ChatService, engine: Any, grounding: Grounding, conv_id: int, text: str) -> Any:
    chat.add_user_message(conv_id, text)
    items = list(chat.reply(engine, CancelToken(), conv_id, PARAMS, grounding))
    ended = items[-1]
    assert isinstance(ended, ReplyEnded) and ended.message.status == DONE, items
    return ended.message


def test_a_reply_in_a_conversation_with_a_collection_cites_the_right_file(
    qwen_engine: Any, knowledge: KnowledgeStore, embedder: LlamaEmbedder, chat: ChatService
) -> None:
    conv = chat.store.create()
    chat.store.update(conv.id, collections=("Handbook",))
    grounding = Grounding(knowledge, Searcher(knowledge), embedder)
    question = "How many days of paid annual leave do full-time employees get?"
    message = turn(chat, qwen_engine, grounding, conv.id, question)
    assert "27" in message.content, message.content
    cited = sources(message)
    assert cited, message.content
    for source in cited:
        assert Path(source.file).name == "handbook.md"
        assert "27 days" in source.passage and source.heading[-1] == "Annual leave"
        assert f"[{source.number}]" in message.content
    # stored: a new store on the same file reads the same citations
    again = ConversationStore(chat.store.path)
    try:
        assert sources(again.messages(conv.id)[-1]) == cited
    finally:
        again.close()
    # the next question is answered from the documents too, with the first turn as context
    follow_up = turn(chat, qwen_engine, grounding, conv.id, "Which ocean is the largest?")
    assert follow_up.content == NOT_COVERED["en"] and follow_up.citations == ""


def test_without_collections_or_with_removed_ones_the_reply_is_ordinary(
    qwen_engine: Any, knowledge: KnowledgeStore, embedder: LlamaEmbedder, chat: ChatService
) -> None:
    grounding = Grounding(knowledge, None, embedder)
    conv = chat.store.create()
    chat.store.update(conv.id, collections=("No such collection",))
    message = turn(chat, qwen_engine, grounding, conv.id, "What is the capital of Peru?")
    assert message.content and message.content != NOT_COVERED["en"]
    assert message.citations == "" and sources(message) == ()
    assert sources(replace(message, citations="{not json")) == ()  # damaged: none, logged
