"""Find the passages of one or more collections that answer a query.

Three modes, so they can be compared:

* ``lexical``: the word index (Porter-stemmed words, CJK bigrams; see
  :mod:`~llmasos.services.knowledge.query`) ranked by ``bm25``; when it finds fewer than
  the candidate pool, the trigram index (substrings) too, the two fused by reciprocal rank;
  when more chunks match than ``bm25`` can rank in time, a bounded set (:data:`SCORE_CAP`);
* ``vector``: cosine similarity of the query's vector with every chunk's, by brute force
  over one float32 matrix (kept in memory between searches until the index changes),
  ranked without the direction that tells Chinese chunks from the others when the
  collections hold both (:mod:`~llmasos.services.knowledge.language_axis`);
* ``hybrid`` (the default): both lists fused by reciprocal rank fusion
  (``1 / (60 + rank)`` summed over the lists a passage is in), which needs no score
  calibration between bm25 and cosine. Without an embedder it is the lexical search.

Every :class:`Passage` carries its scores, so the answering step can tell "nothing
relevant" apart (:class:`Relevance`) and cite the file, page or heading and the span.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from llmasos.errors import SettingsError
from llmasos.services.knowledge.language_axis import HEAD, LanguageAxis, sample_rows
from llmasos.services.knowledge.query import ParsedQuery, coverage, parse_query
from llmasos.services.knowledge.store import KnowledgeStore

if TYPE_CHECKING:
    from llmasos.foundation.engine.embedding import Embedder

__all__ = [
    "COMMON_SHARE",
    "MIN_FUSED_COVERAGE",
    "MODES",
    "RRF_K",
    "SCORE_CAP",
    "Passage",
    "Relevance",
    "Searcher",
    "search",
]

MODES = ("hybrid", "lexical", "vector")
#: The rank offset of reciprocal rank fusion (Cormack et al.'s 60): it keeps one list's
#: top hit from drowning a passage that ranks well in both.
RRF_K = 60
_POOL = 50  # candidates taken from each list before fusing
#: In hybrid search a word-index hit takes part in the fusion only when it holds at least
#: this share of the query's terms (:func:`~llmasos.services.knowledge.query.coverage`).
#: A question in the other language than a document still matches a few common words or
#: bigrams ("什么", "多少") in unrelated passages of its own language; fused, that noise
#: pushed the vector search's right answers out of the top 5. Measured on
#: bench/data/knowledge (question alone, recall@5): hybrid 0.851 without the floor, 0.894
#: with any floor from 0.2 to 0.5 (lexical 0.766, vector 0.872); same-language questions
#: stay at 1.000. Lexical-only search keeps every hit.
MIN_FUSED_COVERAGE = 0.25
#: A word in more than this share of all chunks is left out of the word-index query when
#: the query has a rarer term to rank by. BM25 gives such a word almost no weight (FTS5's
#: idf is log((N - n + 0.5) / (n + 0.5)): at most log 2 here, against ~3.6 for a word in
#: 3 % of the chunks), yet scoring its posting list is most of a query's time: two words,
#: one of them in 49 % of 103,525 chunks, took 306-700 ms; the rarer one alone ~1 ms
#: (bench/knowledge_index.py's synthetic corpus). A term's share is counted only up to
#: this bound (a capped scan of its posting list), never in full.
COMMON_SHARE = 1 / 3
#: The most matches one word-index query ranks. ``bm25`` reads every matched row's length
#: and term positions (~2 us a row on a quiet core, several times that on the shared VM),
#: and a query made only of common words has no rarer term to rank by (see
#: :data:`COMMON_SHARE`): two words each in ~45 % of 103,525 chunks ranked 50k rows,
#: 50-370 ms (bench/knowledge_index.py). When more rows match, the searcher ranks the rows
#: holding every term (the place bm25's top mostly comes from when every idf is near zero),
#: then the other matches, each set cut to its newest ``SCORE_CAP`` rows (the most
#: recently indexed chunks; a deterministic cut, counted from the end of the posting
#: lists, which FTS5 reads backwards without sorting). Collections under this size are
#: ranked in full, as before.
SCORE_CAP = 5000


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk: where it is, what it says and how it scored.

    ``start``/``end`` are offsets into the file's extracted text; ``page`` is 1-based
    (PDFs); ``heading`` is the path of headings above it. ``lexical`` is ``-bm25`` from
    the word index (or the trigram index when only that matched; higher is better),
    ``vector`` the cosine similarity, ``None`` when that list did not retrieve it;
    ``coverage`` the share of the query's terms the text contains (0 to 1); ``fused`` the
    reciprocal-rank-fusion score that ``rank`` (1 = best) follows."""

    chunk_id: int
    collection: str
    file: str
    kind: str
    page: int | None
    heading: tuple[str, ...]
    start: int
    end: int
    text: str
    rank: int
    fused: float
    coverage: float
    lexical: float | None = None
    vector: float | None = None
    lexical_rank: int | None = None
    vector_rank: int | None = None


@dataclass(frozen=True)
class Relevance:
    """When a passage counts as relevant: a cosine of at least ``min_vector`` or a term
    coverage of at least ``min_coverage``. The vector threshold depends on the embedding
    model; bench/knowledge.py calibrates both on the evaluation set."""

    min_vector: float = 0.5
    min_coverage: float = 0.6

    def is_relevant(self, passage: Passage) -> bool:
        """True when ``passage`` clears either threshold."""
        by_vector = passage.vector is not None and passage.vector >= self.min_vector
        return by_vector or passage.coverage >= self.min_coverage


def _rrf(*ranked: Sequence[int]) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ids in ranked:
        for rank, chunk_id in enumerate(ids, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    return fused


class Searcher:
    """Searches one store; keeps each collection set's vector matrix between searches.

    Not thread-safe: use it from one thread (the kernel's worker, or the command line)."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self._matrix_key: tuple[Any, ...] | None = None
        self._ids: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._matrix: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._axis: LanguageAxis | None = None  # the matrix's, when it holds both languages
        self._counted: tuple[tuple[int, int], int] | None = None  # (store version, chunks)

    def search(
        self,
        collections: Sequence[str],
        query: str,
        k: int = 5,
        *,
        mode: str = "hybrid",
        embedder: Embedder | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages of ``collections`` for ``query``, best first.

        Raises:
            CollectionNotFound: a name is not a collection.
            SettingsError: ``mode`` is unknown, or ``vector`` is asked without an embedder.
        """
        if mode not in MODES:
            raise SettingsError(f"Unknown search mode {mode!r}: use one of {', '.join(MODES)}.")
        if mode == "vector" and embedder is None:
            raise SettingsError(
                "Vector search needs the embedding model the collection was indexed with. "
                "Give one, or search in lexical mode."
            )
        ids = [self.store.collection(name).id for name in collections]
        parsed = parse_query(query)
        lexical: dict[int, float] = {}
        lexical_ids: list[int] = []
        if mode != "vector":
            lexical, lexical_ids = self._lexical(ids, parsed)
        vector: dict[int, float] = {}
        vector_ids: list[int] = []
        if mode != "lexical" and embedder is not None and query.strip():
            vector, vector_ids = self._vector(ids, query, embedder)
        lexical_rank = {c: r for r, c in enumerate(lexical_ids, start=1)}
        if lexical_ids and vector_ids:
            texts = self._rows(lexical_ids)
            lexical_ids = [
                c
                for c in lexical_ids
                if c in texts and coverage(parsed, texts[c][7]) >= MIN_FUSED_COVERAGE
            ]
        fused = _rrf(lexical_ids, vector_ids)
        best = sorted(fused, key=lambda c: -fused[c])[: max(k, 0)]
        vector_rank = {c: r for r, c in enumerate(vector_ids, start=1)}
        rows = self._rows(best)
        return [
            Passage(
                chunk_id=c,
                collection=rows[c][0],
                file=rows[c][1],
                kind=rows[c][2],
                page=rows[c][3],
                heading=tuple(json.loads(rows[c][4])),
                start=rows[c][5],
                end=rows[c][6],
                text=rows[c][7],
                rank=rank,
                fused=fused[c],
                coverage=coverage(parsed, rows[c][7]),
                lexical=lexical.get(c),
                vector=vector.get(c),
                lexical_rank=lexical_rank.get(c),
                vector_rank=vector_rank.get(c),
            )
            for rank, c in enumerate(best, start=1)
            if c in rows
        ]

    # -- lexical -----------------------------------------------------------------------------
    def _fts(
        self, table: str, match: str, ids: Sequence[int], *, newest: int = 0
    ) -> list[tuple[int, float]]:
        """The :data:`_POOL` best rows by ``bm25``; with ``newest``, of only that many of the
        matches, the last in rowid order."""
        if not match or not ids:
            return []
        args: list[Any] = [match]
        if self._is_everything(ids):  # no join: on big indexes it costs more than the match
            scored = f"SELECT rowid AS id, bm25({table}) AS s FROM {table} WHERE {table} MATCH ?"
        else:
            scored = (
                f"SELECT t.rowid AS id, bm25({table}) AS s FROM {table} t"
                " JOIN chunks c ON c.id = t.rowid JOIN files f ON f.id = c.file_id"
                f" WHERE {table} MATCH ? AND f.collection_id IN ({', '.join('?' * len(ids))})"
            )
            args.extend(ids)
        if newest:  # bm25 runs only on the rows the inner LIMIT lets through
            scored = f"SELECT id, s FROM ({scored} ORDER BY id DESC LIMIT ?)"
            args.append(newest)
        rows = self.store.read(f"{scored} ORDER BY s LIMIT ?", (*args, _POOL))
        return [(int(r[0]), -float(r[1])) for r in rows]

    def _matches_over(self, match: str, bound: int) -> bool:
        """True when more than ``bound`` chunks match (a scan stopped at ``bound + 1``)."""
        (seen,) = self.store.read(
            "SELECT count(*) FROM (SELECT rowid FROM chunks_words"
            " WHERE chunks_words MATCH ? LIMIT ?)",
            (match, bound + 1),
        )[0]
        return int(seen) > bound

    def _is_everything(self, ids: Sequence[int]) -> bool:
        return set(ids) >= {int(r[0]) for r in self.store.read("SELECT id FROM collections")}

    def _common_terms(self, parsed: ParsedQuery) -> set[str]:
        """The query's Latin-script terms in more than :data:`COMMON_SHARE` of all chunks,
        when at least one of its terms is rarer (else none: nothing rarer to rank by)."""
        latin = set(parsed.latin_terms())
        if len(parsed.clauses) < 2 or not latin:
            return set()
        cap = max(1, int(self._chunk_count() * COMMON_SHARE))
        common = {
            term
            for term, (clause, *_) in parsed.clauses  # a Latin term has one clause
            if term in latin and self._matches_over(clause, cap)
        }
        return common if len(common) < len(parsed.clauses) else set()

    def _chunk_count(self) -> int:
        if self._counted is None or self._counted[0] != self.store.version:
            total = int(self.store.read("SELECT count(*) FROM chunks")[0][0])
            self._counted = (self.store.version, total)
        return self._counted[1]

    def _lexical(
        self, ids: Sequence[int], parsed: ParsedQuery
    ) -> tuple[dict[int, float], list[int]]:
        common = self._common_terms(parsed)
        match = parsed.words_match_without(common) if common else parsed.words_match
        if match and self._matches_over(match, SCORE_CAP):
            words = self._capped_words(ids, match, parsed.every_term_match(common))
            trigrams: list[tuple[int, float]] = []  # common terms: longer lists still
        else:
            words = self._fts("chunks_words", match, ids)
            # substrings only when whole words found too little: trigram posting lists of
            # common words are long, and the word index already ranks whole-word matches
            trigram_match = parsed.trigram_match_without(common) if common else parsed.trigram_match
            trigrams = self._fts("chunks_trigram", trigram_match, ids) if len(words) < _POOL else []
        scores = dict(trigrams)
        scores.update(words)  # the word index's score where both matched
        fused = _rrf([c for c, _ in words], [c for c, _ in trigrams])
        ranked = sorted(fused, key=lambda c: -fused[c])[:_POOL]
        return scores, ranked

    def _capped_words(
        self, ids: Sequence[int], match: str, every_term: str
    ) -> list[tuple[int, float]]:
        """More than :data:`SCORE_CAP` chunks match: the rows holding every term ranked
        first, then the others, each set cut to its newest ``SCORE_CAP`` rows."""
        words = self._fts("chunks_words", every_term, ids, newest=SCORE_CAP)
        if len(words) < _POOL and every_term != match:
            seen = {c for c, _ in words}
            rest = self._fts("chunks_words", match, ids, newest=SCORE_CAP)
            words += [(c, s) for c, s in rest if c not in seen][: _POOL - len(words)]
        return words

    # -- vectors -----------------------------------------------------------------------------
    def _vector(
        self, ids: Sequence[int], query: str, embedder: Embedder
    ) -> tuple[dict[int, float], list[int]]:
        chunk_ids, matrix = self.matrix(ids, embedder.model_id)
        if not len(chunk_ids):
            return {}, []
        q = np.asarray(embedder.embed([query], query=True), dtype=np.float32)[0]
        # einsum, not matrix @ q: one thread, no BLAS thread pool to wake. On the shared
        # 2-core machine it took 27 ms at 100k x 512 where OpenBLAS took 46-64 ms, and 0.6
        # instead of ~20 ms at 2k (bench/knowledge_index.py)
        scores = np.einsum("ij,j->i", matrix, q)
        # ranked without the direction that tells the languages apart (language_axis.py);
        # the cosines reported stay the plain ones the relevance rule is calibrated on
        ranking = self._axis.without(scores, q) if self._axis is not None else scores
        n = min(_POOL, len(scores))
        top = np.argpartition(-ranking, n - 1)[:n]
        top = top[np.argsort(-ranking[top], kind="stable")]
        return {int(chunk_ids[i]): float(scores[i]) for i in top}, [int(chunk_ids[i]) for i in top]

    def warm(self, model: str) -> int:
        """Load ``model``'s vectors now for the collections searched last (every collection
        before the first search), so that the next search does not: after an index change
        the first vector search reads them all (seconds at 100k chunks; bench/README.md,
        knowledge_index.py). Returns how many vectors are in memory. :meth:`warming`
        does the same in steps."""
        return max(self.warming(model, batch=0), default=0)

    def warming(self, model: str, batch: int = 5000) -> Iterator[int]:
        """:meth:`warm` in steps of ``batch`` vectors (0: one step), yielding the number
        read so far after each, so that a caller sharing its thread (the kernel's worker)
        can run other work between them. When the index changed meanwhile, what was read
        is dropped (the next search, or the next warming, reads the new state)."""
        existing = {int(r[0]) for r in self.store.read("SELECT id FROM collections")}
        last = set(self._matrix_key[0]) if self._matrix_key is not None else existing
        ids = sorted(last & existing) or sorted(existing)
        if ids:
            version = self.store.version
            loaded = yield from self._load(ids, model, batch)
            if self.store.version == version:
                self._keep(ids, model, version, *loaded)

    def matrix(
        self, ids: Sequence[int], model: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The chunk ids and the ``(n, dim)`` vectors of ``model`` for these collections."""
        key = (tuple(sorted(ids)), model, self.store.version)
        if key != self._matrix_key:
            loading = self._load(ids, model, 0)
            while True:
                try:
                    next(loading)
                except StopIteration as done:
                    self._keep(ids, model, key[2], *done.value)
                    break
        return self._ids, self._matrix

    def _keep(
        self,
        ids: Sequence[int],
        model: str,
        version: tuple[int, int],
        chunk_ids: npt.NDArray[np.int64],
        matrix: npt.NDArray[np.float32],
    ) -> None:
        self._ids, self._matrix = chunk_ids, matrix
        self._matrix_key = (tuple(sorted(ids)), model, version)
        rows = sample_rows(len(chunk_ids))
        texts = self._texts([int(c) for c in chunk_ids[rows]])
        self._axis = LanguageAxis.find(
            matrix, rows, [texts.get(int(c), "") for c in chunk_ids[rows]]
        )

    def _texts(self, chunk_ids: Sequence[int]) -> dict[int, str]:
        if not chunk_ids:
            return {}
        marks = ", ".join("?" * len(chunk_ids))
        rows = self.store.read(
            f"SELECT id, substr(text, 1, {HEAD}) FROM chunks WHERE id IN ({marks})", chunk_ids
        )
        return {int(r[0]): str(r[1]) for r in rows}

    def _load(
        self, ids: Sequence[int], model: str, batch: int
    ) -> Generator[int, None, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]]:
        """Read the vectors in chunk-id order, ``batch`` at a time (0: all at once; the
        primary key ``(model, chunk_id)`` keeps each step a range read)."""
        everything = self._is_everything(ids)
        marks = ", ".join("?" * len(ids))
        limit = f" LIMIT {int(batch)}" if batch > 0 else ""
        id_parts: list[npt.NDArray[np.int64]] = []
        vector_parts: list[npt.NDArray[np.float32]] = []
        after, count = -1, 0
        while True:
            if everything:
                rows = self.store.read(
                    "SELECT chunk_id, vector FROM vectors WHERE model = ? AND chunk_id > ?"
                    f" ORDER BY chunk_id{limit}",
                    (model, after),
                )
            else:
                rows = self.store.read(
                    "SELECT v.chunk_id, v.vector FROM vectors v"
                    " JOIN chunks c ON c.id = v.chunk_id JOIN files f ON f.id = c.file_id"
                    f" WHERE v.model = ? AND v.chunk_id > ? AND f.collection_id IN ({marks})"
                    f" ORDER BY v.chunk_id{limit}",
                    (model, after, *ids),
                )
            if rows:
                id_parts.append(np.fromiter((r[0] for r in rows), np.int64, count=len(rows)))
                flat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
                vector_parts.append(flat.reshape(len(rows), -1))
                after, count = int(rows[-1][0]), count + len(rows)
                yield count
            if not limit or len(rows) < batch:
                break
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        if len(id_parts) == 1:
            return id_parts[0], vector_parts[0]
        return np.concatenate(id_parts), np.concatenate(vector_parts)

    def _rows(self, chunk_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        if not chunk_ids:
            return {}
        marks = ", ".join("?" * len(chunk_ids))
        rows = self.store.read(
            "SELECT c.id, col.name, f.path, f.kind, c.page, c.heading, c.span_start, c.span_end,"
            " c.text FROM chunks c JOIN files f ON f.id = c.file_id"
            f" JOIN collections col ON col.id = f.collection_id WHERE c.id IN ({marks})",
            tuple(chunk_ids),
        )
        return {int(r[0]): r[1:] for r in rows}


def search(
    store: KnowledgeStore,
    collections: Sequence[str],
    query: str,
    k: int = 5,
    *,
    mode: str = "hybrid",
    embedder: Embedder | None = None,
) -> list[Passage]:
    """One search without a kept :class:`Searcher` (see :meth:`Searcher.search`)."""
    return Searcher(store).search(collections, query, k, mode=mode, embedder=embedder)
