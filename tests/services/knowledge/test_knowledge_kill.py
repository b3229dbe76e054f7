"""SIGKILL a real indexing process midway, then resume: nothing lost, nothing twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from llmasos.services.knowledge.indexer import SyncSummary, sync
from llmasos.services.knowledge.store import KnowledgeStore

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from llmasos.services.knowledge.indexer import FileChanged, sync
    from llmasos.services.knowledge.store import KnowledgeStore

    store = KnowledgeStore(Path(sys.argv[1]))
    if not store.collections():
        store.add_collection("docs", [Path(sys.argv[2])])
    for event in sync(store, "docs"):
        if isinstance(event, FileChanged):
            print(event.path, flush=True)
    """
)


def make_docs(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        paragraphs = [
            f"文件 {i} 的第 {j} 段：索引可以被中途杀死，然后继续。Paragraph {j} of file {i}."
            for j in range(12)
        ]
        (folder / f"doc{i:03d}.md").write_text(f"# 标题 {i}\n\n" + "\n\n".join(paragraphs), "utf-8")


def chunk_rows(store: KnowledgeStore) -> list[tuple[str, int, str]]:
    return sorted(
        store.read("SELECT f.path, c.seq, c.text FROM chunks c JOIN files f ON f.id = c.file_id")
    )


def test_kill_during_indexing_then_resume(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    make_docs(docs, 300)
    db = tmp_path / "k.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(docs)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    for _ in range(30):  # let it index some files, then kill it in the middle of the rest
        assert child.stdout.readline(), "the child stopped before indexing 30 files"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    with KnowledgeStore(db) as store:
        assert store.integrity_ok()
        done = len(store.files(store.collection("docs").id))
        assert 30 <= done < 300, "the kill should land midway"
        summary = list(sync(store, "docs"))[-1]
        assert isinstance(summary, SyncSummary) and summary.files == 300
        assert summary.added == 300 - done and summary.updated == 0
        assert store.integrity_ok()
        resumed = chunk_rows(store)
        counts = store.read("SELECT count(*), count(DISTINCT file_id || ':' || seq) FROM chunks")

    with KnowledgeStore(tmp_path / "fresh.sqlite3") as fresh:
        fresh.add_collection("docs", [docs])
        list(sync(fresh, "docs"))
        assert resumed == chunk_rows(fresh)  # the same chunks as one uninterrupted run
    assert counts[0][0] == counts[0][1] == len(resumed)
