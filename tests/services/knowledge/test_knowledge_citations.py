"""Reading an answer's [n] markers, dropping those that name no passage, and checking the
amounts a citation vouches for (pure functions, crafted answers)."""

from __future__ import annotations

from llmasos.services.knowledge.citations import cite, markers, strip_markers
from llmasos.services.knowledge.search import Passage


def passage(text: str, file: str = "/docs/a.md", chunk_id: int = 1) -> Passage:
    return Passage(
        chunk_id=chunk_id, collection="c", file=file, kind="md", page=None, heading=("H",),
        start=0, end=len(text), text=text, rank=1, fused=0.03, coverage=1.0,
    )  # fmt: skip


LEAVE = passage("Every full-time employee receives 27 days of paid annual leave.")
RENT = passage("房屋月租金为四千三百元，押金为两个月租金。", "/docs/rent.txt", 2)


def test_marker_forms_small_models_write() -> None:
    assert markers("A [1]. B [2, 3]【4】 and [1][5].") == [1, 2, 3, 4, 5]
    assert markers("No sources. [a] [] (1)") == []
    assert markers("见【2】，以及[1，3]。") == [2, 1, 3]


def test_markers_that_name_no_passage_are_dropped_and_reported() -> None:
    cited = cite("Full-time staff get 27 days [1][7]. Also [3, 1].", [LEAVE])
    assert cited.unknown == (7, 3)
    assert cited.text == "Full-time staff get 27 days [1]. Also [1]."
    assert [c.number for c in cited.citations] == [1]
    assert strip_markers("Staff get 27 days [1] .") == "Staff get 27 days."


def test_amounts_are_checked_across_digits_and_chinese_numerals() -> None:
    right = cite("The rent is 4300 yuan a month [2]. Leave is 27 days [1].", [LEAVE, RENT])
    assert [(c.number, c.supported) for c in right.citations] == [(2, True), (1, True)]
    # 430 is not 4300; 28 is not 27: kept, but marked
    wrong = cite("The rent is 430 yuan [2]. Leave is 28 days [1].", [LEAVE, RENT])
    assert [(c.number, c.supported) for c in wrong.citations] == [(2, False), (1, False)]
    assert cite("月租金是四千三百元[1]。", [RENT]).citations[0].supported is True
    # nothing to check: no amount in the citing sentence
    assert cite("Leave is paid [1].", [LEAVE]).citations[0].supported is None


def test_an_answer_without_markers_is_credited_to_the_passage_it_repeats() -> None:
    cited = cite("Full-time employees receive 27 days of paid annual leave.", [RENT, LEAVE])
    assert len(cited.citations) == 1
    only = cited.citations[0]
    assert (only.number, only.inferred, only.supported) == (2, True, True)
    # an answer that shares nothing with the passages is credited to none
    assert cite("Canberra is the capital.", [RENT, LEAVE]).citations == ()
