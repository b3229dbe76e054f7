"""Word-level (CJK: character-level) tracked changes and applying a subset of them."""

from __future__ import annotations

import itertools

import pytest

from llmasos.services.text.diff import apply_changes, diff_texts, dropped_words, split_words

EN_SOURCE = "Their is many reason why peple enjoy travelling. It give them joy."
EN_TARGET = "There are many reasons why people enjoy traveling. It gives them joy."
ZH_SOURCE = "我今天去了学校，天气很好。我们在公园里玩的很开心。"
ZH_TARGET = "我昨天去了学校，天气非常好。我们在公园里玩得很开心。"


def test_split_words_is_lossless_and_cjk_per_character() -> None:
    text = "I don't know 你好吗 well-done\n\n次"
    tokens = split_words(text)
    assert "".join(tokens) == text
    assert "don't" in tokens and "你" in tokens and "好" in tokens and "\n\n" in tokens


def test_english_changes_are_words() -> None:
    d = diff_texts(EN_SOURCE, EN_TARGET)
    assert [(c.old, c.new) for c in d.changes] == [
        ("Their is", "There are"),
        ("reason", "reasons"),
        ("peple", "people"),
        ("travelling", "traveling"),
        ("give", "gives"),
    ]
    assert all(EN_SOURCE[c.start : c.end] == c.old for c in d.changes)


def test_chinese_changes_are_characters() -> None:
    d = diff_texts(ZH_SOURCE, ZH_TARGET)
    assert [(c.old, c.new) for c in d.changes] == [("今", "昨"), ("很", "非常"), ("的", "得")]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (EN_SOURCE, EN_TARGET),
        (ZH_SOURCE, ZH_TARGET),
        ("a b c", "a b c d"),
        ("x y z", "y z"),
        ("", "new text"),
        ("old text", ""),
    ],
)
def test_every_subset_applies(source: str, target: str) -> None:
    d = diff_texts(source, target)
    ids = [c.index for c in d.changes]
    assert apply_changes(source, d.changes, set(ids)) == target
    assert apply_changes(source, d.changes, set()) == source
    for n in range(len(ids) + 1):
        for subset in itertools.combinations(ids, n):
            out = apply_changes(source, d.changes, set(subset))
            chosen = [c for c in d.changes if c.index in subset]
            assert len(out) == len(source) + sum(len(c.new) - len(c.old) for c in chosen)
            for c in chosen:
                assert c.new in out


def test_partial_accept_english() -> None:
    d = diff_texts(EN_SOURCE, EN_TARGET)
    out = apply_changes(EN_SOURCE, d.changes, {2, 4})  # only "people" and "gives"
    assert out == "Their is many reason why people enjoy travelling. It gives them joy."


def test_kinds_and_segments() -> None:
    d = diff_texts("keep this old word", "keep this new word and more")
    assert [c.kind for c in d.changes] == ["replace", "insert"]
    assert "".join(s.text for s in d.segments()) == d.source
    assert diff_texts("a b", "a").changes[0].kind == "delete"
    assert diff_texts("same", "same").changes == ()


def test_dropped_words_are_flagged_only_when_asked() -> None:
    source = "I will go to the libary tomorow."
    flagged = diff_texts(source, "I will go to the library.", flag_dropped=True)
    assert [(c.old, c.new, c.dropped) for c in flagged.changes] == [
        ("libary tomorow", "library", ("tomorow",))
    ]
    assert flagged.dropped == ("tomorow",)
    assert diff_texts(source, "I will go to the library.").dropped == ()  # not checked


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("One old woman teached us.", "One old woman taught us."),  # replaced, not dropped
        ("This is very very good.", "This is very good."),  # a doubled word
        ("I saw the the cat.", "I saw the cat."),  # a function word
        ("I will go to the libary tomorow.", "I will go to the library tomorrow."),
    ],
)
def test_fixes_and_doubled_words_are_not_dropped_words(source: str, target: str) -> None:
    assert diff_texts(source, target, flag_dropped=True).dropped == ()


def test_dropped_words_pair_similar_words_first() -> None:
    assert dropped_words("go home now", "go home") == ("now",)
    assert dropped_words("quick fox", "fast fox") == ()  # replaced, not dropped
    assert dropped_words("quick brown fox", "fast fox") == ("brown",)
    assert dropped_words("quick brown lazy fox", "fox") == ("quick", "brown", "lazy")
