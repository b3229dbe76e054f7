"""One amount in the forms Chinese and English texts write it: Arabic digits with Chinese
units (8千, 1.5万, 3百), Chinese numerals (八千, 一万五千, 两万), grouped digits (8,000)
and a "k" (8k) read as the same number, and different amounts still told apart."""

from __future__ import annotations

import pytest

from llmasos.services.knowledge.citations import cite
from llmasos.services.knowledge.search import Passage
from llmasos.services.text.numbers import quantities

# each row: spellings of one amount
SAME = [
    ("8千", "八千", "8,000", "8000", "8k", "8K"),
    ("1.5万", "一万五千", "15,000", "1万5千"),
    ("两万", "2万", "20,000", "二万"),
    ("3百", "三百", "300"),
    ("8千万", "八千万", "80,000,000"),
]
DIFFERENT = [("8千", "八百"), ("1.5万", "一万五"), ("3百", "三千"), ("8k", "八百"), ("2万", "两千")]


def value(text: str) -> float:
    found = quantities(f"金额为{text}元")
    assert len(found) == 1, found
    return found[0].value


@pytest.mark.parametrize("forms", SAME, ids=lambda f: f[0])
def test_each_form_of_an_amount_has_its_value(forms: tuple[str, ...]) -> None:
    assert {value(f) for f in forms} == {value(forms[-1])}


def passage(text: str) -> Passage:
    return Passage(
        chunk_id=1, collection="c", file="/docs/a.md", kind="md", page=None, heading=(),
        start=0, end=len(text), text=text, rank=1, fused=0.03, coverage=1.0,
    )  # fmt: skip


def supported(answer: str, source: str) -> bool | None:
    cited = cite(f"预算是{answer}元[1]。", [passage(f"本季度预算为{source}元。")])
    return cited.citations[0].supported


@pytest.mark.parametrize("forms", SAME, ids=lambda f: f[0])
def test_a_citation_is_supported_whichever_form_each_side_uses(forms: tuple[str, ...]) -> None:
    for answer in forms:
        for source in forms:
            assert supported(answer, source) is True, (answer, source)


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_amounts_still_differ(one: str, other: str) -> None:
    assert value(one) != value(other)
    assert supported(one, other) is False
    assert supported(other, one) is False


def test_units_that_are_not_amounts_stay_out() -> None:
    # 千米 is a kilometre, "5kg" five kilograms: neither multiplies by a thousand
    assert [q.value for q in quantities("全程8千米")] == [8, 1000]
    assert [q.value for q in quantities("5kg 大米")] == [5]
    # digits after a unit that is not followed by another unit are another amount
    assert [q.value for q in quantities("10万2024年")] == [100000, 2024]


def test_a_lone_chinese_digit_before_a_measure_word_is_an_amount() -> None:
    recipe = "两人份需要四个鸡蛋、三个番茄和一小勺白糖。"
    assert [(q.text, q.value) for q in quantities(recipe)] == [("两", 2), ("四", 4), ("三", 3)]
    assert [q.value for q in quantities("三天后出发，路上三小时")] == [3, 3]
    # without a measure word it is a word, and 一 stays a word even with one ("a")
    for words in ("一起", "一些", "三明治", "统一", "四川", "两岸", "一个问题"):
        assert quantities(words) == [], words


def test_servings_for_two_support_an_english_answer() -> None:
    # before: 两人份 and 四个 held no amount, so both of the answer's were "missing"
    cited = cite(
        "For two people the recipe needs 4 eggs [1].",
        [passage("两人份需要四个鸡蛋、三个中等大小的番茄。")],
    )
    assert cited.citations[0].supported is True
    wrong = cite("For two people it needs 6 eggs [1].", [passage("两人份需要四个鸡蛋。")])
    assert wrong.citations[0].missing == ("6",)
