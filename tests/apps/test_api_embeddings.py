"""``POST /v1/embeddings`` over a real server on 127.0.0.1, with the real test embedding
model (m3e-small) run on the kernel's worker; no chat model is needed."""

from __future__ import annotations

import base64
import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmasos.apps.api import ApiServerController, ServerConfig
from llmasos.kernel.kernel import Kernel

pytestmark = pytest.mark.real_model


@pytest.fixture
def kernel(qtbot: Any) -> Iterator[Kernel]:
    k = Kernel()
    yield k
    assert k.shutdown(30)


def serve(kernel: Kernel, model: Path | None) -> ApiServerController:
    controller = ApiServerController(kernel)
    controller.start(ServerConfig(port=0, embedding_model=str(model) if model else ""))
    return controller


@pytest.fixture
def api(kernel: Kernel, m3e_small_path: Path) -> Iterator[ApiServerController]:
    controller = serve(kernel, m3e_small_path)
    yield controller
    controller.stop()


def post(api: ApiServerController, body: Any, path: str = "/v1/embeddings") -> tuple[int, Any]:
    port = int(api.url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        method = "GET" if body is None else "POST"
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_vectors_as_floats_and_base64_in_openai_shape(api: ApiServerController) -> None:
    texts = ["猫坐在垫子上。", "一只小猫躺在地毯上。", "本季度营收增长了百分之五。"]
    status, body = post(api, {"model": "anything", "input": texts})
    assert status == 200, body
    assert body["object"] == "list" and body["model"] == "m3e-small-f16.gguf"
    assert [d["index"] for d in body["data"]] == [0, 1, 2]
    assert all(d["object"] == "embedding" for d in body["data"])
    vectors = np.array([d["embedding"] for d in body["data"]], dtype=np.float32)
    assert vectors.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05
    assert body["usage"]["prompt_tokens"] == body["usage"]["total_tokens"] > 3 * 8

    status, packed = post(api, {"input": texts[0], "encoding_format": "base64"})
    assert status == 200 and len(packed["data"]) == 1
    row = np.frombuffer(base64.b64decode(packed["data"][0]["embedding"]), dtype="<f4")
    np.testing.assert_allclose(row, vectors[0], atol=1e-4)  # alone vs in a batch: ~3e-5


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "input"),
        ({"input": []}, "input"),
        ({"input": [1, 2, 3]}, "input"),
        ({"input": ["ok", " "]}, "input"),
        ({"input": "ok", "encoding_format": "int8"}, "encoding_format"),
        ({"input": "ok", "input_type": "question"}, "input_type"),
        ({"input": "ok", "dimensions": 64}, "dimensions"),
    ],
)
def test_bad_requests_are_400_naming_the_field(
    api: ApiServerController, body: dict[str, Any], param: str
) -> None:
    status, answer = post(api, body)
    assert status == 400 and answer["error"]["param"] == param, answer


def test_without_an_embedding_model_the_answer_is_503_saying_how(kernel: Kernel) -> None:
    controller = serve(kernel, None)
    try:
        status, answer = post(controller, {"input": "ok"})
        assert status == 503 and answer["error"]["code"] == "model_not_loaded"
        assert "--embedding-model" in answer["error"]["message"]
        status, doc = post(controller, None, "/openapi.json")
        assert status == 200 and "/v1/embeddings" in doc["paths"]
    finally:
        controller.stop()


def test_a_damaged_embedding_model_is_503_not_a_crash(kernel: Kernel, tmp_path: Path) -> None:
    bad = tmp_path / "embed.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    controller = serve(kernel, bad)
    try:
        status, answer = post(controller, {"input": "ok"})
        assert status == 503 and "embed.gguf cannot be used" in answer["error"]["message"]
    finally:
        controller.stop()


def test_serve_refuses_a_missing_embedding_model_at_once(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "llmasos", "serve", "--model", "x.gguf",
         "--embedding-model", str(tmp_path / "none.gguf")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and done.stderr.startswith("error: ")
    assert "none.gguf" in done.stderr
