"""The curated catalog in resources/catalog.json."""

from __future__ import annotations

import re

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
