"""Narrowed sampling: the candidate set always holds the chain's first top-k cut, and a
seeded chain draws the same tokens from it as from the whole vocabulary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.sampler import (
    NARROW_FROM,
    ChainSampler,
    candidates,
    first_cut,
    mark_cut,
)
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams


def _arrays(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(n)
    ramp = np.arange(n, dtype=np.float32)
    periodic = np.zeros(n, dtype=np.float32)
    periodic[:: max(1, n // 1024)] = 5.0  # the sampled positions alone are high
    with_nan = rng.standard_normal(n).astype(np.float32)
    with_nan[rng.integers(0, n, 500)] = np.nan
    return {
        "normal": (rng.standard_normal(n) * 3).astype(np.float32),
        "ties": rng.integers(0, 4, n).astype(np.float32),
        "ascending": ramp,
        "descending": ramp[::-1].copy(),
        "periodic": periodic,
        "nan": with_nan,
        "flat": np.ones(n, dtype=np.float32),
        "inf": np.where(rng.random(n) < 0.99, -np.inf, 1.0).astype(np.float32),
    }


@pytest.mark.parametrize("n", [49_152, 151_936, 262_144])
@pytest.mark.parametrize("k", [1, 41, 104])
def test_candidates_hold_every_top_k_token(n: int, k: int) -> None:
    narrowed = 0
    for name, logits in _arrays(n).items():
        ids = candidates(logits, k)
        if ids is None:
            continue
        narrowed += 1
        assert ids.shape[0] >= k, name
        assert np.all(np.diff(ids) > 0), name  # ascending, no repeats
        finite = np.where(np.isnan(logits), -np.inf, logits)
        kth = np.sort(finite)[-k]
        must = np.flatnonzero(finite > kth)  # every token strictly above the k-th value
        assert np.isin(must, ids).all(), name
        assert (finite[ids] >= kth).sum() >= k, name  # enough of the tied k-th value too
        assert ids.shape[0] < n // 4, name  # narrowed, not the whole vocabulary
    assert narrowed >= 4  # normal, ascending, descending, periodic at least


def test_a_small_vocabulary_is_not_narrowed() -> None:
    logits = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    assert candidates(logits, 104) is None


def test_the_cut_mark_round_trips() -> None:
    class Chain:
        pass

    chain = Chain()
    assert first_cut(chain) is None
    mark_cut(chain, 104)
    assert first_cut(chain) == 104


@pytest.mark.real_model
@pytest.mark.parametrize("model", ["smollm2_path", "gemma3_path"])
def test_narrowed_draws_equal_whole_vocabulary_draws(
    model: str, request: pytest.FixtureRequest
) -> None:
    """On a real model's logits, the chain over the narrowed set and the same chain over
    all tokens draw the same token with the same seed, 300 times (temperature 1.5 and a
    strong penalty, so the draws spread over many candidates)."""
    path: Path = request.getfixturevalue(model)
    engine = LlamaEngine(EngineSettings(n_ctx=512, n_batch=64))
    engine.load(path)
    try:
        session = engine._require_session()
        llm = session.llm
        prompt = "The names of the planets, the seas and the old cities are"
        logits = session.prefill(engine.tokenize(prompt, add_bos=True)).copy()
        params = SamplingParams(temperature=1.5, top_k=40, top_p=1.0, min_p=0.0, repeat_penalty=1.5)
        llm.set_seed(99)
        narrow = session.sampler(params)
        llm.set_seed(99)
        whole = session.sampler(params)
        # narrowing is for large vocabularies (Gemma-3's 262,144, not SmolLM2's 49,152)
        assert (narrow._cut is not None) == (session.n_vocab >= NARROW_FROM)
        narrow._cut = first_cut(narrow._chain)  # forced on for SmolLM2 too
        assert narrow._cut is not None
        whole._cut = None  # the same chain, handed every token
        drawn = []
        for _ in range(300):
            a, b = narrow.sample(logits), whole.sample(logits)
            assert a == b
            drawn.append(a)
        assert narrow.narrowed == 300 and whole.narrowed == 0
        # the context's own logits, sampled by llama.cpp itself when nothing is narrowed
        llm.set_seed(5)
        by_llama = session.sampler(params)
        by_llama._cut = None
        llm.set_seed(5)
        by_us = session.sampler(params)
        by_us._cut = None
        live = session.logits()
        for _ in range(50):
            assert by_llama.sample(live, llm.ctx) == by_us.sample(live)
        by_llama.close()
        by_us.close()
        assert len(set(drawn)) >= 10  # many candidates drawn; penalties fed by accept
        narrow.close()
        whole.close()
    finally:
        engine.close()


@pytest.mark.real_model
def test_chains_without_a_first_cut_see_every_token(smollm2_path: Path) -> None:
    engine = LlamaEngine(EngineSettings(n_ctx=512, n_batch=64))
    engine.load(smollm2_path)
    try:
        session = engine._require_session()
        # top-k 0: llama-cpp-python's own chain, penalties over the whole vocabulary
        sampler = session.sampler(SamplingParams(top_k=0, temperature=0.0))
        assert isinstance(sampler, ChainSampler) and sampler._cut is None
        gen = engine.chat(
            [ChatMessage("user", "Say hello.")], SamplingParams(top_k=0, max_tokens=8)
        )
        assert gen.text().strip()
        sampler.close()
    finally:
        engine.close()
