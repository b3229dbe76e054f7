"""Splitting long documents into chunks that fit a token budget."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.services.text.chunking import (
    approx_tokens,
    paragraphs,
    sentences,
    split_margins,
    split_spans,
    split_text,
)


def words(text: str) -> int:
    return len(text.split())


DOC = (
    "First paragraph has five words.\n\nSecond one is here. It has two sentences!\n\n\n"
    "  Third paragraph, indented.\n\nLast."
)


def test_paragraphs_keep_their_separators() -> None:
    parts = paragraphs(DOC)
    assert parts == [
        "First paragraph has five words.\n\n",
        "Second one is here. It has two sentences!\n\n\n  ",
        "Third paragraph, indented.\n\n",
        "Last.",
    ]


@pytest.mark.parametrize("budget", [1, 2, 3, 5, 8, 13, 100])
def test_chunks_fit_and_reassemble_exactly(budget: int) -> None:
    chunks = split_text(DOC, budget, words)
    assert "".join(chunks) == DOC
    assert all(words(c) <= budget for c in chunks)


def test_cuts_at_paragraphs_before_sentences() -> None:
    assert split_text(DOC, 8, words) == [
        "First paragraph has five words.\n\n",
        "Second one is here. It has two sentences!\n\n\n  ",
        "Third paragraph, indented.\n\nLast.",
    ]
    # a paragraph over budget is cut between its sentences
    assert split_text(DOC, 5, words)[1:3] == [
        "Second one is here. ",
        "It has two sentences!\n\n\n  ",
    ]


def test_giant_sentence_is_hard_split() -> None:
    text = "word " * 50
    chunks = split_text(text, 7, words)
    assert "".join(chunks) == text and all(words(c) <= 7 for c in chunks)
    assert all(c.endswith(" ") for c in chunks)  # cut after a space, not inside a word


def test_chinese_sentences() -> None:
    text = "今天天气很好。我们去公园吧！好不好？\n第二行"
    assert sentences(text) == ["今天天气很好。", "我们去公园吧！", "好不好？\n", "第二行"]
    chunks = split_text(text, 8, len)
    assert "".join(chunks) == text and all(len(c) <= 8 for c in chunks)


def test_edges() -> None:
    assert split_text("", 10, words) == []
    with pytest.raises(ValueError, match="at least 1"):
        split_text("x", 0, words)
    assert split_margins("\n\n  abc def \n\n") == ("\n\n  ", "abc def", " \n\n")
    assert split_margins("  \n") == ("  \n", "", "")


def test_spans_cover_the_text_like_the_chunks() -> None:
    spans = split_spans(DOC, 6, words)
    assert [DOC[a:b] for a, b in spans] == split_text(DOC, 6, words)
    assert spans[0][0] == 0 and spans[-1][1] == len(DOC)
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(spans))


def test_approx_tokens_counts_cjk_characters_one_each() -> None:
    assert approx_tokens("") == 0
    assert approx_tokens("知识库") == 3
    assert approx_tokens("abcdefgh") == 2
    assert approx_tokens("知识 base") == 2 + 2


@pytest.mark.real_model
def test_long_document_with_real_tokenizer(smollm2_path: Path) -> None:
    engine = LlamaEngine(EngineSettings(n_ctx=256, n_threads=1, probe=False))
    engine.load(smollm2_path)
    try:
        paragraph = (
            "The harbour was quiet that morning, and the fishing boats rocked gently "
            "against the pier while gulls circled overhead. "
        )
        doc = "\n\n".join(paragraph * (i % 3 + 1) for i in range(12))

        def count(text: str) -> int:
            return len(engine.tokenize(text))

        chunks = split_text(doc, 100, count)
        assert len(chunks) > 3 and "".join(chunks) == doc
        assert all(count(c) <= 100 for c in chunks)
        assert all(c.endswith("\n\n") for c in chunks[:-1])  # every cut at a paragraph
    finally:
        engine.close()
