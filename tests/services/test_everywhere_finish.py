"""What the Everywhere popup shows and pastes: the model's reply with the same hygiene as
the Write and Translate windows, or a reason not to use it."""

from __future__ import annotations

import pytest

from llmasos.services.everywhere.prompts import action_messages, finish_answer


@pytest.mark.parametrize(
    ("action", "source", "raw", "answer"),
    [
        (
            "proofread",
            "Good morning",
            '"Good morning."\n[no error, no need to edit]',
            "Good morning.",
        ),
        (
            "proofread",
            "I has a cat.",
            "Here is the corrected text:\n\nI have a cat.",
            "I have a cat.",
        ),
        ("translate", "Hello", "以下是翻译：\n你好", "你好"),
        ("rewrite", "hi", "Hello there.\n\nLet me know if you need anything else!", "Hello there."),
        ("summarize", "Long text.", "  Short.  ", "Short."),
        # a question is answered as written: no hygiene on what it may rightly say
        ("ask", "Why?", "Here is the answer: because.\n\nLet me know if…", None),
    ],
)
def test_chatter_around_the_answer_goes(
    action: str, source: str, raw: str, answer: str | None
) -> None:
    assert finish_answer(action, source, raw) == (answer if answer is not None else raw.strip(), "")


def test_a_refusal_or_nothing_is_reported_not_pasted() -> None:
    _, problem = finish_answer("proofread", "The cat sat.", "I'm sorry, I can't help with that.")
    assert problem.startswith("The model did not do the task; it answered: I'm sorry")
    _, empty = finish_answer("translate", "Hello", "<text></text>")
    assert empty == "The model gave an empty answer."
    # a source that itself reads like a refusal may come back as one
    assert finish_answer("proofread", "I can not come.", "I can't come.") == ("I can't come.", "")


def test_the_person_s_tags_survive_the_round_trip() -> None:
    source = "Use <output> and </text> here."
    request = action_messages("proofread", source)[-1].content
    assert request.count("</text>") == 1 and "⟨/text⟩" in request
    echoed = "Use ⟨output⟩ and ⟨/text⟩ here."
    assert finish_answer("proofread", source, echoed) == (source, "")


def test_work_on_the_selection_is_sampled_as_the_translator_does() -> None:
    from llmasos.services.everywhere.prompts import STOP, action_params
    from llmasos.services.translation.service import DEFAULT_SAMPLING

    for action in ("translate", "proofread", "rewrite", "summarize", "explain"):
        params = action_params(action)
        assert (params.temperature, params.seed) == (
            DEFAULT_SAMPLING.temperature,
            DEFAULT_SAMPLING.seed,
        )
        assert params.stop == STOP and params.max_tokens == 512
    assert action_params("translate", 2).seed == DEFAULT_SAMPLING.seed + 2  # a Retry
    ask = action_params("ask")
    assert ask.stop == () and ask.temperature > DEFAULT_SAMPLING.temperature
