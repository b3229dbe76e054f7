"""Answers from documents on real components: documents written here, a real SQLite
index, the real m3e-small embedder and Qwen2.5-Coder-0.5B (greedy, short answers).

The facts are numbers found in one document only, so a citation can be checked: the
passage it names must hold the number the answer gives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from helpers.knowledge_docs import HANDBOOK, write_docs
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
from llmasos.services.knowledge.answer import (
    DEFAULT_SAMPLING,
    GENERAL_LABEL,
    NOT_COVERED,
    AnswerResult,
    AskDone,
    AskRequest,
    Retrieved,
    ask,
)
from llmasos.services.knowledge.indexer import sync
from llmasos.services.knowledge.prompt import echoes_example
from llmasos.services.knowledge.store import KnowledgeStore

pytestmark = pytest.mark.real_model

DOCS = {
    **HANDBOOK,
    "租房.txt": "租房合同要点\n\n房屋月租金为四千三百元，押金为两个月租金，"
    "每三个月支付一次租金。\n\n物业费由房东承担，水电燃气费由租客按实际用量支付。\n",
    "图书馆.md": "# 借阅规则\n\n读者每次最多可借十五本书，借期为四十天。\n\n# 开放时间\n\n"
    "图书馆周一闭馆。\n",
}
SHORT = replace(DEFAULT_SAMPLING, max_tokens=48)


@pytest.fixture(scope="module")
def embedder(m3e_small_path: Path) -> Iterator[LlamaEmbedder]:
    model = LlamaEmbedder(m3e_small_path, probe=False, n_threads=1)
    yield model
    model.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embedder: LlamaEmbedder) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("answer")
    folder = write_docs(root / "docs", DOCS)
    with KnowledgeStore(root / "k.sqlite3") as s:
        s.add_collection("docs", [folder])
        list(sync(s, "docs", embedder))
        yield s


def run(engine: Any, store: KnowledgeStore, embedder: Any, request: AskRequest) -> tuple[
    list[Any], AnswerResult
]:  # fmt: skip
    job = ask(engine, store, request, embedder)
    items = list(job)
    assert isinstance(items[0], Retrieved) and isinstance(items[-1], AskDone)
    assert job.result is items[-1].result
    streamed = "".join(i for i in items if isinstance(i, str))
    assert streamed.strip().startswith(job.result.text[:10])
    return items, job.result


def test_the_cited_passage_holds_the_fact_the_answer_gives(
    qwen_engine: Any, store: KnowledgeStore, embedder: LlamaEmbedder
) -> None:
    question = "How many days of paid annual leave do full-time employees get?"
    request = AskRequest(question, ("docs",), translate_query=False, params=SHORT)
    items, result = run(qwen_engine, store, embedder, request)
    assert result.covered and not result.model_declined, result
    assert "27" in result.text, result.text
    assert result.citations, result.text
    # every citation names a passage that really holds the number; 12 and 45 are elsewhere
    for citation in result.citations:
        assert citation.passage.file.endswith("handbook.md")
        assert "27 days" in citation.passage.text
        assert citation.supported is True
    assert result.unknown_markers == ()
    retrieved = items[0]
    assert retrieved.covered and retrieved.queries == (question,)


@pytest.mark.parametrize(
    "question",
    [
        # the old prompt answered "A library card costs 5 euros [1]." from its example
        "How much does a library card cost?",
        "How many days of paid annual leave do employees get per year, and until when can "
        "unused days be carried over?",
    ],
)
def test_no_answer_repeats_the_prompts_example(
    qwen_engine: Any, store: KnowledgeStore, embedder: LlamaEmbedder, question: str
) -> None:
    job = ask(qwen_engine, store, AskRequest(question, ("docs",), params=SHORT), embedder)
    items = list(job)
    result = job.result
    assert result is not None
    streamed = "".join(i for i in items if isinstance(i, str))
    for text in (streamed, result.text):
        assert not echoes_example(text, result.passages), text
        assert "Kestrel" not in text and "ferry" not in text.lower(), text


@pytest.mark.parametrize(
    ("question", "language"),
    [("What is the capital city of Australia?", "en"), ("熊猫主要吃什么？", "zh")],
)
def test_questions_the_documents_do_not_answer_get_not_covered(
    qwen_engine: Any, store: KnowledgeStore, embedder: LlamaEmbedder, question: str, language: str
) -> None:
    job = ask(qwen_engine, store, AskRequest(question, ("docs",), translate_query=False), embedder)
    items = list(job)
    result = job.result
    assert result is not None and not result.covered
    assert result.text == NOT_COVERED[language]
    assert "".join(i for i in items if isinstance(i, str)) == NOT_COVERED[language]
    assert result.citations == () and result.passages == ()
    assert job.stats is None  # decided by retrieval: the model was not asked


def test_a_general_answer_is_labelled_as_not_from_the_documents(
    qwen_engine: Any, store: KnowledgeStore, embedder: LlamaEmbedder
) -> None:
    request = AskRequest(
        "熊猫主要吃什么？", ("docs",), general=True, translate_query=False, params=SHORT
    )
    _, result = run(qwen_engine, store, embedder, request)
    head = f"{NOT_COVERED['zh']}\n\n{GENERAL_LABEL['zh']}\n"
    assert result.text.startswith(head.strip()) and len(result.text) > len(head)
    assert not result.covered and result.general and result.citations == ()


def test_a_chinese_question_finds_and_cites_an_english_passage(
    qwen_engine: Any, store: KnowledgeStore, embedder: LlamaEmbedder
) -> None:
    # auto: the collection holds English too, so the question is also searched translated
    request = AskRequest("全职员工每年有多少天带薪年假？", ("docs",), params=SHORT)
    items, result = run(qwen_engine, store, embedder, request)
    retrieved = items[0]
    assert len(retrieved.queries) == 2, retrieved.queries
    assert any("27 days" in p.text for p in retrieved.passages), retrieved
    assert result.covered and result.language == "zh-Hans"
    assert "27" in result.text, result.text
    assert all("27 days" in c.passage.text for c in result.citations), result.citations


def test_an_english_question_finds_a_chinese_passage(
    qwen_engine: Any, store: KnowledgeStore, embedder: LlamaEmbedder
) -> None:
    request = AskRequest("How much is the monthly rent of the apartment?", ("docs",), params=SHORT)
    items, result = run(qwen_engine, store, embedder, request)
    retrieved = items[0]
    assert len(retrieved.queries) == 2, retrieved.queries
    assert retrieved.covered, retrieved
    assert retrieved.passages[0].file.endswith("租房.txt"), retrieved.passages
    assert result.covered
    assert all(c.passage.file.endswith("租房.txt") for c in result.citations)


def test_cancelled_before_it_starts_writes_nothing(
    qwen_engine: Any, store: KnowledgeStore, embedder: LlamaEmbedder
) -> None:
    cancel = CancelToken()
    cancel.cancel()
    question = "How many days of paid annual leave do full-time employees get?"
    job = ask(
        qwen_engine, store, AskRequest(question, ("docs",), translate_query=False), embedder, cancel
    )
    items = list(job)
    assert job.result is not None and job.result.cancelled and job.result.text == ""
    assert not any(isinstance(i, str) for i in items) and job.stats is None
