"""The kernel's knowledge indexer warms the vectors after indexing (real kernel, real
SQLite index, the real m3e-small embedder): the search that follows an index change finds
the matrix already in memory instead of reading every vector back."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmasos.kernel.kernel import Kernel
from llmasos.kernel.knowledge import KnowledgeIndexer
from llmasos.services.knowledge.store import KnowledgeStore

pytestmark = pytest.mark.real_model
WAIT_MS = 120_000


def test_vectors_are_in_memory_after_indexing_and_after_each_change(
    qtbot, tmp_path: Path, m3e_small_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "printer.txt").write_text("The printer jams when the tray is overfilled.\n")
    (docs / "备份.md").write_text("# 备份\n\n每天晚上十一点自动备份数据库。\n", "utf-8")
    kernel = Kernel()
    store = KnowledgeStore(tmp_path / "knowledge.sqlite3")
    indexer = KnowledgeIndexer(kernel, store, m3e_small_path, threads=1)
    searches: list[object] = []
    indexer.searched.connect(lambda _r, found: searches.append(found))
    try:
        store.add_collection("docs", [docs])
        with qtbot.waitSignal(indexer.warmed, timeout=WAIT_MS) as warmed:
            indexer.sync("docs")
        searcher = indexer._searcher
        assert searcher is not None
        key = searcher._matrix_key
        assert warmed.args == [2]  # one passage per file, both embedded
        assert key is not None and key[2] == store.version  # current, not stale

        # a search now reuses that matrix: the key (and the array) stay the same
        matrix = searcher._matrix
        with qtbot.waitSignal(indexer.searched, timeout=WAIT_MS):
            indexer.search(["docs"], "paper tray", 3)
        assert searcher._matrix is matrix and Path(searches[-1][0].file).name == "printer.txt"

        # an edit changes the index: warmed again, with the new passage
        (docs / "coffee.txt").write_text("The coffee machine is cleaned on Mondays.\n")
        with qtbot.waitSignal(indexer.warmed, timeout=WAIT_MS) as warmed:
            indexer.sync("docs")
        assert warmed.args == [3] and searcher._matrix_key[2] == store.version
        assert searcher._matrix is not matrix

        # a re-check that changes nothing does not reload anything
        with qtbot.waitSignal(indexer.synced, timeout=WAIT_MS):
            indexer.sync("docs")
        qtbot.waitUntil(lambda: indexer.is_idle and not kernel.is_busy, timeout=WAIT_MS)
        with qtbot.assertNotEmitted(indexer.warmed, wait=300):
            pass
    finally:
        indexer.shutdown()
        kernel.shutdown()
        store.close()


def test_warming_runs_in_slices_that_let_other_work_in_between(
    qtbot, tmp_path: Path, m3e_small_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functools import partialmethod

    import llmasos.kernel.knowledge as knowledge
    from llmasos.services.knowledge.search import Searcher

    # one vector per step and no time per slice: every step is a job of its own
    monkeypatch.setattr(knowledge, "SLICE_S", 0.0)
    monkeypatch.setattr(Searcher, "warming", partialmethod(Searcher.warming, batch=1))
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"note{i}.txt").write_text(f"Note number {i} is about topic {i * 7}.\n")
    kernel = Kernel()
    store = KnowledgeStore(tmp_path / "knowledge.sqlite3")
    indexer = KnowledgeIndexer(kernel, store, m3e_small_path, threads=1)
    warm_jobs: list[int] = []
    kernel.started.connect(lambda request: warm_jobs.append(request))
    try:
        store.add_collection("docs", [docs])
        with qtbot.waitSignal(indexer.synced, timeout=WAIT_MS):
            indexer.sync("docs")
        before = len(warm_jobs)
        with qtbot.waitSignal(indexer.warmed, timeout=WAIT_MS) as warmed:
            pass
        assert warmed.args == [3]
        assert len(warm_jobs) - before >= 3  # a job per step, each queued behind others
        searcher = indexer._searcher
        assert searcher is not None and searcher._matrix_key[2] == store.version
        assert searcher._matrix.shape == (3, 512)
    finally:
        indexer.shutdown()
        kernel.shutdown()
        store.close()
