"""Offline language detection: script rules and py3langid, confidence for short input."""

from __future__ import annotations

import pytest

from llmasos.services.text.language import (
    CONFIDENT,
    LANGUAGES,
    detect,
    find_language,
    same_language,
)

SENTENCES = [
    ("这是一个简单的测试句子，我们明天见。", "zh-Hans"),
    ("這是一個簡單的測試句子，我們明天見。", "zh-Hant"),
    ("今日はいい天気ですね。散歩に行きましょう。", "ja"),
    ("안녕하세요, 만나서 반갑습니다.", "ko"),
    ("مرحبا، كيف حالك اليوم؟ أتمنى لك يوما سعيدا.", "ar"),
    ("Я люблю читать книги по вечерам.", "ru"),
    ("Добрий день! Як ви сьогодні?", "uk"),
    ("สวัสดีครับ วันนี้อากาศดีมาก", "th"),
    ("שלום, מה שלומך היום?", "he"),
    ("Καλημέρα, τι κάνεις σήμερα;", "el"),
    ("नमस्ते, आप कैसे हैं? मैं ठीक हूँ।", "hi"),
    ("The weather is lovely today, let's go for a walk.", "en"),
    ("Bonjour, comment allez-vous aujourd'hui ?", "fr"),
    ("Guten Morgen, wie geht es dir heute?", "de"),
    ("Hola, ¿cómo estás? Espero que muy bien.", "es"),
    ("Olá, tudo bem? Vamos ao cinema amanhã à noite.", "pt"),
    ("Buongiorno a tutti, oggi è una bella giornata.", "it"),
]


@pytest.mark.parametrize(("text", "lang"), SENTENCES)
def test_detects_language_of_each_script(text: str, lang: str) -> None:
    found = detect(text)
    assert found.lang == lang
    assert found.is_confident and found.confidence >= CONFIDENT


@pytest.mark.parametrize("text", ["ok", "Hi", "中", "东京", "12345", "", "  ", "{name} %s"])
def test_short_or_empty_input_is_not_confident(text: str) -> None:
    assert not detect(text).is_confident


def test_code_links_and_placeholders_do_not_count() -> None:
    text = "Das ist gut. `const x = 1` https://example.com/page {name} %s"
    assert detect(text).lang == "de"
    assert (
        detect(
            "```python\nprint('hello world, this is English')\n```\nBonjour à tous, merci beaucoup."
        ).lang
        == "fr"
    )


def test_kana_wins_over_kanji_and_mixed_text_is_less_sure() -> None:
    assert detect("東京タワーに行きました").lang == "ja"
    pure = detect("The meeting is at noon in the main hall.")
    mixed = detect("The meeting 会议 is at noon 在大厅 in the main hall 中午.")
    assert mixed.confidence < pure.confidence


def test_language_table_and_lookup() -> None:
    codes = {lang.code for lang in LANGUAGES}
    assert len(codes) >= 20
    assert {
        "zh-Hans",
        "zh-Hant",
        "en",
        "ja",
        "ko",
        "fr",
        "de",
        "es",
        "pt",
        "it",
        "ru",
        "ar",
    } <= codes
    assert find_language("zh-TW").code == "zh-Hant"
    assert find_language("French").code == "fr"
    assert find_language("日本語").code == "ja"
    assert find_language("klingon") is None
    assert same_language("zh-Hans", "zh-Hant") and not same_language("en", "fr")


def test_long_text_is_judged_on_a_sample() -> None:
    from llmasos.services.text.language import SAMPLE_CHARS, _sample

    text = "a" * SAMPLE_CHARS * 100 + "中文" * 10
    sample = _sample(text)
    assert len(sample) <= SAMPLE_CHARS + 2 and sample.endswith("中文" * 10)
    assert detect("Bonjour tout le monde, comment allez-vous ? " * 20000).lang == "fr"
