"""What the answering step says to the model and to the person (no model calls here).

The fixed texts shown to people (:data:`NOT_COVERED`, :data:`GENERAL_LABEL`) in English and
Chinese, the language helpers, the numbered-passage prompt with its one worked example
(:func:`build_messages`) and how to tell an answer that copies that example
(:func:`echoes_example`), the question-translation prompt, and how the model's "the
passages do not answer" reply (:data:`NOT_FOUND`) is recognised while it streams.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.services.knowledge.search import Passage
from llmasos.services.text.language import detect, find_language
from llmasos.services.text.numbers import Quantity, quantities
from llmasos.services.translation.prompt import build_messages as translation_messages

__all__ = [
    "GENERAL_LABEL",
    "GENERAL_SYSTEM",
    "NOT_COVERED",
    "NOT_FOUND",
    "build_messages",
    "echoes_example",
    "is_not_found",
    "language_name",
    "may_be_not_found",
    "question_language",
    "translation_request",
    "ui_language",
    "where",
]

#: What the answer says when the documents do not answer the question (en, zh).
NOT_COVERED = {
    "en": "The documents do not cover this.",
    "zh": "文档中没有涉及这个问题。",
}
GENERAL_LABEL = {
    "en": "General answer (not from your documents):",
    "zh": "一般性回答（并非来自你的文档）：",
}
#: What the prompt tells the model to reply when the passages do not answer.
NOT_FOUND = "NOT IN DOCUMENTS"

_SYSTEM = (
    "You answer questions using only the numbered passages the user gives. Write the "
    "answer as a full sentence, then the number of the passage it comes from in square "
    "brackets.{escape}"
)
# One worked example, after the rules: without it the small models write the markers and
# nothing else. The 0.5B model still answers with the example's fact now and then ("The
# library opens at 9:00 [1]." to a question on annual leave, with the example that was
# here before): its facts are now made up and unlikely in anyone's documents, so that a
# copy shows (echoes_example) and is never taken for an answer. Tried and dropped
# (bench/README.md, knowledge.py): a one-line example (copied for most questions), a
# format with placeholders (copied as is), the example as an earlier question and answer
# of its own (Chinese questions over English passages lost their figures).
_EXAMPLE_PASSAGES = (
    "[1] (ferry.txt)\nThe ferry to Kestrel Island leaves at 7:40 and returns at 18:20.\n\n"
    "[2] (tickets.txt)\nA return ticket to Kestrel Island costs 13 euros."
)
_EXAMPLE_QUESTION = "When does the ferry to Kestrel Island leave?"
_EXAMPLE_ANSWER = "The ferry to Kestrel Island leaves at 7:40 [1]."
_EXAMPLE = f"{_EXAMPLE_PASSAGES}\n{_EXAMPLE_QUESTION}\n{_EXAMPLE_ANSWER}"
_WORD = re.compile(r"[a-z]{4,}")
# The example's figures as it writes them, its currency also as a Chinese answer writes it.
# A copy in a Chinese sentence has no word of the example to tell it by: "13 euros" in
# "出差时每天的餐费最多报销13 euros", over passages that say "euros" too (bench
# x-zh-en-03), or "13欧元"; but it keeps the figure with its unit.
_EXAMPLE_FIGURE = re.compile(
    r"(?<![\d.,:])(?:7:40|18:20)(?![\d])|(?<![\d.,])(?:13\s*(?:euros?\b|欧元|€)|€\s*13(?![\d]))",
    re.IGNORECASE,
)
# Offered only when the passages are in the question's language: across languages the
# 0.5B test model took it for each answerable question tried (bench/README.md,
# knowledge.py), so there the relevance threshold alone decides.
_ESCAPE = f" If the passages do not answer the question, reply only: {NOT_FOUND}."
GENERAL_SYSTEM = "Answer the question briefly from general knowledge, in {language}."


def ui_language(code: str) -> str:
    """``zh`` for any Chinese, else ``en``: the languages the fixed texts are in."""
    return "zh" if code.lower().startswith("zh") else "en"


def question_language(question: str) -> str:
    """The question's language code (``en`` when unsure)."""
    found = detect(question)
    language = find_language(found.lang) if found.is_confident else None
    return language.code if language else "en"


def language_name(code: str) -> str:
    language = find_language(code)
    return language.name if language else "English"


def _bare(text: str) -> str:
    return text.strip().rstrip(".。!！").strip().upper()


def may_be_not_found(text: str) -> bool:
    return NOT_FOUND.startswith(_bare(text))


def is_not_found(text: str) -> bool:
    return _bare(text) == NOT_FOUND


def translation_request(question: str, language: str) -> list[ChatMessage]:
    """The messages that ask for ``question`` in the other one of English and Chinese.

    The translator's own prompt: a plain "translate this" made the small model answer
    the question instead (and invent the answer)."""
    target = find_language("en" if ui_language(language) == "zh" else "zh-Hans")
    assert target is not None
    return translation_messages(question, find_language(language), target)


def where(passage: Passage) -> str:
    """How a citation names its place: the file, then the page or the heading path."""
    name = PurePath(passage.file).name
    if passage.page:
        return f"{name}, page {passage.page}"
    return f"{name}, {' > '.join(passage.heading)}" if passage.heading else name


def _request(passages: str, question: str, language: str) -> str:
    return f"Passages:\n{passages}\n\nQuestion: {question}\nAnswer in {language_name(language)}."


def _system(escape: bool, example: bool) -> str:
    rules = _SYSTEM.format(escape=_ESCAPE if escape else "")
    if not example:
        return rules
    return (
        f"{rules}\n\nExample:\nPassages:\n{_EXAMPLE_PASSAGES}\nQuestion: {_EXAMPLE_QUESTION}"
        f"\nAnswer: {_EXAMPLE_ANSWER}"
    )


def build_messages(
    question: str,
    passages: Sequence[Passage],
    language: str,
    *,
    may_decline: bool = True,
    history: Sequence[ChatMessage] = (),
    example: bool = True,
) -> list[ChatMessage]:
    """The prompt: the rules with a worked example (unless not ``example``), then the
    numbered passages, the question and the language of the answer. The model may
    decline (:data:`NOT_FOUND`) when ``may_decline`` and the passages are in the
    question's language (see ``_ESCAPE``). ``history``: the earlier turns of a
    conversation, before the question (a chat with collections attached)."""
    blocks = [f"[{i}] ({where(p)})\n{p.text}" for i, p in enumerate(passages, start=1)]
    shown = "\n\n".join(blocks)
    same = may_decline and ui_language(question_language(shown)) == ui_language(language)
    return [
        ChatMessage("system", _system(same, example)),
        *history,
        ChatMessage("user", _request(shown, question, language)),
    ]


def echoes_example(answer: str, passages: Sequence[Passage]) -> bool:
    """Whether ``answer`` repeats the worked example instead of answering from
    ``passages``: it gives an amount of the example that no passage has, beside a word of
    the example that no passage has ("A return ticket costs 13 euros"), or written as the
    example writes it, with its unit ("13 euros", "13欧元", "7:40"), or at least two such
    words make half of its words ("The ferry leaves early")."""
    own = " ".join(p.text for p in passages).lower()
    words = _WORD.findall(answer.lower())
    alien = [w for w in words if w in _EXAMPLE.lower() and w not in own]
    mine = quantities(" ".join(p.text for p in passages))

    def is_theirs(amount: Quantity) -> bool:
        return not any(amount.same_as(m) for m in mine)

    example_amounts = quantities(_EXAMPLE.replace("[1]", "").replace("[2]", ""))
    bare = re.sub(r"\[\d+\]", "", answer)
    copied = [
        a for a in quantities(bare) if any(a.same_as(e) for e in example_amounts) and is_theirs(a)
    ]
    figures = [f for f in _EXAMPLE_FIGURE.findall(bare) if any(map(is_theirs, quantities(f)))]
    return (
        bool(figures)
        or bool(copied and alien)
        or (len(alien) >= 2 and 2 * len(alien) >= len(words))
    )
