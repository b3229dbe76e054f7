"""The translator keeps a text's lines when asked (``keep_lines``: text from an image, a
list, a poem): a reply that joined lines is replaced by the lines translated one by one.

Qwen2.5-Coder-0.5B judges it on short OCR-like texts, English → Chinese and Chinese →
English (measured before this existed: the popup's prompt and the translator alike gave
one line for a poem's four and for a paragraph wrapped over three). A scripted stand-in
that always joins lines checks the mechanics exactly; the join itself is pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.engine.stream import TextStream
from llmasos.services.translation.finish import ChunkOutcome, Note
from llmasos.services.translation.lines import LINES_KEPT, join_lines, lines_differ
from llmasos.services.translation.service import (
    ChunkTranslated,
    LineByLine,
    TranslationRequest,
    TranslationResult,
    translate,
)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_SENTINEL = re.compile(r"⟦|⟧|\[\[\d")

# short texts as a screenshot holds them: lines that are sentences, and lines that are
# pieces of one sentence (the model joins those)
OCR_LIKE = [
    (
        (
            "The quick brown fox jumps over the lazy dog.",
            "Invoice 2026-118: total 4,250.00 EUR, due 15 March.",
            "Offline assistants keep your documents private.",
        ),
        "zh-Hans",
    ),
    (("Roses are red,", "violets are blue,", "sugar is sweet,", "and so are you."), "zh-Hans"),
    (("Offline assistants keep your", "documents private and work", "without any network."), "zh"),
    (
        (
            "今天天气很好，我们去公园散步吧。",
            "请在下周三之前提交季度报告。",
            "本地模型可以离线翻译和校对文本。",
        ),
        "en",
    ),
    (("本地模型可以离线", "翻译和校对文本，", "不需要网络。"), "en"),
]


def _outcome(
    text: str, notes: tuple[Note, ...] = (), kept: int = 0, total: int = 0
) -> ChunkOutcome:
    return ChunkOutcome(text, text, notes, kept, total, chatter=False)


# -- the join (pure) ------------------------------------------------------------------------
def test_lines_differ_only_for_a_text_of_several_lines() -> None:
    assert lines_differ("a\nb\nc", "a b c")
    assert lines_differ("a\nb", "a\nb\nc")
    assert not lines_differ("a\n\nb", "x\ny")  # blank lines do not count
    assert not lines_differ("one line", "two\nlines")  # one line: nothing to keep


def test_join_lines_keeps_the_source_lines_indent_and_blank_lines() -> None:
    twice = Note("problem", "Left untranslated: fox")
    lines = [
        _outcome("第一行", (twice,), kept=1, total=1),
        None,  # blank: kept
        _outcome("第二行\n\n---\n### 翻译\n第二行"),  # what a small model adds goes
        None,  # no words: kept as it is
        _outcome("第三行", (twice,), kept=0, total=2),
    ]
    joined = join_lines("first\n\n  second\n4,250.00\nthird", lines)
    assert joined.text == "第一行\n\n  第二行\n4,250.00\n第三行"
    assert joined.notes == (Note("repaired", LINES_KEPT), twice)
    assert (joined.kept, joined.total, joined.chatter, joined.fixes) == (1, 3, False, ())
    with pytest.raises(ValueError):
        join_lines("a\nb", [None])


# -- the mechanics, exactly: a stand-in that always joins lines -----------------------------
class _Reply(TextStream[str]):
    def __init__(self, text: str, cancel: CancelToken) -> None:
        self._cancel = cancel
        self._it = iter(re.findall(r"\S+\s*", text))


class JoiningEngine:
    """Replies with the text of its ``<text>`` block, lines joined by spaces, upper case."""

    n_ctx = 2048

    def __init__(self) -> None:
        self.asked: list[str] = []

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        return [0] * (len(text) // 4 + 1)

    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        cancel: CancelToken | None = None,
    ) -> TextStream[str]:
        found = re.search(r"<text>\n(.*)\n</text>", messages[-1].content, re.DOTALL)
        text = found.group(1) if found else ""
        self.asked.append(text)
        return _Reply(" ".join(text.upper().split()), cancel or CancelToken())


def _run(engine: Any, request: TranslationRequest) -> tuple[TranslationResult, list[Any]]:
    job = translate(engine, request)
    items = list(job)
    assert job.result is not None
    return job.result, items


def test_a_joined_reply_is_translated_again_line_by_line() -> None:
    engine = JoiningEngine()
    source = "roses are red,\nviolets are blue,\n\n  sugar is sweet,\n42"
    result, items = _run(engine, TranslationRequest(source, target="fr", keep_lines=True))
    assert result.text == "ROSES ARE RED,\nVIOLETS ARE BLUE,\n\n  SUGAR IS SWEET,\n42"
    assert LINES_KEPT in [n.message for n in result.notes]
    assert not any("lines where the source has" in p for p in result.problems)
    # the whole chunk first, then each line with words on its own (42 and the blank kept)
    assert engine.asked[0].count("\n") == 4
    assert engine.asked[1:] == ["roses are red,", "violets are blue,", "sugar is sweet,"]
    chunks = [i for i in items if isinstance(i, ChunkTranslated)]
    assert [c.text for c in chunks] == [result.text]  # the chunk's final text has the lines
    streamed = "".join(i for i in items if isinstance(i, str))
    assert streamed.count("\n") == 0  # the lines' own streams are not yielded
    # the redo is announced after the joined preview, then each line done, before the
    # chunk's lines: what the popup shows while nothing streams
    events = [i for i in items if not isinstance(i, str)]
    redo = [e for e in events if isinstance(e, LineByLine)]
    assert redo == [LineByLine(0, n, 3) for n in range(4)]
    last_text = max(n for n, i in enumerate(items) if isinstance(i, str))
    assert last_text < items.index(redo[0])
    assert events.index(redo[-1]) + 1 == events.index(chunks[0])


def test_no_redo_no_line_by_line_events() -> None:
    items = list(translate(JoiningEngine(), TranslationRequest("one line", target="fr")))
    items += list(translate(JoiningEngine(), TranslationRequest("a\nb", target="fr")))
    assert not any(isinstance(i, LineByLine) for i in items)  # lines joined, keep_lines off


def test_without_keep_lines_a_joined_reply_is_reported_not_redone() -> None:
    engine = JoiningEngine()
    result, _ = _run(engine, TranslationRequest("roses are red,\nviolets are blue,", target="fr"))
    assert result.text == "ROSES ARE RED, VIOLETS ARE BLUE,"
    assert len(engine.asked) == 1
    assert any("lines where the source has" in p for p in result.problems)


# -- the real model --------------------------------------------------------------------------
@pytest.mark.real_model
@pytest.mark.parametrize(("lines", "target"), OCR_LIKE)
def test_qwen_keeps_the_lines_of_ocr_like_text(
    qwen_engine: Any, lines: tuple[str, ...], target: str
) -> None:
    source = "\n".join(lines)
    result, _ = _run(qwen_engine, TranslationRequest(source, target=target, keep_lines=True))
    out = result.text.split("\n")
    print(f"lines in {len(lines)} out {len(out)}: {result.text!r}")  # the measured figure
    assert len(out) == len(lines), result.text
    for line in out:
        assert line.strip() and not _SENTINEL.search(line), result.text
        if target.startswith("zh"):
            assert _HAN.search(line), result.text
        else:
            assert re.search("[A-Za-z]", line) and not _HAN.search(line), result.text
    assert not result.chatter and not result.wrong_language, result.notes
