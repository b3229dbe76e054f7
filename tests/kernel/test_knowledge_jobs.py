"""Jobs queued with the embedding model (:meth:`KnowledgeIndexer.submit_with_embedder`:
the Ask tab, a chat answered from collections) on the real kernel and index: what the
job's stream says it cost reaches ``finished``, as for any other job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.stream import GenerationStats, TextStream
from llmasos.kernel.kernel import Kernel
from llmasos.kernel.knowledge import KnowledgeIndexer
from llmasos.services.knowledge.store import KnowledgeStore

WAIT_MS = 30_000
COST = GenerationStats(
    prompt_tokens=120,
    completion_tokens=25,
    cached_tokens=0,
    ttft_s=0.5,
    tokens_per_s=6.0,
    total_s=4.5,
    finish_reason="stop",
    model="answer.gguf",
)


class Answer(TextStream[str]):
    """A stream that, like the chat and answer services, sets its stats when it ends."""

    def __init__(self, cancel: CancelToken) -> None:
        self._cancel = cancel
        self._it = self._run()

    def _run(self) -> Iterator[str]:
        yield "The allowance is 180 euros [1]."
        self.stats = COST


def test_the_jobs_cost_is_reported_when_it_ends(qtbot, tmp_path: Path) -> None:
    kernel = Kernel()
    store = KnowledgeStore(tmp_path / "knowledge.sqlite3")
    indexer = KnowledgeIndexer(kernel, store, None)  # no embedding model: full text only
    given: list[Any] = []
    text: list[str] = []

    def job(_engine: object, embedder: object, cancel: CancelToken) -> Answer:  # worker
        given.append(embedder)
        return Answer(cancel)

    kernel.tokens.connect(lambda _request, piece: text.append(piece))
    try:
        with qtbot.waitSignal(kernel.finished, timeout=WAIT_MS) as finished:
            request = indexer.submit_with_embedder(job, owner="test")
        assert finished.args == [request, COST]
        assert given == [None] and "".join(text) == "The allowance is 180 euros [1]."
    finally:
        indexer.shutdown()
        assert kernel.shutdown(30)
        store.close()
