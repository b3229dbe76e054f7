"""The direction in which a collection's Chinese chunks differ from its others, and vector
scores without it.

A multilingual embedder puts texts of one language nearer each other than the same content
in the other language: with m3e-small, a Chinese question over English passages lands
nearer unrelated Chinese ones. Much of that is one direction, the difference of the two
languages' centroids (in bench/data/knowledge it is the first principal component of the
chunk vectors: Chinese chunks at -0.17 along it, English ones at +0.17). It says which
language a text is in, nothing about what it says, so ranking by the cosine of the vectors
with it projected out (the query's too) compares content across the languages. This is
the idea of removing language identity from multilingual sentence embeddings; the
direction is measured on the collection searched, so it follows the embedder.

Measured on bench/data/knowledge, the question alone, recall@5: vector search 0.872 ->
0.957 and hybrid 0.894 -> 0.957 (across languages 7 -> 11 and 7 -> 10 of 12, same
language unchanged). A collection in one language has no such direction and is ranked as
before. The raw cosine stays what a :class:`~llmasos.services.knowledge.search.Passage`
reports, because the relevance threshold is calibrated on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from llmasos.services.knowledge.query import cjk_share

__all__ = ["HEAD", "MIN_SIDE", "SAMPLE", "LanguageAxis", "sample_rows"]

#: Chunks of each side (Chinese, other) a centroid needs: with fewer, the difference of
#: the centroids is mostly those few chunks' topics, and removing it would hide them.
MIN_SIDE = 10
#: Chunks whose text is read to find the direction (evenly spread over the collection;
#: their first :data:`HEAD` characters tell the language): the centroids of a sample this
#: size move little, and reading and sorting it takes ~10 ms (2,000 whole chunks took
#: ~65 ms at 100k, bench/knowledge_index.py's corpus).
SAMPLE = 500
HEAD = 200
_CHINESE = 0.2  # a chunk is Chinese when this share of its characters are CJK


def sample_rows(count: int) -> npt.NDArray[np.int64]:
    """Up to :data:`SAMPLE` row numbers of ``count`` rows, spread evenly."""
    if count <= SAMPLE:
        return np.arange(count, dtype=np.int64)
    rows: npt.NDArray[np.int64] = np.linspace(0, count - 1, SAMPLE).round().astype(np.int64)
    return rows


@dataclass(frozen=True)
class LanguageAxis:
    """The unit ``direction`` between the languages' centroids, each chunk's component
    ``along`` it and the norm of the ``rest`` (rows as in the matrix it was found in)."""

    direction: npt.NDArray[np.float32]
    along: npt.NDArray[np.float32]
    rest: npt.NDArray[np.float32]

    @classmethod
    def find(
        cls,
        matrix: npt.NDArray[np.float32],
        rows: npt.NDArray[np.int64],
        texts: Sequence[str],
    ) -> LanguageAxis | None:
        """The axis of ``matrix`` (unit rows), from the sampled ``rows`` and their
        ``texts`` (the first :data:`HEAD` characters are enough); None when either
        language has fewer than :data:`MIN_SIDE` of them."""
        chinese = np.array([cjk_share(t) >= _CHINESE for t in texts], dtype=bool)
        if min(int(chinese.sum()), int((~chinese).sum())) < MIN_SIDE:
            return None
        sampled = matrix[rows]
        difference = sampled[chinese].mean(axis=0) - sampled[~chinese].mean(axis=0)
        size = float(np.linalg.norm(difference))
        if not size:
            return None
        direction = (difference / size).astype(np.float32)
        along = np.einsum("ij,j->i", matrix, direction)
        rest = np.sqrt(np.clip(1.0 - along * along, 1e-6, None)).astype(np.float32)
        return cls(direction, along, rest)

    def without(
        self, scores: npt.NDArray[np.float32], query: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """``scores`` (each row's cosine with ``query``) as the cosines of the rows and the
        query with the direction projected out, up to a factor shared by all rows (the
        query's own remaining norm), so they rank the same."""
        query_along = np.float32(query @ self.direction)
        ranked: npt.NDArray[np.float32] = (scores - self.along * query_along) / self.rest
        return ranked
