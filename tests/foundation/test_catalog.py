"""The curated catalog in resources/catalog.json."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from llmasos.foundation.hub.errors import CatalogError
from llmasos.foundation.models import fit
from llmasos.foundation.models.catalog import catalog_text, load_catalog, parse_catalog


def test_catalog_covers_sizes_and_chinese():
    entries = load_catalog()
    sizes = [e.params_b for e in entries]
    assert sizes == sorted(sizes)
    for low, high in ((0.4, 0.6), (1.0, 2.0), (2.5, 4.5), (7.0, 8.5)):
        assert any(low <= s <= high for s in sizes), (low, high)
    assert sum("zh" in e.languages for e in entries) >= 3
    for e in entries:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", e.repo), e.repo
        assert e.quant in fit.BITS_PER_WEIGHT and e.licence and e.description


def test_catalog_is_found_as_package_data_or_in_the_checkout():
    assert '"models"' in catalog_text()


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"models": [{"id": "x"}]}',
        "[]",
        '{"models": ['
        + ",".join(
            [
                '{"id": "a", "repo": "o/r", '
                '"quant": "Q4_K_M", "params_b": 1, "licence": "mit", '
                '"languages": ["en"], "description": "d"}'
            ]
            * 2
        )
        + "]}",
    ],
)
def test_malformed_catalog_is_refused(text):
    with pytest.raises(CatalogError):
        parse_catalog(text)


def test_catalog_sizes_follow_parameters_and_quantization():
    from llmasos.foundation.models.catalog import CatalogEntry

    q4 = CatalogEntry("m", "o/m", "Q4_K_M", 8.0, "mit", ("en",), "")
    q8 = CatalogEntry("m", "o/m", "Q8_0", 1.0, "mit", ("en",), "")
    assert q4.approx_size == int(8e9 * 4.85 / 8) and q8.approx_size == int(1e9 * 8.5 / 8)


def test_embedders_are_their_own_kind_with_one_recommended_per_language():
    from llmasos.foundation.models.catalog import (
        load_all,
        load_embedders,
        recommended_embedder,
    )

    embedders = load_embedders()
    assert {e.id for e in embedders} >= {
        "bge-m3", "multilingual-e5-small", "multilingual-e5-base", "qwen3-embedding-0.6b",
        "nomic-embed-text-v1.5",
    }  # fmt: skip
    assert not any(e.is_embedder for e in load_catalog())  # chat consumers see no embedders
    assert len(load_all()) == len(load_catalog()) + len(embedders)
    for e in embedders:
        assert e.dim and e.quant in fit.BITS_PER_WEIGHT and e.approx_size < 1_000_000_000
    for language in ("zh", "en", "ja", "fr"):
        best = recommended_embedder(language)
        assert best is not None and best.is_embedder
        assert sum(language in e.recommended_for for e in embedders) <= 1, language
    assert recommended_embedder("zh-Hans").id == "bge-m3"
    assert "en" in recommended_embedder("en").languages


def test_an_embedder_without_dim_or_an_unknown_kind_is_refused():
    entry = (
        '{"id": "a", "repo": "o/r", "quant": "Q8_0", "params_b": 0.1, "licence": "mit", '
        '"languages": ["en"], "description": "d", "kind": KIND}'
    )
    for kind in ('"embedding"', '"reranker"'):
        with pytest.raises(CatalogError):
            parse_catalog('{"models": [' + entry.replace("KIND", kind) + "]}")
    ok = entry.replace("KIND", '"embedding", "dim": 384')
    assert parse_catalog('{"models": [' + ok + "]}")[0].dim == 384


def test_every_entry_is_described_in_chinese_too():
    for entry in load_catalog():
        assert re.search(r"[\u4e00-\u9fff]", entry.description_zh), entry.id
        assert entry.describe("zh_CN") == entry.describe("zh") == entry.description_zh
        assert entry.describe("en") == entry.description
    english_only = replace(load_catalog()[0], description_zh="")
    assert english_only.describe("zh_CN") == english_only.description
