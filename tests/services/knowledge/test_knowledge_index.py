"""Indexing real folders into a real SQLite file, and full-text search over it."""

from __future__ import annotations

import os
import shutil
import threading
import tracemalloc
from pathlib import Path

import pytest

from helpers.documents import write_docx, write_pdf
from llmasos.errors import CollectionError, CollectionNotFound
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.services.knowledge.extract import MAX_BYTES
from llmasos.services.knowledge.indexer import FileChanged, IndexEvent, Pause, SyncSummary, sync
from llmasos.services.knowledge.schema import SCHEMA_VERSION
from llmasos.services.knowledge.search import Passage, Relevance, search
from llmasos.services.knowledge.store import KnowledgeStore

ZH = (
    "# 向量检索\n\n知识库把每个文件切成段落，再为每段计算向量。"
    "查询时先用全文检索，再用向量检索，最后把两个列表融合。\n\n"
    "# 数据库\n\n索引保存在一个 SQLite 文件里，使用预写日志，断电也不会损坏。\n"
)
EN = (
    "# Syncing\n\nThe indexer re-indexes only files whose content hash changed. Renamed files "
    "keep their vectors.\n\n# Citations\n\nEach passage knows its file, page and heading, so "
    "answers can cite it. The function getUserName returns the owner.\n"
)


def run(store: KnowledgeStore, name: str, **kwargs: object) -> tuple[list[IndexEvent], SyncSummary]:
    events = list(sync(store, name, **kwargs))  # type: ignore[arg-type]
    assert isinstance(events[-1], SyncSummary)
    return events, events[-1]


def changes(events: list[IndexEvent]) -> set[tuple[str, str]]:
    return {(Path(e.path).name, e.change) for e in events if isinstance(e, FileChanged)}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "zh.md").write_text(ZH, "utf-8")
    (folder / "en.md").write_text(EN, "utf-8")
    (folder / "sub" / "gbk.txt").write_bytes(
        "这份说明用国标编码保存。嵌入模型在本机运行。".encode("gb18030")
    )
    write_pdf(
        folder / "manual.pdf",
        [["Chapter one: installing."], ["Chapter two: the warranty lasts two years."]],
    )
    write_docx(folder / "policy.docx", [("h1", "Leave"), ("p", "Annual leave is fifteen days.")])
    (folder / "page.html").write_text(
        "<h1>FAQ</h1><p>Offline use needs no account.</p><script>x()</script>"
    )
    (folder / "tool.py").write_text("def get_user_name(user):\n    return user.name\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff not indexed")
    (folder / ".hidden.md").write_text("hidden")
    return folder


@pytest.fixture
def store(tmp_path: Path) -> KnowledgeStore:
    with KnowledgeStore(tmp_path / "knowledge.sqlite3") as s:
        yield s


def files_of(store: KnowledgeStore, name: str) -> dict[str, tuple[str, int]]:
    return {Path(f.path).name: (f.status, f.chunks) for f in store.files(store.collection(name).id)}


def top(store: KnowledgeStore, query: str, name: str = "docs", **kw: object) -> Passage:
    found = search(store, [name], query, 3, **kw)  # type: ignore[arg-type]
    assert found, f"nothing found for {query!r}"
    return found[0]


def test_every_kind_is_indexed_and_junk_is_skipped(store: KnowledgeStore, docs: Path) -> None:
    store.add_collection("docs", [docs])
    _, summary = run(store, "docs")
    assert summary.added == 7 and summary.failed == 0 and not summary.cancelled
    assert set(files_of(store, "docs")) == {
        "zh.md", "en.md", "gbk.txt", "manual.pdf", "policy.docx", "page.html", "tool.py"
    }  # fmt: skip
    assert store.integrity_ok()
    again_events, again = run(store, "docs")
    assert again.added == again.updated == again.removed == 0
    assert not changes(again_events)


def test_chinese_queries_of_one_two_and_four_characters(store: KnowledgeStore, docs: Path) -> None:
    store.add_collection("docs", [docs])
    run(store, "docs")
    two = top(store, "向量")  # two characters: below what a trigram index can match
    assert two.file.endswith("zh.md") and two.heading == ("向量检索",)
    assert two.coverage == 1.0
    four = top(store, "预写日志")
    assert four.heading == ("数据库",) and "预写日志" in four.text
    one = top(store, "库")
    assert "库" in one.text
    gbk = top(store, "嵌入模型")
    assert gbk.file.endswith("gbk.txt")
    sentence = top(store, "数据库会不会损坏")  # a question whose words are spread out
    assert sentence.heading == ("数据库",)


def test_english_queries_stems_and_exact_terms(store: KnowledgeStore, docs: Path) -> None:
    store.add_collection("docs", [docs])
    run(store, "docs")
    assert top(store, "indexing renamed file").heading == ("Syncing",)  # Porter: indexes, files
    assert top(store, "citing passages").heading == ("Citations",)
    assert top(store, "getUserName").heading == ("Citations",)  # exact identifier
    # part of a word: not in the word index, found through the trigram index
    assert top(store, "UserNam").heading == ("Citations",)
    assert top(store, "get_user_name").file.endswith("tool.py")
    warranty = top(store, "warranty")
    assert warranty.file.endswith("manual.pdf") and warranty.page == 2
    assert top(store, "annual leave").heading == ("Leave",)
    assert top(store, "offline account").file.endswith("page.html")
    assert search(store, ["docs"], "zebra quantum", 3) == []


def test_passage_span_points_into_the_extracted_text(store: KnowledgeStore, docs: Path) -> None:
    from llmasos.services.knowledge.extract import extract

    store.add_collection("docs", [docs])
    run(store, "docs")
    hit = top(store, "预写日志")
    text = extract(Path(hit.file).read_bytes(), "markdown").text
    assert text[hit.start : hit.end] == hit.text
    assert hit.rank == 1 and hit.lexical is not None and hit.vector is None


def test_relevance_threshold_tells_nothing_relevant() -> None:
    rel = Relevance(min_vector=0.6, min_coverage=0.6)
    base = dict(chunk_id=1, collection="c", file="f", kind="text", page=None, heading=(),
                start=0, end=1, text="t", rank=1, fused=0.1)  # fmt: skip
    assert rel.is_relevant(Passage(**base, coverage=1.0))  # type: ignore[arg-type]
    assert not rel.is_relevant(Passage(**base, coverage=0.2, vector=0.3))  # type: ignore[arg-type]
    assert rel.is_relevant(Passage(**base, coverage=0.0, vector=0.7))  # type: ignore[arg-type]


def test_edit_delete_rename(store: KnowledgeStore, docs: Path) -> None:
    store.add_collection("docs", [docs])
    run(store, "docs")
    before = {f.path: f for f in store.files(store.collection("docs").id)}
    (docs / "en.md").write_text(EN.replace("getUserName", "fetchOwnerName"), "utf-8")
    (docs / "page.html").unlink()
    (docs / "sub" / "gbk.txt").rename(docs / "moved.txt")
    # same size and mtime as before: not even read again
    os.utime(docs / "zh.md", ns=(before[str(docs / "zh.md")].mtime_ns,) * 2)
    events, summary = run(store, "docs")
    assert changes(events) == {
        ("en.md", "updated"),
        ("page.html", "removed"),
        ("moved.txt", "moved"),
    }
    assert (summary.updated, summary.removed, summary.moved) == (1, 1, 1)
    after = {f.path: f for f in store.files(store.collection("docs").id)}
    assert (
        after[str(docs / "moved.txt")].id == before[str(docs / "sub" / "gbk.txt")].id
    )  # moved, not re-made
    assert search(store, ["docs"], "getUserName", 3, mode="lexical") == []
    assert top(store, "fetchOwnerName").file.endswith("en.md")
    assert top(store, "嵌入模型").file.endswith("moved.txt")
    assert store.integrity_ok()
    n_chunks = store.read("SELECT count(*) FROM chunks")[0][0]
    assert n_chunks == sum(f.chunks for f in after.values())


def test_a_touched_file_with_the_same_content_is_not_reindexed(
    store: KnowledgeStore, docs: Path
) -> None:
    store.add_collection("docs", [docs])
    run(store, "docs")
    ids = store.read("SELECT id FROM chunks ORDER BY id")
    (docs / "zh.md").write_text(ZH, "utf-8")  # new mtime, same bytes
    events, summary = run(store, "docs")
    assert not changes(events) and summary.updated == 0
    assert store.read("SELECT id FROM chunks ORDER BY id") == ids


def test_broken_files_get_a_status_and_indexing_goes_on(store: KnowledgeStore, docs: Path) -> None:
    write_pdf(docs / "locked.pdf", [["secret"]], password="pw")
    (docs / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    (docs / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    write_pdf(docs / "scan.pdf", [[]])
    store.add_collection("docs", [docs])
    events, summary = run(store, "docs")
    states = files_of(store, "docs")
    assert summary.failed == 3 and summary.added == 8
    assert states["locked.pdf"][0] == states["cut.pdf"][0] == states["blob.txt"][0] == "error"
    assert states["scan.pdf"] == ("empty", 0)
    assert states["zh.md"][0] == "ok"
    errors = {f.path.rsplit("/", 1)[1]: f.error for f in store.files(store.collection("docs").id)}
    assert "password" in errors["locked.pdf"]
    # an unchanged broken file is not read again; fixing it indexes it
    assert run(store, "docs")[1].failed == 0
    write_pdf(docs / "locked.pdf", [["no longer secret"]])
    events, _ = run(store, "docs")
    assert ("locked.pdf", "updated") in changes(events)
    assert top(store, "longer secret").file.endswith("locked.pdf")


def test_a_missing_source_folder_keeps_its_files(
    store: KnowledgeStore, docs: Path, tmp_path: Path
) -> None:
    other = tmp_path / "usb"
    other.mkdir()
    (other / "note.txt").write_text("Stored on a removable drive.")
    store.add_collection("docs", [docs, other])
    run(store, "docs")
    shutil.rmtree(other)  # the drive is unplugged
    _, summary = run(store, "docs")
    assert summary.removed == 0
    assert top(store, "removable drive").file.endswith("note.txt")


def test_a_file_named_as_a_source_leaves_when_deleted(
    store: KnowledgeStore, docs: Path, tmp_path: Path
) -> None:
    single = tmp_path / "single.txt"
    single.write_text("A file added on its own.")
    store.add_collection("docs", [docs, single])
    run(store, "docs")
    assert top(store, "added on its own").file == str(single)
    single.unlink()
    events, summary = run(store, "docs")
    assert ("single.txt", "removed") in changes(events) and summary.removed == 1
    assert str(single) not in {p.file for p in search(store, ["docs"], "added on its own", 9)}


def test_collections_are_separate(store: KnowledgeStore, docs: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("向量 in another collection")
    store.add_collection("docs", [docs])
    store.add_collection("other", [other])
    run(store, "docs")
    run(store, "other")
    assert {p.collection for p in search(store, ["other"], "向量", 5)} == {"other"}
    assert {p.collection for p in search(store, ["docs", "other"], "向量", 5)} == {"docs", "other"}
    store.remove_collection("other")
    assert store.read("SELECT count(*) FROM files")[0][0] == len(
        store.files(store.collection("docs").id)
    )
    assert store.integrity_ok()
    with pytest.raises(CollectionNotFound, match="llmasos docs add"):
        search(store, ["other"], "x")
    with pytest.raises(CollectionError, match="already exists"):
        store.add_collection("docs", [docs])
    with pytest.raises(CollectionError, match="Not found"):
        store.add_collection("new", [tmp_path / "nowhere"])


def test_cancel_stops_between_files_and_the_next_sync_goes_on(
    store: KnowledgeStore, docs: Path
) -> None:
    store.add_collection("docs", [docs])
    cancel = CancelToken()
    seen = 0
    for event in sync(store, "docs", cancel=cancel):
        if isinstance(event, FileChanged):
            seen += 1
            if seen == 2:
                cancel.cancel()
        last = event
    assert isinstance(last, SyncSummary) and last.cancelled and last.files == 2
    _, summary = run(store, "docs")
    assert summary.added == 5 and summary.files == 7
    assert store.integrity_ok()


def test_pause_holds_the_sync_until_resumed(store: KnowledgeStore, docs: Path) -> None:
    store.add_collection("docs", [docs])
    pause = Pause()
    pause.pause()
    out: list[IndexEvent] = []
    worker = threading.Thread(target=lambda: out.extend(sync(store, "docs", pause=pause)))
    worker.start()
    worker.join(0.5)
    assert worker.is_alive() and not any(isinstance(e, FileChanged) for e in out)
    pause.resume()
    worker.join(30)
    assert not worker.is_alive() and isinstance(out[-1], SyncSummary) and out[-1].added == 7


def test_reopening_keeps_everything(tmp_path: Path, docs: Path) -> None:
    path = tmp_path / "k.sqlite3"
    with KnowledgeStore(path) as first:
        first.add_collection("docs", [docs])
        run(first, "docs")
    with KnowledgeStore(path) as second:
        assert second.schema_version == SCHEMA_VERSION
        assert top(second, "向量").heading == ("向量检索",)


def test_pipes_are_skipped_and_huge_files_are_not_read(
    store: KnowledgeStore, docs: Path, tmp_path: Path
) -> None:
    """A named pipe with a document's name would hold the sync forever (reading it waits
    for a writer, and no cancel reaches a blocked read); a file over the limit fails as
    too big without being read into memory."""
    os.mkfifo(docs / "pipe.md")
    with open(docs / "huge.txt", "wb") as f:  # sparse: no disk space used
        f.truncate(MAX_BYTES + 1)
    store.add_collection("docs", [docs])
    done: list[SyncSummary] = []
    tracemalloc.start()
    try:
        worker = threading.Thread(target=lambda: done.append(run(store, "docs")[1]), daemon=True)
        worker.start()
        worker.join(60)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert done, "the sync hung on the named pipe"
    states = files_of(store, "docs")
    assert "pipe.md" not in states and states["huge.txt"] == ("error", 0)
    error = next(f.error for f in store.files(store.collection("docs").id) if "huge" in f.path)
    assert '"too_big"' in error and done[0].failed == 1
    assert peak < MAX_BYTES // 4, peak  # the 64 MiB were never read
