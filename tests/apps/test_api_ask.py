"""``POST /v1/ask`` over a real server on 127.0.0.1: the kernel runs Qwen2.5-Coder-0.5B,
the index is a real SQLite file in this test's LLMASOS_HOME with vectors from the real
m3e-small, which the server also serves as its embedding model."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmasos.apps.api import ApiServerController, ServerConfig
from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.kernel.kernel import Kernel
from llmasos.services.knowledge.answer import NOT_COVERED
from llmasos.services.knowledge.indexer import sync
from llmasos.services.knowledge.store import KnowledgeStore

pytestmark = pytest.mark.real_model

HANDBOOK = (
    "# Handbook\n\n## Annual leave\n\nEvery full-time employee receives 27 days of paid annual "
    "leave per calendar year.\n\n## Meals\n\nMeals are reimbursed up to 45 euros per day.\n"
)


@pytest.fixture
def collection(tmp_path: Path, llmasos_home: Path, m3e_small_path: Path) -> str:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "handbook.md").write_text(HANDBOOK, "utf-8")
    embedder = LlamaEmbedder(m3e_small_path, probe=False, n_threads=1)
    try:
        with KnowledgeStore() as store:  # the app's own index, under LLMASOS_HOME
            store.add_collection("hr", [folder], embedder=str(m3e_small_path))
            list(sync(store, "hr", embedder))
    finally:
        embedder.close()
    return "hr"


@pytest.fixture
def api(qtbot: Any, qwen_path: Path, m3e_small_path: Path) -> Iterator[ApiServerController]:
    kernel = Kernel()
    ids: list[int] = []
    with qtbot.waitSignal(
        kernel.finished, timeout=120_000, check_params_cb=lambda i, _s: bool(ids) and i == ids[0]
    ):
        ids.append(kernel.load_model(qwen_path, EngineSettings(n_ctx=2048, n_threads=2)))
    controller = ApiServerController(kernel)
    controller.start(ServerConfig(port=0, embedding_model=str(m3e_small_path)))
    yield controller
    controller.stop()
    assert kernel.shutdown(30)


def post(api: ApiServerController, body: Any) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", int(api.url.rsplit(":", 1)[1]), timeout=300)
    try:
        conn.request("POST", "/v1/ask", json.dumps(body), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        raw = resp.read()
        if resp.getheader("Content-Type", "").startswith("text/event-stream"):
            lines = raw.decode().splitlines()
            data = [line[6:] for line in lines if line.startswith("data: ")]
            return resp.status, [d if d == "[DONE]" else json.loads(d) for d in data]
        return resp.status, json.loads(raw)
    finally:
        conn.close()


def test_answer_with_citations_then_not_covered_then_streamed(
    api: ApiServerController, collection: str
) -> None:
    question = "How many days of paid annual leave do full-time employees get?"
    status, body = post(api, {"collection": collection, "question": question, "max_tokens": 48})
    assert status == 200, body
    assert body["object"] == "ask" and body["covered"] is True, body
    assert "27" in body["answer"] and body["citations"], body
    for citation in body["citations"]:
        assert citation["file"].endswith("handbook.md")
        assert "27 days" in citation["passage"] and citation["supported"] is True
        assert citation["heading"] == ["Handbook", "Annual leave"]
    assert body["usage"]["completion_tokens"] > 0

    status, body = post(api, {"collections": [collection], "question": "熊猫主要吃什么？"})
    assert status == 200, body
    assert body["covered"] is False and body["answer"] == NOT_COVERED["zh"]
    assert body["citations"] == []
    # a Chinese question over an English collection is also searched translated
    assert len(body["queries"]) == 2 and body["usage"]["completion_tokens"] > 0

    status, events = post(
        api, {"collection": collection, "question": "Who won the 1998 World Cup?", "stream": True}
    )
    assert status == 200
    assert [e if isinstance(e, str) else e["object"] for e in events] == [
        "ask.sources", "ask.delta", "ask", "[DONE]"
    ]  # fmt: skip
    assert events[0]["covered"] is False and events[0]["passages"] == []
    assert events[1]["text"] == events[2]["answer"] == NOT_COVERED["en"]


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"collection": "hr"}, 400, "question"),
        ({"question": "x"}, 400, "collections"),
        ({"question": "x", "collections": ["hr", 3]}, 400, "collections"),
        ({"question": "x", "collection": "hr", "k": 0}, 400, "k"),
        ({"question": "x", "collection": "hr", "general": "yes"}, 400, "general"),
        ({"question": "x", "collection": "nope"}, 404, None),
    ],
)
def test_bad_requests_name_the_field(
    api: ApiServerController, collection: str, body: dict[str, Any], status: int, param: str
) -> None:
    got, answer = post(api, body)
    assert got == status, answer
    assert answer["error"]["param"] == param
    if status == 404:
        assert answer["error"]["code"] == "collection_not_found"
        assert "nope" in answer["error"]["message"]
