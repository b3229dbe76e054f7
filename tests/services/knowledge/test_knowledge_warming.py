"""Warming the vector matrix (Searcher.warm / warming) on a real SQLite index: the same
matrix as a search would load, read in steps, and dropped when the index changed meanwhile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmasos.services.knowledge.indexer import sync
from llmasos.services.knowledge.search import Searcher
from llmasos.services.knowledge.store import KnowledgeStore

MODEL = "random-8"


@pytest.fixture
def store(tmp_path: Path):
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(3):
            (folder / f"{name}{i}.txt").write_text(f"File {name} {i}: some words here.\n")
    s = KnowledgeStore(tmp_path / "k.sqlite3")
    for name in ("a", "b"):
        s.add_collection(name, [tmp_path / name])
        list(sync(s, name))
    rng = np.random.default_rng(1)
    ids = [int(r[0]) for r in s.read("SELECT id FROM chunks ORDER BY id")]
    s.put_vectors(MODEL, [(c, rng.standard_normal(8).astype(np.float32).tobytes()) for c in ids])
    yield s
    s.close()


def test_warming_in_steps_gives_the_matrix_a_search_would_load(store: KnowledgeStore) -> None:
    everything = [c.id for c in store.collections()]
    expected_ids, expected = Searcher(store).matrix(everything, MODEL)
    searcher = Searcher(store)
    assert list(searcher.warming(MODEL, batch=4)) == [4, 6]
    assert searcher._matrix_key == (tuple(sorted(everything)), MODEL, store.version)
    ids, matrix = searcher.matrix(everything, MODEL)  # no reload: the same arrays
    assert ids is searcher._ids and matrix is searcher._matrix
    assert np.array_equal(np.sort(ids), np.sort(expected_ids)) and matrix.shape == (6, 8)
    order, expected_order = np.argsort(ids), np.argsort(expected_ids)
    assert np.array_equal(matrix[order], expected[expected_order])


def test_warming_follows_the_collections_searched_last(store: KnowledgeStore) -> None:
    searcher = Searcher(store)
    only_a = [store.collection("a").id]
    searcher.matrix(only_a, MODEL)
    store.put_vectors(MODEL, [(int(searcher._ids[0]), np.ones(8, np.float32).tobytes())])
    assert searcher.warm(MODEL) == 3
    assert searcher._matrix_key == (tuple(only_a), MODEL, store.version)
    assert np.array_equal(searcher.matrix(only_a, MODEL)[1][0], np.ones(8, np.float32))


def test_a_change_while_warming_drops_what_was_read(store: KnowledgeStore) -> None:
    searcher = Searcher(store)
    steps = searcher.warming(MODEL, batch=2)
    assert next(steps) == 2
    chunk = int(store.read("SELECT id FROM chunks LIMIT 1")[0][0])
    store.put_vectors(MODEL, [(chunk, np.zeros(8, np.float32).tobytes())])  # the index changes
    assert list(steps) == [4, 6]
    assert searcher._matrix_key is None  # nothing kept: the next search reads the new state
