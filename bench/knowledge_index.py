"""Knowledge index at scale: indexing speed, query latency per mode, memory.

    python bench/knowledge_index.py [--sizes 10000 100000] [--repeat 15] [--m3e PATH]

For each size, a synthetic bilingual corpus (half Chinese, half English files, ~5 chunks
each, words drawn from a Zipf distribution so common terms are common and rare ones rare)
is written to disk and indexed by the real ``sync`` into a real SQLite file (full text
only: timing the embedder is bench/embed.py's job). Then:

* lexical search latency for a 1-, 2- and 4-character Chinese query, one and two English
  words, all cut from random chunks; the 2-character one also through ``LIKE '%..%'``
  over all chunks, the alternative plan for queries shorter than a trigram;
* vector search over random unit vectors of the embedder's width (512, m3e-small): the
  cost of brute force does not depend on what the vectors mean. Cold (matrix loaded from
  SQLite) and warm (cached) separately; hybrid = lexical + vector + fusion;
* with ``--m3e``, the time to embed one query with the real model (the rest of a hybrid
  search's cost), and indexing with it against the same model embedding the same chunk
  texts raw (``--embed-chunks``, one thread);
* the first vector search after the index changed, with the vectors loaded lazily by
  that search (as before) and warmed in the background after indexing (as the kernel
  does now), and the background load's own time;
* database size and the vector matrix's memory.

Last line of stdout: one JSON object (``bench, sizes[...]``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from llmasos.services.knowledge.indexer import SyncSummary, sync
from llmasos.services.knowledge.query import parse_query
from llmasos.services.knowledge.search import Searcher
from llmasos.services.knowledge.store import KnowledgeStore

DIM = 512


class _Vocabulary:
    def __init__(self, rng: random.Random) -> None:
        # common Han characters sit early in the block; 3,000 of them with Zipf weights
        chars = [chr(0x4E00 + i * 7) for i in range(3000)]
        rng.shuffle(chars)
        self.zh = chars
        self.zh_weights = [1 / (i + 1) for i in range(len(self.zh))]
        syllables = ["ba", "ck", "up", "re", "ten", "tion", "in", "dex", "ser", "ver", "lo", "ga"]
        self.en = ["".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(6000)]
        self.en_weights = [1 / (i + 1) for i in range(len(self.en))]
        self.rng = rng

    def zh_paragraph(self) -> str:
        sentences = [
            "".join(self.rng.choices(self.zh, self.zh_weights, k=self.rng.randint(12, 30))) + "。"
            for _ in range(self.rng.randint(2, 5))
        ]
        return "".join(sentences)

    def en_paragraph(self) -> str:
        words = self.rng.choices(self.en, self.en_weights, k=self.rng.randint(40, 110))
        return " ".join(words).capitalize() + "."


def write_corpus(folder: Path, chunks: int, rng: random.Random) -> int:
    """Files of about five chunks each; returns how many were written."""
    vocab = _Vocabulary(rng)
    n_files = max(1, chunks // 5)
    for i in range(n_files):
        zh = i % 2 == 0
        paragraph = vocab.zh_paragraph if zh else vocab.en_paragraph
        sections = [f"# {'第' if zh else 'Part'} {j}\n\n" + paragraph() for j in range(5)]
        (folder / f"doc{i:06d}.md").write_text("\n\n".join(sections), "utf-8")
    return n_files


def pick_queries(store: KnowledgeStore, rng: random.Random) -> dict[str, str]:
    """Queries cut from random chunks, so each has hits at a realistic frequency."""
    zh = rng.choice(store.read("SELECT text FROM chunks WHERE text LIKE '# 第%' LIMIT 200"))[0]
    en = rng.choice(store.read("SELECT text FROM chunks WHERE text LIKE '# Part%' LIMIT 200"))[0]
    body = zh.split("\n\n", 1)[1]
    at = rng.randrange(0, len(body) - 6)
    words = en.split("\n\n", 1)[1].rstrip(".").split()
    return {
        "zh_1": body[at],
        "zh_2": body[at : at + 2],
        "zh_4": body[at : at + 4],
        "en_words": " ".join(rng.sample(words, 2)),
        "en_word": rng.choice(words),
        "en_common": " ".join(most_common(store, words, 2)),
    }


def most_common(store: KnowledgeStore, words: list[str], n: int) -> list[str]:
    """The ``n`` words of ``words`` that the most chunks hold: a query with no rarer term
    to rank by (search.COMMON_SHARE), the word index's worst case."""
    counts = {
        word: store.read(
            "SELECT count(*) FROM chunks_words WHERE chunks_words MATCH ?", (f'"{word}"',)
        )[0][0]
        for word in dict.fromkeys(w.lower() for w in words)
        if any(term == word for term, _ in parse_query(f"{word} x").clauses)  # no stop word
    }
    return sorted(counts, key=lambda w: (-counts[w], w))[:n]


def timed(fn: object, repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def add_random_vectors(store: KnowledgeStore, rng: np.random.Generator) -> None:
    ids = [r[0] for r in store.read("SELECT id FROM chunks")]
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        vecs = rng.standard_normal((len(part), DIM)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        store.put_vectors("random-512", [(c, v.tobytes()) for c, v in zip(part, vecs, strict=True)])


class _Fixed:
    """Gives one stored vector as "the query's" (the search path is what is timed)."""

    model_id = "random-512"
    dim = DIM

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = vector

    def embed(self, texts: object, **_: object) -> np.ndarray:
        return self.vector[None, :]

    def close(self) -> None:
        pass


def first_search_after_change(
    store: KnowledgeStore, searcher: Searcher, embedder: _Fixed, repeat: int
) -> dict[str, float]:
    """The first vector search after the index changed: loading the vectors lazily in it
    (before) against warming them in the background once indexing ends (the kernel's
    ``KnowledgeIndexer`` since issue 17's follow-up; ``warm_ms`` is that background load).
    The change is one chunk's vector written again, as re-embedding an edited file does.
    Medians over ``max(3, repeat // 3)`` changes."""
    one = store.read("SELECT chunk_id, vector FROM vectors LIMIT 1")[0]

    def change() -> None:
        store.put_vectors("random-512", [(int(one[0]), bytes(one[1]))])

    def first() -> float:
        start = time.perf_counter()
        searcher.search(["bench"], "x", 5, mode="vector", embedder=embedder)  # type: ignore[arg-type]
        return (time.perf_counter() - start) * 1000

    lazy, warmed, warm = [], [], []
    for _ in range(max(3, repeat // 3)):
        change()
        lazy.append(first())
        change()
        start = time.perf_counter()
        searcher.warm("random-512")
        warm.append((time.perf_counter() - start) * 1000)
        warmed.append(first())
    return {
        "first_vector_after_change_lazy_ms": round(statistics.median(lazy), 1),
        "first_vector_after_change_warmed_ms": round(statistics.median(warmed), 2),
        "warm_ms": round(statistics.median(warm), 1),
    }


def measure(size: int, repeat: int, work: Path) -> dict[str, object]:
    folder = work / f"docs{size}"
    folder.mkdir()
    n_files = write_corpus(folder, size, random.Random(size))
    store = KnowledgeStore(work / f"k{size}.sqlite3")
    store.add_collection("bench", [folder])
    start = time.perf_counter()
    summary = next(e for e in sync(store, "bench") if isinstance(e, SyncSummary))
    index_s = time.perf_counter() - start
    start = time.perf_counter()
    again = next(e for e in sync(store, "bench") if isinstance(e, SyncSummary))
    resync_s = time.perf_counter() - start
    assert again.added == again.updated == 0
    searcher = Searcher(store)
    queries = pick_queries(store, random.Random(size + 1))
    out: dict[str, object] = {
        "chunks": summary.chunks,
        "files": n_files,
        "index_s": round(index_s, 2),
        "files_per_s": round(n_files / index_s, 1),
        "chunks_per_s": round(summary.chunks / index_s, 1),
        "resync_unchanged_s": round(resync_s, 2),
    }
    for name, query in queries.items():
        out[f"hits_{name}"] = len(searcher.search(["bench"], query, 50, mode="lexical"))
        out[f"lexical_{name}_ms"] = round(
            timed(lambda q=query: searcher.search(["bench"], q, 5, mode="lexical"), repeat), 2
        )
    out["like_zh_2_ms"] = round(
        timed(
            lambda: store.read(
                "SELECT id FROM chunks WHERE text LIKE ? LIMIT 50", (f"%{queries['zh_2']}%",)
            ),
            repeat,
        ),
        2,
    )
    out["like_zh_2_all_ms"] = round(
        timed(
            lambda: store.read(
                "SELECT count(*) FROM chunks WHERE text LIKE ?", (f"%{queries['zh_2']}%",)
            ),
            max(3, repeat // 5),
        ),
        2,
    )
    add_random_vectors(store, np.random.default_rng(size))
    query_vec = np.frombuffer(store.read("SELECT vector FROM vectors LIMIT 1")[0][0], np.float32)
    embedder = _Fixed(query_vec)
    cold = Searcher(store)
    start = time.perf_counter()
    cold.search(["bench"], "x", 5, mode="vector", embedder=embedder)  # type: ignore[arg-type]
    out["vector_cold_ms"] = round((time.perf_counter() - start) * 1000, 1)
    out["vector_warm_ms"] = round(
        timed(lambda: cold.search(["bench"], "x", 5, mode="vector", embedder=embedder), repeat), 2
    )
    out["hybrid_warm_ms"] = round(
        timed(
            lambda: cold.search(["bench"], queries["zh_4"], 5, mode="hybrid", embedder=embedder),
            repeat,
        ),
        2,
    )
    out["hybrid_en_common_warm_ms"] = round(
        timed(
            lambda: cold.search(
                ["bench"], queries["en_common"], 5, mode="hybrid", embedder=embedder
            ),
            repeat,
        ),
        2,
    )
    out["en_common"] = queries["en_common"]
    out.update(first_search_after_change(store, cold, embedder, repeat))
    # peak of the whole process so far (sizes run smallest first, so it is this size's)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["matrix_mb"] = round(
        cold.matrix([store.collection("bench").id], "random-512")[1].nbytes / 2**20, 1
    )
    store.close()
    out["db_mb"] = round((work / f"k{size}.sqlite3").stat().st_size / 2**20, 1)
    return out


def query_embedding_ms(path: str, repeat: int) -> float:
    from llmasos.foundation.engine.llama_embedder import LlamaEmbedder

    model = LlamaEmbedder(path, probe=False, n_threads=1)
    try:
        return timed(lambda: model.embed(["向量检索需要什么模型？"], query=True), repeat)
    finally:
        model.close()


class _Stopwatch:
    """Passes every call to the real embedder and adds up the time spent inside it."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.inside = 0.0
        self.model_id = model.model_id
        self.dim = model.dim

    def embed(self, texts: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.model.embed(texts, **kwargs)
        finally:
            self.inside += time.perf_counter() - start

    def close(self) -> None:
        self.model.close()


def embedding_ratio(path: str, chunks: int, work: Path) -> dict[str, float]:
    """Indexing with m3e-small against the same model embedding the same texts raw.

    Two views. ``*_ratio``: throughput of the embedding phase (and of the whole sync:
    reading, chunking, SQLite) over one raw ``embed()`` call on the same texts, sides
    alternating; on a busy machine this is mostly noise. ``overhead_share``: within the
    embedding phase, the share of time spent outside ``embed()`` (selecting chunks,
    writing vectors, events) — what the index adds, measured in the same run."""
    from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
    from llmasos.services.knowledge.chunks import embedding_text

    folder = work / "embed_docs"
    folder.mkdir()
    write_corpus(folder, chunks, random.Random(3))
    model = LlamaEmbedder(path, probe=False, n_threads=1)
    raw_s: list[float] = []
    phase_s: list[float] = []
    sync_s: list[float] = []
    overhead: list[float] = []
    try:
        for run in range(2):
            store = KnowledgeStore(work / f"embed{run}.sqlite3")
            store.add_collection("e", [folder])
            start = time.perf_counter()
            list(sync(store, "e"))
            lexical = time.perf_counter() - start
            rows = store.read("SELECT heading, text FROM chunks ORDER BY id")
            texts = [embedding_text(tuple(json.loads(h)), t) for h, t in rows]
            start = time.perf_counter()
            model.embed(texts)
            raw_s.append(time.perf_counter() - start)
            watch = _Stopwatch(model)
            start = time.perf_counter()
            list(sync(store, "e", watch))  # type: ignore[arg-type]  # files unchanged: embedding only
            phase_s.append(time.perf_counter() - start)
            overhead.append((phase_s[-1] - watch.inside) / phase_s[-1])
            sync_s.append(phase_s[-1] + lexical)
            store.close()
    finally:
        model.close()
    raw, phase, whole = min(raw_s), min(phase_s), min(sync_s)
    return {
        "embed_chunks": len(texts),
        "raw_chunks_per_s": round(len(texts) / raw, 1),
        "index_embed_chunks_per_s": round(len(texts) / phase, 1),
        "embed_phase_ratio": round(raw / phase, 3),
        "whole_sync_ratio": round(raw / whole, 3),
        "overhead_share": round(max(overhead), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--m3e", help="m3e-small GGUF: also time a query's embedding and indexing with it"
    )
    parser.add_argument("--embed-chunks", type=int, default=600, metavar="N")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            row = measure(size, args.repeat, Path(tmp))
            print(json.dumps(row), file=sys.stderr, flush=True)
            results.append(row)
    summary: dict[str, object] = {"bench": "knowledge_index", "sizes": results}
    if args.m3e:
        summary["query_embedding_ms"] = round(query_embedding_ms(args.m3e, args.repeat), 2)
        with tempfile.TemporaryDirectory() as tmp:
            summary["embedding"] = embedding_ratio(args.m3e, args.embed_chunks, Path(tmp))
        print(json.dumps(summary["embedding"]), file=sys.stderr)
    for row in results:
        print(
            f"{row['chunks']:>7} chunks: index {row['chunks_per_s']} chunks/s; lexical zh2 "
            f"{row['lexical_zh_2_ms']} ms (LIKE {row['like_zh_2_ms']}), zh4 "
            f"{row['lexical_zh_4_ms']} ms, en {row['lexical_en_words_ms']} ms, en common "
            f"{row['lexical_en_common_ms']} ms (hybrid {row['hybrid_en_common_warm_ms']} ms); "
            f"vector {row['vector_warm_ms']} ms warm / {row['vector_cold_ms']} ms cold; hybrid "
            f"{row['hybrid_warm_ms']} ms; db {row['db_mb']} MB, matrix {row['matrix_mb']} MB; "
            f"first vector search after a change {row['first_vector_after_change_lazy_ms']} ms "
            f"lazy / {row['first_vector_after_change_warmed_ms']} ms warmed "
            f"(background load {row['warm_ms']} ms)"
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
