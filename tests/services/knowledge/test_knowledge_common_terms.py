"""Words in more than a third of the chunks leave the word-index query when a rarer term
is there to rank by (search.COMMON_SHARE): BM25 gives them almost no weight, and their
long posting lists were most of a query's time at 100k chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
