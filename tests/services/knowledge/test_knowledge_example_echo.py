"""An answer that copies the prompt's worked example is never shown (it happened: "The
library opens at 9:00 [1]." — the old example's answer — to a question on annual leave).

The example's facts are made up, so a copy is caught: the question is asked again
without the example, and a second copy counts as a decline. The engine here
is scripted (exact replies decide the path; the real model's side is in
test_knowledge_answer.py and bench/knowledge.py); the index is real SQLite, full text."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import TextStream
from llmasos.services.knowledge.answer import NOT_COVERED, AnswerResult, AskDone, AskRequest, ask
from llmasos.services.knowledge.indexer import sync
from llmasos.services.knowledge.prompt import build_messages, echoes_example
from llmasos.services.knowledge.search import Passage
from llmasos.services.knowledge.store import KnowledgeStore

LEAVE = (
    "Every full-time employee receives 27 days of paid annual leave per calendar year. "
    "Unused days may be carried over until the end of March."
)
QUESTION = "How many days of paid annual leave do full-time employees get?"
COPY = "The ferry to Kestrel Island leaves at 7:40 [1]."


def passage(text: str) -> Passage:
    return Passage(
        chunk_id=1, collection="c", file="/docs/leave.md", kind="md", page=None, heading=(),
        start=0, end=len(text), text=text, rank=1, fused=0.03, coverage=1.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    "answer",
    [
        COPY,
        "A return ticket costs 13 euros [2].",
        "The ferry leaves at 7:40 [1].",
        "Full-time employees get the ferry to Kestrel Island [1].",
    ],
)
def test_a_copy_of_the_example_is_caught(answer: str) -> None:
    assert echoes_example(answer, [passage(LEAVE)])


MEALS = (
    "Meals on business trips are reimbursed up to 45 euros per day with receipts. "
    "The hotel allowance is 180 euros per night."
)


@pytest.mark.parametrize(
    "answer",
    [
        # bench x-zh-en-03: the example's ticket price in a Chinese sentence; the passage
        # says "euros" too, so no word of the example told it before
        "出差时每天的餐费最多报销13 euros [1]。",
        "出差时每天的餐费最多报销13欧元 [1]。",
        "每天的餐费最多报销€13 [1]。",
        "渡轮7:40出发 [1]。",
    ],
)
def test_a_copied_figure_in_a_chinese_answer_is_caught(answer: str) -> None:
    assert echoes_example(answer, [passage(MEALS)])


@pytest.mark.parametrize(
    "answer",
    [
        "出差时每天的餐费最多报销45欧元 [1]。",
        "出差时每天的餐费最多报销45 euros [1]。",
        "酒店每晚最多报销180欧元，2013年起执行 [1]。",
        "每天13:00前提交报销单 [1]。",
    ],
)
def test_a_chinese_answer_from_the_passages_is_no_copy(answer: str) -> None:
    assert not echoes_example(answer, [passage(MEALS)])


def test_the_examples_figure_given_by_a_passage_is_the_passages() -> None:
    assert not echoes_example("午餐最多报销13欧元 [1]。", [passage("Lunch: up to 13 euros.")])


@pytest.mark.parametrize(
    "answer",
    [
        "Full-time employees get 27 days of paid annual leave [1].",
        "Unused days may be carried over until the end of March [1].",
        "全职员工每年有27天带薪年假 [1]。",
        # one word of the example, used by the passage too, is no copy
        "The island office closes at 18:20 [1].",
    ],
)
def test_an_answer_from_the_passages_is_no_copy(answer: str) -> None:
    island = passage("The island office opens at 8:00 and closes at 18:20.")
    assert not echoes_example(answer, [passage(LEAVE), island])


def test_the_example_can_be_left_out() -> None:
    messages = build_messages(QUESTION, [passage(LEAVE)], "en")
    assert [m.role for m in messages] == ["system", "user"]
    assert messages[0].content.endswith(f"Answer: {COPY}")
    assert QUESTION in messages[-1].content and LEAVE in messages[-1].content
    bare = build_messages(QUESTION, [passage(LEAVE)], "en", example=False)
    assert [m.role for m in bare] == ["system", "user"]
    assert not any("Kestrel" in m.content for m in bare)


class Scripted:
    """Replies in turn with ``replies`` and keeps the prompts it was given."""

    n_ctx = 4096

    def __init__(self, replies: Sequence[str]) -> None:
        self.replies = list(replies)
        self.prompts: list[list[ChatMessage]] = []

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(len(m.content) // 4 for m in messages)

    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> TextStream[str]:
        self.prompts.append(list(messages))
        return _Reply(self.replies.pop(0), cancel or CancelToken())


class _Reply(TextStream[str]):
    def __init__(self, text: str, cancel: CancelToken) -> None:
        self._cancel = cancel
        self._it = iter(re.findall(r"\S+\s*", text))  # word by word, as tokens come


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "leave.md").write_text(f"# Leave\n\n{LEAVE}\n", "utf-8")
    with KnowledgeStore(tmp_path / "k.sqlite3") as s:
        s.add_collection("docs", [folder])
        list(sync(s, "docs"))
        yield s


def answer(engine: Scripted, store: KnowledgeStore) -> tuple[str, AnswerResult]:
    job = ask(engine, store, AskRequest(QUESTION, ("docs",), translate_query=False))
    items = list(job)
    streamed = "".join(i for i in items if isinstance(i, str))
    done = items[-1]
    assert isinstance(done, AskDone)
    return streamed, done.result


def test_a_copied_answer_is_not_shown_and_asked_again_without_the_example(
    store: KnowledgeStore,
) -> None:
    engine = Scripted([COPY + " More text.", "Full-time employees get 27 days [1]."])
    streamed, result = answer(engine, store)
    assert "Kestrel" not in streamed and "Kestrel" not in result.text
    assert result.text == "Full-time employees get 27 days [1]."
    assert result.echoed_example and not result.model_declined
    assert [c.supported for c in result.citations] == [True]
    first, second = engine.prompts
    assert any("Kestrel" in m.content for m in first)
    assert not any("Kestrel" in m.content for m in second)


def test_a_second_copy_counts_as_a_decline(store: KnowledgeStore) -> None:
    engine = Scripted([COPY, "The ferry leaves at 7:40 [1]."])
    streamed, result = answer(engine, store)
    assert len(engine.prompts) == 2
    assert streamed == result.text == NOT_COVERED["en"]
    assert result.model_declined and result.echoed_example
    assert not result.covered and result.citations == ()
