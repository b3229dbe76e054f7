"""Words in more than a third of the chunks leave the word-index query when a rarer term
is there to rank by (search.COMMON_SHARE): BM25 gives them almost no weight, and their
long posting lists were most of a query's time at 100k chunks. When more chunks than
search.SCORE_CAP match all the same, only a bounded set of them is ranked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from llmasos.services.knowledge import search
from llmasos.services.knowledge.indexer import SyncSummary, sync
from llmasos.services.knowledge.query import parse_query
from llmasos.services.knowledge.search import COMMON_SHARE, Searcher
from llmasos.services.knowledge.store import KnowledgeStore

FILES = 30
ALPHA_FILES = 15  # "alpha" is in half of the chunks: over COMMON_SHARE
CHARLIE_FILES = range(10, 25)  # "charlie" too


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(FILES):
        words = [f"filler{i}", "text"]
        if i < ALPHA_FILES:
            words.append("alpha")
        if i in CHARLIE_FILES:
            words.append("charlie")
        if i == 0:
            words.append("bravo")
        if i == 20:
            words.append("omega")
        (folder / f"f{i:02d}.txt").write_text(" ".join(words) + ".\n", "utf-8")
    with KnowledgeStore(tmp_path / "k.sqlite3") as s:
        s.add_collection("docs", [folder])
        last = list(sync(s, "docs", None))[-1]
        assert isinstance(last, SyncSummary) and last.chunks == FILES
        yield s


def names(store: KnowledgeStore, query: str) -> list[str]:
    hits = Searcher(store).search(["docs"], query, 50, mode="lexical")
    return sorted(Path(p.file).name for p in hits)


def test_a_common_word_gives_way_to_a_rarer_one(store: KnowledgeStore) -> None:
    assert ALPHA_FILES / FILES > COMMON_SHARE
    # before: every "alpha" chunk was a hit too, scored near zero, after "omega"'s one
    assert names(store, "alpha omega") == ["f20.txt"]
    assert names(store, "bravo alpha") == ["f00.txt"]
    searcher = Searcher(store)
    assert searcher._common_terms(parse_query("alpha omega")) == {"alpha"}


def test_common_words_alone_are_still_searched(store: KnowledgeStore) -> None:
    assert len(names(store, "alpha")) == ALPHA_FILES
    # both common: nothing rarer to rank by, so neither is left out
    both = names(store, "alpha charlie")
    assert len(both) == len(set(range(ALPHA_FILES)) | set(CHARLIE_FILES))
    # a word under the share keeps its place beside a rarer one
    assert names(store, "omega filler3") == ["f03.txt", "f20.txt"]


# -- more matches than search.SCORE_CAP: only a bounded set is ranked ------------------------
CAP = 8


def newest(store: KnowledgeStore, names_: set[str], n: int) -> set[str]:
    """The ``n`` files among ``names_`` whose chunks were indexed last."""
    rows = store.read("SELECT f.path FROM chunks c JOIN files f ON f.id = c.file_id ORDER BY c.id")
    order = [Path(r[0]).name for r in rows if Path(r[0]).name in names_]
    return set(order[-n:])


def ranked(
    store: KnowledgeStore, query: str, collections: tuple[str, ...] = ("docs",)
) -> list[str]:
    hits = Searcher(store).search(list(collections), query, 50, mode="lexical")
    return [Path(p.file).name for p in hits]


def test_common_words_over_the_cap_rank_the_rows_holding_every_term_first(
    store: KnowledgeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SCORE_CAP", CAP)
    both = {f"f{i:02d}.txt" for i in range(ALPHA_FILES) if i in CHARLIE_FILES}
    either = {f"f{i:02d}.txt" for i in [*range(ALPHA_FILES), *CHARLIE_FILES]}
    assert len(both) <= CAP < len(either)
    hits = ranked(store, "alpha charlie")
    # before: all 25 chunks holding either word were ranked by bm25
    assert set(hits[: len(both)]) == both
    # then the others, of the newest CAP rows holding either
    assert set(hits[len(both) :]) == newest(store, either, CAP) - both


def test_one_common_word_over_the_cap_ranks_its_newest_rows(
    store: KnowledgeStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    for i in range(3):
        (other / f"o{i}.txt").write_text(f"more text {i}.\n", "utf-8")
    store.add_collection("other", [other])
    list(sync(store, "other", None))
    monkeypatch.setattr(search, "SCORE_CAP", CAP)
    every = {f"f{i:02d}.txt" for i in range(FILES)}
    # one collection of two (the query joins chunks to files): its own newest rows, though
    # the other collection's were indexed after them
    hits = ranked(store, "text")
    assert len(hits) == CAP  # before: all 30
    assert set(hits) == newest(store, every, CAP)
    # every collection (no join): the newest rows of all
    assert set(ranked(store, "text", ("docs", "other"))) == newest(
        store, every | {f"o{i}.txt" for i in range(3)}, CAP
    )


def test_every_term_match_takes_each_term_whole() -> None:
    assert parse_query("知识库 alpha").every_term_match() == '"知识 识库" AND "alpha"'
    assert parse_query("库 of omega").every_term_match({"omega"}) == '"库" *'
