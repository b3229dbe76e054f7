"""Bad input through the engine, the writing and translation services and the command line:
a 1 MB paste, empty text, control characters, right-to-left text, emoji, mixed CJK, a
prompt longer than the context, a malformed glossary, bytes that are not UTF-8."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bad_input import (
    NOT_UTF8,
    ODD_TEXTS,
    CountingEngine,
    megabyte,
    model_args,
    run_cli,
    run_until,
)

from llmasos.errors import ContextOverflowError, InvalidInputError, LLMasOSError
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.foundation.engine.settings import SamplingParams as Params
from llmasos.services.chat.conversations import ConversationStore
from llmasos.services.chat.service import ChatService
from llmasos.services.translation.glossary import load_glossary
from llmasos.services.translation.service import (
    ChunkTranslated,
    TranslationDone,
    TranslationRequest,
    translate,
)
from llmasos.services.writing.service import ChunkDone, WriteDone, WriteJob, WriteRequest

pytestmark = pytest.mark.real_model

TINY = Params(temperature=0.0, max_tokens=8, seed=1)


@pytest.fixture(scope="module")
def engine(smollm2_path: Path) -> Iterator[LlamaEngine]:
    eng = LlamaEngine(EngineSettings(n_ctx=512, n_batch=128, n_threads=1, probe=False))
    eng.load(smollm2_path)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def big() -> str:
    return megabyte()


# -- services ------------------------------------------------------------------------------
def test_megabyte_paste_overflows_the_engine_and_chat(
    engine: LlamaEngine, big: str, tmp_path: Path
) -> None:
    with pytest.raises(ContextOverflowError, match="Shorten") as info:
        engine.chat([ChatMessage("user", big)], TINY)
    assert info.value.n_ctx == 512 and info.value.prompt_tokens > 100_000
    service = ChatService(ConversationStore(tmp_path / "c.sqlite3"))
    conv = service.store.create()
    with pytest.raises(ContextOverflowError, match="last message"):
        list(service.turn(engine, conv.id, big, TINY))
    assert [m.content for m in service.store.messages(conv.id)] == [big]  # the paste is kept
    service.store.close()


def test_megabyte_paste_is_chunked_by_writing_and_translation(
    engine: LlamaEngine, big: str
) -> None:
    cancel = CancelToken()
    items = run_until(
        WriteJob(engine, WriteRequest("proofread", big), TINY, cancel), ChunkDone, cancel
    )
    done = items[-1]
    assert isinstance(done, WriteDone) and done.is_cancelled and done.total > 100
    assert done.completed >= 1 and len(done.text) >= len(big) // 2  # the rest is kept as it was
    cancel = CancelToken()
    request = TranslationRequest(big, target="zh-Hans", params=TINY)
    items = run_until(translate(engine, request, cancel), ChunkTranslated, cancel)
    end = items[-1]
    assert isinstance(end, TranslationDone) and end.result.cancelled
    assert end.result.chunks_total > 100 and end.result.chunks_done >= 1


@pytest.mark.parametrize("text", ["", "   \n\t \u3000 "])
def test_empty_input_makes_no_model_call(engine: LlamaEngine, text: str) -> None:
    counting = CountingEngine(engine)
    done = list(WriteJob(counting, WriteRequest("proofread", text)))[-1]  # type: ignore[arg-type]
    assert isinstance(done, WriteDone) and done.text == text and not done.problems
    end = list(translate(counting, TranslationRequest(text, target="en")))[-1]
    assert isinstance(end, TranslationDone) and end.result.text == text
    assert counting.calls == 0
    with pytest.raises(InvalidInputError, match="empty"):
        engine.complete(text.strip(), TINY)
    with pytest.raises(InvalidInputError, match="no messages"):
        engine.chat([], TINY)


@pytest.mark.parametrize("name", sorted(ODD_TEXTS))
def test_odd_text_goes_through_every_tool(engine: LlamaEngine, name: str) -> None:
    text = ODD_TEXTS[name]
    gen = engine.chat([ChatMessage("user", text)], TINY)
    assert (
        isinstance(gen.text(), str) and gen.stats and gen.stats.finish_reason in ("stop", "length")
    )
    write = WriteJob(engine, WriteRequest("proofread", text), TINY)
    done = list(write)[-1]
    assert isinstance(done, WriteDone) and done.completed == done.total == 1
    # edit actions keep the text when the answer is unusable, so something sensible comes back
    assert done.text.strip()
    end = list(translate(engine, TranslationRequest(text, target="en", params=TINY)))[-1]
    assert isinstance(end, TranslationDone) and end.result.chunks_done == end.result.chunks_total


def test_prompt_longer_than_the_context(engine: LlamaEngine) -> None:
    long = "word " * 700  # about 700 tokens, the context holds 512
    with pytest.raises(ContextOverflowError) as info:
        engine.chat([ChatMessage("user", long)], TINY)
    assert info.value.prompt_tokens > info.value.n_ctx == 512
    with pytest.raises(ContextOverflowError):
        engine.complete(long, TINY)


def test_malformed_glossary_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "g.tsv"
    path.write_text("# terms\ncat\t猫\ndog 狗\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="line 3") as info:
        load_glossary(path)
    assert "tab" in str(info.value)
    path.write_bytes(NOT_UTF8)
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        load_glossary(path)


# -- the command line ----------------------------------------------------------------------
def _refused(result, *words: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result
    assert lines and lines[-1].startswith("error: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in lines[-1], lines[-1]


def test_cli_refuses_bad_input_clearly(smollm2_path: Path, tmp_path: Path) -> None:
    m = model_args(smollm2_path)
    _refused(run_cli(["chat", *m, "--max-tokens", "4", "-"], megabyte().encode()), "context")
    _refused(run_cli(["write", "proofread", *m], b""), "no text")
    _refused(run_cli(["write", "proofread", *m], b" \n\t \n"), "no text")
    _refused(run_cli(["translate", "--to", "en", *m], NOT_UTF8), "not UTF-8")
    bad = tmp_path / "bad.tsv"
    bad.write_text("cat\t猫\n\nbroken line\n", encoding="utf-8")
    _refused(run_cli(["translate", "--to", "zh", "--glossary", str(bad), *m], b"a cat"), "line 3")
    # write and chat read stdin as text: a clear error line, not a crash (see the report)
    _refused(run_cli(["write", "proofread", *m], NOT_UTF8), "not UTF-8")
    _refused(run_cli(["chat", *m, "-"], NOT_UTF8), "not UTF-8")


def test_cli_takes_odd_text(smollm2_path: Path) -> None:
    m = model_args(smollm2_path)
    text = " ".join(ODD_TEXTS.values()).encode()
    result = run_cli(["chat", *m, "--max-tokens", "8", "--seed", "1", "-"], text)
    assert result.returncode == 0 and result.stdout.strip(), result
    result = run_cli(["translate", "--to", "en", "--max-tokens", "16", *m], text)
    assert result.returncode == 0 and result.stdout.strip(), result


@pytest.mark.parametrize("command", [["write", "proofread"], ["translate", "--to", "zh"]])
def test_cli_megabyte_is_chunked_and_stops_on_ctrl_c(
    smollm2_path: Path, command: list[str]
) -> None:
    big = megabyte().encode()
    result = run_cli([*command, *model_args(smollm2_path)], big, interrupt_after_output=True)
    assert result.returncode == 130, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and result.stdout  # the finished parts came out
    if command[0] == "write":  # the parts not done are printed as they were
        assert len(result.stdout) >= len(big) // 2


def test_errors_are_typed() -> None:
    assert issubclass(InvalidInputError, LLMasOSError)
