"""The engine on the real test models: streaming, cancel, seeds, templates, budgets."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmasos.errors import ContextOverflowError, ModelFileInvalid, NoModelLoaded
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.engine.streaming import _StreamState

pytestmark = pytest.mark.real_model

QUESTION = [
    ChatMessage("system", "You are a helpful assistant."),
    ChatMessage("user", "Write three sentences about the sea."),
]
GREEDY = SamplingParams(temperature=0.0, max_tokens=48)


@pytest.fixture(scope="module")
def smol(smollm2_path: Path) -> Iterator[LlamaEngine]:
    engine = LlamaEngine(EngineSettings(n_ctx=2048, n_batch=64))
    engine.load(smollm2_path)
    yield engine
    engine.close()


def test_streams_pieces_with_stats(smol: LlamaEngine) -> None:
    gen = smol.chat(QUESTION, GREEDY)
    pieces = list(gen)
    assert len(pieces) > 5
    assert "".join(pieces).strip()
    stats = gen.stats
    assert stats is not None
    assert stats.prompt_tokens == smol.count_chat_tokens(QUESTION)
    assert 0 < stats.completion_tokens <= 48
    assert stats.finish_reason in ("stop", "length")
    assert stats.ttft_s > 0 and stats.tokens_per_s > 0


def test_smollm2_uses_its_own_template(smol: LlamaEngine) -> None:
    assert smol.chat_format.name == "template"
    text = smol.render_chat(QUESTION).text
    assert text.startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>")
    assert text.endswith("<|im_start|>assistant\n")


def test_same_seed_same_text(smol: LlamaEngine) -> None:
    params = SamplingParams(temperature=0.9, seed=1234, max_tokens=40)
    first = smol.chat(QUESTION, params).text()
    second = smol.chat(QUESTION, params).text()
    assert first == second and first


def test_cancel_mid_decode_stops_within_one_token(smol: LlamaEngine) -> None:
    cancel = CancelToken()
    gen = smol.chat(QUESTION, SamplingParams(temperature=0.0, max_tokens=400), cancel)
    for got, _ in enumerate(gen, start=1):
        if got == 5:
            t = threading.Thread(target=cancel.cancel)
            t.start()
            t.join(5)
    assert gen.stats is not None
    assert gen.stats.finish_reason == "cancelled"
    # five pieces had arrived; at most one more token may have been sampled
    assert gen.stats.completion_tokens <= 6
    assert smol.chat(QUESTION, GREEDY).text().strip()  # still usable


def test_cancel_during_prefill(smol: LlamaEngine) -> None:
    long_prompt = [ChatMessage("user", "Summarise: " + "the cat sat on the mat. " * 250)]
    n_prompt = smol.count_chat_tokens(long_prompt)
    cancel = CancelToken()
    started = threading.Event()

    def cancel_soon() -> None:
        started.wait(5)
        cancel.cancel()

    t = threading.Thread(target=cancel_soon)
    t.start()
    gen = smol.chat(long_prompt, SamplingParams(max_tokens=8), cancel)
    started.set()  # prefill runs inside the first next(); the thread cancels meanwhile
    text = gen.text()
    t.join(5)
    assert gen.stats is not None and gen.stats.finish_reason == "cancelled"
    assert text == "" and gen.stats.completion_tokens == 0
    assert smol.kv_tokens < n_prompt  # stopped before the whole prompt was evaluated
    assert smol.chat(QUESTION, GREEDY).text().strip()


def test_follow_up_reuses_prefix(smol: LlamaEngine) -> None:
    first = smol.chat(QUESTION, GREEDY)
    answer = first.text()
    follow = [*QUESTION, ChatMessage("assistant", answer), ChatMessage("user", "And the sky?")]
    second = smol.chat(follow, GREEDY)
    second.text()
    assert first.stats is not None and second.stats is not None
    assert second.stats.cached_tokens >= first.stats.prompt_tokens - 1


def test_context_overflow_is_typed(smollm2_path: Path) -> None:
    engine = LlamaEngine(EngineSettings(n_ctx=256, probe=False))
    engine.load(smollm2_path)
    try:
        n_ctx = engine.n_ctx
        too_long = [ChatMessage("user", "hello there " * 200)]
        with pytest.raises(ContextOverflowError) as err:
            engine.chat(too_long)
        assert err.value.n_ctx == n_ctx and err.value.prompt_tokens > n_ctx
        assert "Shorten" in str(err.value)
        # a prompt that fits but leaves little room is clamped, not refused
        nearly = [ChatMessage("user", "hello there " * 110)]
        assert n_ctx - 40 < engine.count_chat_tokens(nearly) < n_ctx
        gen = engine.chat(nearly, SamplingParams(temperature=0.0, max_tokens=500))
        gen.text()
        assert gen.stats is not None
        assert gen.stats.prompt_tokens + gen.stats.completion_tokens <= n_ctx
    finally:
        engine.close()


def test_bad_file_keeps_previous_model(smol: LlamaEngine, tmp_path: Path) -> None:
    bad = tmp_path / "page.gguf"
    bad.write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    before = smol.info
    with pytest.raises(ModelFileInvalid):
        smol.load(bad)
    assert smol.info == before and smol.is_loaded


def test_close_frees_and_refuses(smollm2_path: Path) -> None:
    engine = LlamaEngine(EngineSettings(n_ctx=256))
    engine.load(smollm2_path)
    engine.close()
    engine.close()
    with pytest.raises(NoModelLoaded):
        engine.chat(QUESTION)


LEFT_OPEN = """
import gc, sys
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams

ask = [ChatMessage("user", "Count from one to fifty in words.")]
params = SamplingParams(temperature=0.0, max_tokens=64)
engine = LlamaEngine(EngineSettings(n_ctx=512, n_batch=64))
engine.load(sys.argv[1])
closed = engine.chat(ask, params)
next(closed)  # suspended inside the decode loop
engine.close()
closed.close()  # resumes the loop: its next decode finds no model
engine.load(sys.argv[1])
dropped = engine.chat(ask, params)
next(dropped)
engine.close()
del dropped
gc.collect()  # a Generation is a cycle: the collector ends it, on whatever thread runs
print(closed.stats.finish_reason, closed.stats.completion_tokens)
"""


def test_a_request_left_open_when_its_model_closes_ends_quietly(smollm2_path: Path) -> None:
    # closing or collecting a request whose model is gone used to hand llama.cpp a NULL
    # (or freed) context in its cleanup: a segfault, so this runs in a child process
    proc = subprocess.run(
        [sys.executable, "-c", LEFT_OPEN, str(smollm2_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["cancelled", "1"]


def test_gemma3_fallback_and_chinese(gemma3_path: Path) -> None:
    engine = LlamaEngine(EngineSettings(n_ctx=1024))
    info = engine.load(gemma3_path)
    try:
        assert info.architecture == "gemma3" and not info.has_chat_template
        assert engine.chat_format.name == "gemma"
        prompt = engine.render_chat(QUESTION).text
        assert prompt.startswith("<bos><start_of_turn>user\n")
        assert prompt.endswith("<start_of_turn>model\n")
        assert engine.chat(QUESTION, GREEDY).text().strip()
        chinese = "你好，世界！今天天气很好，我们去公园散步吧。"
        tokens = engine.tokenize(chinese)
        assert 0 < len(tokens) < len(chinese)  # a CJK vocabulary, not bytes
        assert engine.detokenize(tokens) == chinese
        assert engine.complete("The capital of France is", GREEDY).text().strip()
    finally:
        engine.close()


def test_stream_state_holds_back_stop_prefix() -> None:
    state = _StreamState(stop=("<|end|>",))
    assert state.feed(b"Hello <|") == "Hello "
    assert state.feed(b"en") == ""
    assert state.feed(b"d|> ignored") == ""
    assert state.stopped


def test_stream_state_drops_a_character_cut_off_at_the_end() -> None:
    state = _StreamState(())
    assert state.feed("好".encode()) == "好"
    assert state.feed("的".encode()[:2]) == ""  # the token limit came mid-character
    assert state.flush() == ""  # no "�"


def test_stream_state_reassembles_split_utf8() -> None:
    state = _StreamState(stop=())
    data = "中文".encode()
    assert state.feed(data[:2]) == ""
    assert state.feed(data[2:4]) == "中"
    assert state.feed(data[4:]) == "文"
    assert state.flush() == ""


def test_load_reports_llama_cpp_progress_then_restores_defaults(smollm2_path: Path) -> None:
    import llama_cpp.llama_cpp as lib

    original = lib.llama_model_default_params
    seen: list[float] = []
    engine = LlamaEngine(EngineSettings(n_ctx=256))
    try:
        engine.load(smollm2_path, progress=seen.append)
        assert len(seen) >= 3 and seen[-1] == 1.0  # llama.cpp's own steps, ending complete
        assert seen == sorted(seen) and all(0.0 <= v <= 1.0 for v in seen)
        assert lib.llama_model_default_params is original
        assert not lib.llama_model_default_params().progress_callback  # NULL again
        assert "".join(engine.chat(QUESTION, SamplingParams(max_tokens=4, temperature=0.0)))
        engine.load(smollm2_path, progress=lambda _v: 1 / 0)  # a broken listener: still loads
        assert engine.info is not None
    finally:
        engine.close()


def _chain_names(chain: object) -> list[str]:
    import llama_cpp

    handle = chain.sampler  # type: ignore[attr-defined]
    return [
        llama_cpp.llama_sampler_name(llama_cpp.llama_sampler_chain_get(handle, i)).decode()
        for i in range(llama_cpp.llama_sampler_chain_n(handle))
    ]


def test_sampler_chain_runs_top_k_before_the_penalties(smol: LlamaEngine) -> None:
    llm = smol._require()
    names = _chain_names(llm._init_sampler(top_k=40, temp=0.7, repeat_penalty=1.1))
    assert names[:3] == ["top-k", "penalties", "top-k"]
    assert names[-1] == "dist"
    assert _chain_names(llm._init_sampler(top_k=40, temp=0.0, repeat_penalty=1.1)) == [
        "top-k",
        "penalties",
        "top-k",
        "greedy",
    ]
    # a penalty that raises logits (< 1) could lift a token from anywhere: the plain chain
    assert _chain_names(llm._init_sampler(top_k=40, temp=0.0, repeat_penalty=0.9))[0] != "top-k"
    # without top-k there is nothing to put first: llama-cpp-python's own chain
    assert _chain_names(llm._init_sampler(top_k=0, temp=0.7, repeat_penalty=1.1))[0] == "penalties"


def test_reordered_chain_still_penalises_repeats(smol: LlamaEngine) -> None:
    prompt = [ChatMessage("user", "List the days of the week, then list them again, and again.")]

    def distinct_share(penalty: float) -> float:
        text = smol.chat(
            prompt, SamplingParams(temperature=0.0, max_tokens=60, repeat_penalty=penalty)
        ).text()
        tokens = smol.tokenize(text)
        return len(set(tokens)) / len(tokens)

    # SmolLM2 greedy repeats itself ("Monday, Monday ..."): ~0.4 distinct; penalised ~1.0
    assert distinct_share(3.0) > distinct_share(1.0) + 0.3


def test_reordered_chain_matches_llama_cpp_python_greedy(smol: LlamaEngine) -> None:
    """At the default penalty the top 40 hold every token that can win: the same text as
    llama-cpp-python's own chain (penalties over the whole vocabulary first)."""
    from llmasos.foundation.engine.llama_hooks import top_k_first

    params = SamplingParams(temperature=0.0, max_tokens=60, repeat_penalty=1.1)
    # both runs below reuse the cached prompt: a cold first prefill evaluates it in other
    # batch shapes, which alone can flip a near tie
    smol.chat(QUESTION, params).text()
    ours = smol.chat(QUESTION, params).text()
    llm = smol._require()
    del llm._init_sampler  # llama-cpp-python's own chain for this one request
    try:
        theirs = smol.chat(QUESTION, params).text()
    finally:
        top_k_first(llm)
    assert ours.strip()
    assert ours == theirs


def test_reordered_chain_matches_llama_cpp_python_when_sampling(smol: LlamaEngine) -> None:
    """Sampling from all 40 candidates under a strong penalty: the cut ahead of the
    penalties keeps exactly the distribution of penalising the whole vocabulary, so the
    same seed draws the same text. (Top-k alone ahead of the penalty kept the 40 best
    unpenalised tokens instead, and this text parted from llama-cpp-python's.)"""
    from llmasos.foundation.engine.llama_hooks import top_k_first

    params = SamplingParams(
        temperature=1.0, top_p=1.0, min_p=0.0, top_k=40, repeat_penalty=3.0, max_tokens=60, seed=7
    )
    smol.chat(QUESTION, params).text()
    ours = smol.chat(QUESTION, params).text()
    llm = smol._require()
    del llm._init_sampler
    try:
        theirs = smol.chat(QUESTION, params).text()
    finally:
        top_k_first(llm)
    assert len(ours.split()) > 10
    assert ours == theirs


def _recording_evals(llm: object) -> list[int]:
    """Record the size of every ``llm.eval`` (the prefill's batches) until ``del llm.eval``."""
    sizes: list[int] = []
    real_eval = llm.eval  # type: ignore[attr-defined]

    def recording(tokens):  # type: ignore[no-untyped-def]
        sizes.append(len(tokens))
        return real_eval(tokens)

    llm.eval = recording  # type: ignore[attr-defined]
    return sizes


def test_a_prompt_met_again_starts_from_its_kept_logits(smol: LlamaEngine) -> None:
    """A new prompt is one batch (as llama-bench's pp512); the same prompt again is not
    decoded at all but starts from the logits kept after its last token, so the same
    greedy request gives the same text. (Topping a cached prompt up with its last token
    gave that token's logits from a one-token decode, which differ from a batched
    prompt's in the last bits: with flash attention enough for a near tie to flip, as
    the Write page's Reapply showed.)"""
    llm = smol._require()
    params = SamplingParams(temperature=0.0, max_tokens=12)
    question = [ChatMessage("user", "Name one colour of the rainbow, please.")]
    n_prompt = smol.count_chat_tokens(question)
    sizes = _recording_evals(llm)
    try:
        llm.reset()
        first = smol.chat(question, params).text()
        assert sizes == [n_prompt]  # n_batch 64: one batch
        sizes.clear()
        assert smol.chat(question, params).text() == first
        assert sizes == []
        # a follow-up keeps the first prompt's tokens cached: its ending stays valid
        follow = [*question, ChatMessage("assistant", first), ChatMessage("user", "Another?")]
        assert smol.chat(follow, params).text()
        sizes.clear()
        assert smol.chat(question, params).text() == first
        assert sizes == []
        # another prompt replaces the cache after the template's shared start: the rest
        # of the first prompt is evaluated anew, in one batch
        assert smol.chat([ChatMessage("user", "Say hi.")], params).text()
        sizes.clear()
        assert smol.chat(question, params).text() == first
        assert len(sizes) == 1 and 1 < sizes[0] < n_prompt
    finally:
        del llm.eval  # type: ignore[attr-defined]


def test_decode_loop_matches_llama_cpp_python_generate(smol: LlamaEngine) -> None:
    """The engine's own decode loop and narrowed sampling give llama-cpp-python's text,
    greedy and seeded, from the same fresh start."""
    llm = smol._require()
    tokens = smol.tokenize(smol.render_chat(QUESTION).text, special=True)
    for params in (
        SamplingParams(temperature=0.0, repeat_penalty=1.1, max_tokens=40, seed=3),
        SamplingParams(temperature=0.9, repeat_penalty=1.3, max_tokens=40, seed=11),
    ):
        llm.reset()
        ours = smol.chat(QUESTION, params).text()
        llm.reset()
        llm.set_seed(params.seed)
        theirs: list[int] = []
        for token in llm.generate(
            tokens,
            top_k=params.top_k,
            top_p=params.top_p,
            min_p=params.min_p,
            temp=params.temperature,
            repeat_penalty=params.repeat_penalty,
        ):
            if llm.token_eos() == token or len(theirs) == params.max_tokens:
                break
            theirs.append(token)
        assert ours.strip()
        assert ours == smol.detokenize(theirs)
