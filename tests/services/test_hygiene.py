"""Output hygiene on crafted model replies (English and Chinese)."""

from __future__ import annotations

import pytest

from llmasos.services.text.hygiene import clean_output, looks_like_chatter, strip_think


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Here is the corrected text:\n\nThe cat sat on the mat.", "The cat sat on the mat."),
        ("Sure! Here's the revised version:\nThe cat sat.", "The cat sat."),
        ("Here is the corrected text: The cat sat.", "The cat sat."),
        ("Corrected text:\nThe cat sat.", "The cat sat."),
        ("The text is:\nThe cat sat.", "The cat sat."),
        ("**Summary:**\nCats sit.", "Cats sit."),
        ("以下是修改后的文本：\n\n今天天气很好。", "今天天气很好。"),
        ("好的，以下是修改后的文本：今天天气很好。", "今天天气很好。"),
        ("修改后的文本：今天天气很好。", "今天天气很好。"),
        ("摘要：猫坐着。", "猫坐着。"),
        ('"The cat sat."', "The cat sat."),
        ("“今天天气很好。”", "今天天气很好。"),
        ("「今天天气很好。」", "今天天气很好。"),
        ("```\nThe cat sat.\n```", "The cat sat."),
        ("```markdown\n# Title\n\nBody.\n```", "# Title\n\nBody."),
        ("<think>The user wants a fix.\nOK.</think>\nThe cat sat.", "The cat sat."),
        ("The cat sat.\n</text>", "The cat sat."),
        ("<text>\nThe cat sat.\n</text>", "The cat sat."),
        ("The cat sat.\n\nLet me know if you need anything else!", "The cat sat."),
        ("今天天气很好。\n\n希望这对您有帮助！", "今天天气很好。"),
        ("Sure!\nHere is the corrected text:\n```\nThe cat sat.\n```", "The cat sat."),
        ('"Good morning."\n[no error, no need to edit]', "Good morning."),
        ("The cat sat.\n\n(No changes needed.)", "The cat sat."),
        ("今天天气很好。\n（无需修改）", "今天天气很好。"),
    ],
)
def test_chatter_is_removed(raw: str, clean: str) -> None:
    assert clean_output(raw) == clean


@pytest.mark.parametrize(
    "text",
    [
        "Here is my plan: we leave at noon.",
        'He said: "hello" and left.',
        "以下是我的计划：明天出发。",
        "The cat sat.\n\nThe dog ran.",
        "- first point\n- second point",
        'She said "yes" and "no".',  # quotes inside, not one wrapping pair
        "See the manual.\n[Figure 2: the error light]",  # a bracketed line about content
        "The vote passed.\n(No change to the schedule was made.)",  # not about the edit
    ],
)
def test_real_text_is_kept(text: str) -> None:
    assert clean_output(text) == text


def test_source_that_starts_like_a_lead_in_is_kept() -> None:
    source = "Here is the corrected text: I was wrong about the date."
    assert clean_output(source, source) == source
    quoted = '"To be or not to be."'
    assert clean_output(quoted, quoted) == quoted
    # a closing line the source has too is the text's own, not the model's aside
    noted = "Minutes of the 3 May meeting.\n(No changes needed.)"
    assert clean_output(noted, noted) == noted
    signed = "Thanks for the report.\n\nLet me know if the fix works."
    assert clean_output(signed, signed) == signed


def test_unterminated_think_removes_the_rest() -> None:
    assert strip_think("<think>still reasoning about it") == ""
    assert clean_output("<think>a</think>A.<think>b</think> B.") == "A.B."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm sorry, but I can't help with that.", True),
        ("As an AI language model, I cannot rewrite this.", True),
        ("I cannot do that.", True),
        ("抱歉，我无法完成这个请求。", True),
        ("作为一个AI助手，我不能这样做。", True),
        ("Here is the corrected text:", True),
        ("The cat sat on the mat.", False),
        ("今天天气很好。", False),
        ("", False),
    ],
)
def test_looks_like_chatter(text: str, expected: bool) -> None:
    assert looks_like_chatter(text) is expected
