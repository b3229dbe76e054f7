"""Chat formatting: the model's template, fallbacks by vocabulary, failures made visible."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from llmasos.foundation.engine.chat_format import ChatFormat, ChatMessage
from llmasos.foundation.gguf.file import ModelInfo, read_model_info

MSGS = [ChatMessage("system", "Be brief."), ChatMessage("user", "Hi")]


@pytest.fixture(scope="module")
def smol_info(smollm2_path: Path) -> ModelInfo:
    return read_model_info(smollm2_path)


def test_own_template_renders(smol_info: ModelInfo) -> None:
    fmt = ChatFormat(smol_info)
    assert fmt.name == "template" and fmt.warning is None
    rendered = fmt.render(MSGS)
    assert rendered.text == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi"
        "<|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",  # reaching Python internals
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",  # reaching the OS
        "{% for m in messages %}{{ m.content",  # does not compile
        "{{ raise_exception('Conversation roles must alternate') }}",  # refuses to render
    ],
)
def test_bad_template_falls_back_with_a_message(smol_info: ModelInfo, template: str) -> None:
    fmt = ChatFormat(replace(smol_info, chat_template=template))
    assert fmt.name == "chatml"
    assert fmt.warning and "chat template" in fmt.warning and "'chatml'" in fmt.warning
    text = fmt.render(MSGS).text
    assert text.endswith("<|im_start|>assistant\n") and "Be brief." in text


@pytest.mark.parametrize(
    ("marker", "name", "opening"),
    [
        ("<start_of_turn>", "gemma", "<start_of_turn>user\n"),
        ("<|im_start|>", "chatml", "<|im_start|>system\n"),
        ("<|start_header_id|>", "llama3", "<|start_header_id|>system"),
        ("[INST]", "inst", "[INST] "),
    ],
)
def test_fallback_follows_the_vocabulary(
    smol_info: ModelInfo, marker: str, name: str, opening: str
) -> None:
    info = replace(smol_info, chat_template=None, special_tokens=frozenset({marker}), bos_token="")
    fmt = ChatFormat(info)
    assert fmt.name == name and fmt.warning is None
    assert fmt.render(MSGS).text.startswith(opening)


def test_unknown_model_gets_plain_transcript_with_warning(smol_info: ModelInfo) -> None:
    fmt = ChatFormat(replace(smol_info, chat_template=None, special_tokens=frozenset()))
    assert fmt.name == "plain" and fmt.warning and "no chat template" in fmt.warning
    assert fmt.render(MSGS).text.endswith("User: Hi\n\nAssistant:")


def test_empty_conversation_refused(smol_info: ModelInfo) -> None:
    with pytest.raises(ValueError):
        ChatFormat(smol_info).render([])
