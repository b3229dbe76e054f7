"""Vectors from the real m3e-small embedding model (llama.cpp): vector and hybrid search,
re-embedding on a change of model, and a kill in the middle of embedding."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmasos.errors import SettingsError
from llmasos.foundation.engine.llama_embedder import LlamaEmbedder, Prefixes
from llmasos.services.knowledge.indexer import SyncSummary, sync
from llmasos.services.knowledge.search import MIN_FUSED_COVERAGE, Searcher
from llmasos.services.knowledge.store import KnowledgeStore

pytestmark = pytest.mark.real_model

DOCS = {
    "backup.md": "# 备份\n\n每天晚上十一点自动备份数据库，备份文件保留三十天。\n\n"
    "# 恢复\n\n从备份恢复数据需要管理员密码。\n",
    "leave.md": "# 休假制度\n\n员工每年享有十五天带薪年假，病假需要医生证明。\n",
    "coffee.txt": "茶水间的咖啡机每周一由行政部门清洗。\n",
    "printer.txt": "The printer on the third floor jams when the paper tray is overfilled.\n",
}


@pytest.fixture(scope="module")
def embedder(m3e_small_path: Path) -> Iterator[LlamaEmbedder]:
    model = LlamaEmbedder(m3e_small_path, probe=False, n_threads=1)
    yield model
    model.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, "utf-8")
    with KnowledgeStore(tmp_path / "k.sqlite3") as s:
        s.add_collection("docs", [folder])
        yield s


def summary_of(store: KnowledgeStore, embedder: LlamaEmbedder | None) -> SyncSummary:
    last = list(sync(store, "docs", embedder))[-1]
    assert isinstance(last, SyncSummary)
    return last


def vectors(store: KnowledgeStore) -> list[tuple[int, str]]:
    return sorted(store.read("SELECT chunk_id, model FROM vectors"))


def test_vector_search_finds_what_words_miss(
    store: KnowledgeStore, embedder: LlamaEmbedder
) -> None:
    summary = summary_of(store, embedder)
    assert summary.embedded == summary.chunks == 5
    search = Searcher(store).search
    # no word of the query is in the passage: the full-text search finds nothing
    assert search(["docs"], "请假的规定", 3, mode="lexical") == []
    hit = search(["docs"], "请假的规定", 3, mode="vector", embedder=embedder)[0]
    assert hit.file.endswith("leave.md") and hit.vector is not None and hit.lexical is None
    # a Chinese question over an English document
    cross = search(["docs"], "打印机卡纸", 3, mode="vector", embedder=embedder)[0]
    assert cross.file.endswith("printer.txt")
    hybrid = search(["docs"], "printer paper jam", 3, mode="hybrid", embedder=embedder)
    assert hybrid[0].file.endswith("printer.txt")
    assert hybrid[0].lexical_rank == hybrid[0].vector_rank == 1
    assert hybrid[0].vector is not None and hybrid[0].lexical is not None
    assert [p.rank for p in hybrid] == list(range(1, len(hybrid) + 1))
    assert search(["docs"], "请假的规定", 3, mode="hybrid", embedder=embedder)[0].file.endswith(
        "leave.md"
    )
    with pytest.raises(SettingsError, match="embedding model"):
        search(["docs"], "x", mode="vector")
    # hybrid without an embedder is the full-text search
    assert search(["docs"], "年假") == search(["docs"], "年假", mode="lexical")


def test_only_changed_chunks_are_embedded(
    store: KnowledgeStore, embedder: LlamaEmbedder, tmp_path: Path
) -> None:
    summary_of(store, embedder)
    folder = tmp_path / "docs"
    (folder / "coffee.txt").write_text("咖啡机改为每周五清洗。\n", "utf-8")
    (folder / "leave.md").rename(folder / "假期.md")
    summary = summary_of(store, embedder)
    assert (summary.updated, summary.moved, summary.embedded) == (1, 1, 1)
    chunk_ids = sorted(r[0] for r in store.read("SELECT id FROM chunks"))
    assert [c for c, _ in vectors(store)] == chunk_ids
    hit = Searcher(store).search(["docs"], "请假的规定", 1, mode="vector", embedder=embedder)[0]
    assert hit.file.endswith("假期.md")


def test_a_new_embedder_re_embeds_everything(
    store: KnowledgeStore, embedder: LlamaEmbedder, m3e_small_path: Path
) -> None:
    summary_of(store, embedder)
    other = LlamaEmbedder(m3e_small_path, probe=False, n_threads=1, prefixes=Prefixes("q: ", "p: "))
    try:
        assert other.model_id != embedder.model_id
        summary = summary_of(store, other)
        assert summary.embedded == summary.chunks == 5 and summary.added == 0
        assert {m for _, m in vectors(store)} == {other.model_id}  # the old ones are gone
        hit = Searcher(store).search(["docs"], "请假的规定", 1, mode="vector", embedder=other)[0]
        assert hit.file.endswith("leave.md")
    finally:
        other.close()


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
    from llmasos.services.knowledge import indexer
    from llmasos.services.knowledge.indexer import IndexProgress, sync
    from llmasos.services.knowledge.store import KnowledgeStore

    store = KnowledgeStore(Path(sys.argv[1]))
    embedder = LlamaEmbedder(sys.argv[2], probe=False, n_threads=1)
    indexer.EMBED_BATCH = 8
    for event in sync(store, "docs", embedder):
        if isinstance(event, IndexProgress) and event.phase == "embed":
            print(event.chunks_done, flush=True)
    """
)


def test_kill_while_embedding_then_resume(
    tmp_path: Path, embedder: LlamaEmbedder, m3e_small_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):  # one chunk each: five batches of eight in the child
        paragraphs = (f"第 {i} 号文件的第 {j} 段，讲的是第 {j} 个主题。" for j in range(3))
        (folder / f"f{i:02d}.md").write_text("\n\n".join(paragraphs), "utf-8")
    db = tmp_path / "many.sqlite3"
    with KnowledgeStore(db) as s:
        s.add_collection("docs", [folder])
        list(sync(s, "docs"))  # the full-text part first: the kill lands in embedding
        total = s.read("SELECT count(*) FROM chunks")[0][0]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(m3e_small_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    while int(child.stdout.readline() or -1) == 0:
        pass  # wait until at least one batch is stored
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    with KnowledgeStore(db) as s:
        assert s.integrity_ok()
        stored = s.read("SELECT count(*) FROM vectors")[0][0]
        assert 0 < stored < total, "the kill should land midway"
        resumed = list(sync(s, "docs", embedder))[-1]
        assert isinstance(resumed, SyncSummary) and resumed.embedded == total - stored
        assert s.read("SELECT count(*), count(DISTINCT chunk_id) FROM vectors")[0] == (total, total)
        assert s.integrity_ok()


def test_weak_word_matches_do_not_outvote_the_vectors(
    tmp_path: Path, embedder: LlamaEmbedder
) -> None:
    """A Chinese question over an English answer: the only word-index hit is a Chinese
    passage sharing the question's filler ("为什么"), under a fifth of its terms. Fused as
    it was, that hit outranked the vector search's answer; now it does not vote."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "printer.txt").write_text(DOCS["printer.txt"], "utf-8")
    (folder / "sky.md").write_text("为什么天空是蓝色的？因为阳光被空气散射。\n", "utf-8")
    question = "三楼的打印机为什么会卡纸"
    with KnowledgeStore(tmp_path / "k.sqlite3") as store:
        store.add_collection("docs", [folder])
        summary_of(store, embedder)
        searcher = Searcher(store)
        lexical = searcher.search(["docs"], question, 2, mode="lexical")
        assert [Path(p.file).name for p in lexical] == ["sky.md"]
        assert 0 < lexical[0].coverage < MIN_FUSED_COVERAGE
        vector = searcher.search(["docs"], question, 2, mode="vector", embedder=embedder)
        assert Path(vector[0].file).name == "printer.txt"
        best = searcher.search(["docs"], question, 1, mode="hybrid", embedder=embedder)[0]
        assert Path(best.file).name == "printer.txt"
        assert best.lexical is None
        # a word match that covers the question still takes part
        strong = searcher.search(["docs"], "天空为什么是蓝色", 1, embedder=embedder)[0]
        assert Path(strong.file).name == "sky.md" and strong.lexical_rank == 1
