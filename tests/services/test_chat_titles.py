"""Conversation titles and export file names: pure functions, no model needed."""

from __future__ import annotations

import pytest

from llmasos.services.chat.export import FILE_NAME_CHARS, export_file_name
from llmasos.services.chat.service import (
    TITLE_WIDTH,
    clean_title,
    fallback_title,
    shorten_title,
    title_fits,
    title_request,
)

LONG_CHINESE = "请帮我写一封给房东的信，说明我下个月要搬走，并且希望能退还押金，谢谢你的帮助"


def _columns(text: str) -> int:
    return sum(2 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("Name a colour.", "Name a colour."),
        ("Tell me about the history of the Roman empire please", "Tell me about the history of…"),
        ("  Wie   geht's\ndir heute, mein lieber Freund?", "Wie geht's dir heute, mein lieber…"),
        (
            "Explain internationalization-localization differences",
            "Explain internationalization-localization…",
        ),
        ("", "New chat"),
    ],
)
def test_temporary_titles_end_between_words_with_an_ellipsis(message: str, title: str) -> None:
    assert fallback_title(message) == title


def test_a_chinese_title_is_cut_between_characters() -> None:
    title = fallback_title(LONG_CHINESE)
    assert title.endswith("…") and LONG_CHINESE.startswith(title[:-1])
    assert title[-2] not in "，。"  # no comma left dangling before the ellipsis
    assert _columns(title) <= TITLE_WIDTH and len(title) > 10
    mixed = fallback_title("用Python写一个快速排序函数并解释它的时间复杂度以及空间复杂度好吗")
    assert mixed.startswith("用Python写") and mixed.endswith("…")


def test_shorten_title_cuts_only_when_needed() -> None:
    assert shorten_title("Short and sweet") == "Short and sweet"
    assert shorten_title("one two three", words=2) == "one two…"
    cut = shorten_title("word " * 30, width=20)
    assert cut == "word word word word…" and len(cut) <= 20
    hard = shorten_title("x" * 100, width=20)  # one endless word: cut inside it
    assert hard == "x" * 19 + "…"
    assert shorten_title("a" + "\u0301" * 3 + "b" * 30, width=3).startswith("a\u0301")  # é kept
    assert clean_title("Title: " + "A rather long title about boats " * 3).endswith("…")


def test_title_request_names_the_conversation_language() -> None:
    assert "Simplified Chinese" in title_request("你好，帮我写一首诗")
    assert "Japanese" in title_request("こんにちは、元気ですか")
    assert "French" in title_request(
        "Bonjour, pouvez-vous m'aider à écrire une lettre à mon propriétaire ?"
    )
    assert "written in" not in title_request("ok")  # too short to tell: no language named


def test_a_title_in_another_script_does_not_fit() -> None:
    chinese = "用Python写一个快速排序函数"
    assert not title_fits("Quick sort in Python", chinese)
    assert title_fits("Python 快速排序", chinese)  # a Latin name inside is fine
    assert title_fits("快速排序", chinese)
    assert not title_fits("颜色的名字", "Name a colour, please, any colour you like.")
    assert title_fits("Colours", "Name a colour, please, any colour you like.")
    assert title_fits("ひらがなの練習", "ひらがなを教えてください")
    assert title_fits("2024", "你好")  # no letters: nothing to contradict


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Holiday plans", "Holiday-plans.md"),
        ("天气 预报", "天气-预报.md"),
        ("「天气」预报：明天？", "「天气」预报：明天？.md"),  # full-width punctuation is fine
        ('What\'s C++? A "quick" guide: part 1/2', "What's-C++-A-quick-guide-part-1-2.md"),
        ("tab\there\nnewline\x07bell", "tab-here-newline-bell.md"),
        ("Über straße, café", "Über-straße,-café.md"),
        ("  ..hidden.  ", "hidden.md"),
        ('<>:"/\\|?*', "chat.md"),
        ("", "chat.md"),
        ("con", "con_.md"),
    ],
)
def test_export_file_name_keeps_letters_and_drops_only_invalid(title: str, name: str) -> None:
    assert export_file_name(title, ".md") == name


def test_export_file_name_is_limited() -> None:
    name = export_file_name("word " * 40, ".json")
    assert name.endswith("word.json") and len(name) <= FILE_NAME_CHARS + len(".json")
    chinese = export_file_name("你" * 300, ".md")
    assert len(chinese) <= FILE_NAME_CHARS + 3 and len(chinese.encode()) <= 255
    emoji = export_file_name("🙂" * 300, ".md", limit=250)
    assert len(emoji.encode()) <= 255
