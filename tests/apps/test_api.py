"""The local API server with the real engine (SmolLM2) through the kernel, and a real client.

The client is ``http.client`` on real sockets; each test gets its own kernel (the
leak check allows no kernel worker to outlive a test) and a server on a free port.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest

from llmasos.apps.api import ApiServerController, Limits, ServerConfig
from llmasos.errors import SettingsError
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.remote import RemoteEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.settings.store import ApiConfig, AppSettings
from llmasos.kernel.kernel import Kernel, Priority
from llmasos.services.writing.service import WriteDone, WriteJob, WriteRequest

pytestmark = pytest.mark.real_model

HELLO = [{"role": "user", "content": "Say hello."}]
GREEDY = {"temperature": 0, "seed": 1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(qtbot, kernel: Kernel, path: Path) -> None:
    ids: list[int] = []
    with qtbot.waitSignal(
        kernel.finished, timeout=60_000, check_params_cb=lambda i, _s: bool(ids) and i == ids[0]
    ):
        ids.append(kernel.load_model(path, EngineSettings(n_ctx=2048, n_batch=64, n_threads=1)))


@pytest.fixture
def kernel(qtbot, smollm2_path: Path) -> Iterator[Kernel]:
    k = Kernel()
    load(qtbot, k, smollm2_path)
    yield k
    assert k.shutdown(30)


def serve(kernel: Kernel, **config: Any) -> ApiServerController:
    controller = ApiServerController(kernel)
    controller.start(ServerConfig(port=0, **config))
    return controller


@pytest.fixture
def api(kernel: Kernel) -> Iterator[ApiServerController]:
    controller = serve(kernel)
    yield controller
    controller.stop()


def request(
    api: ApiServerController,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], Any]:
    """One request; returns (status, headers, decoded JSON body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port_of(api), timeout=120)
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        conn.request(method, path, body=data, headers=all_headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, dict(resp.getheaders()), json.loads(raw) if raw else None
    finally:
        conn.close()


def port_of(api: ApiServerController) -> int:
    return int(api.url.rsplit(":", 1)[1])


def events(api: ApiServerController, path: str, body: dict[str, Any]) -> list[Any]:
    """A streamed request's decoded ``data:`` events ("[DONE]" kept as a string)."""
    conn = http.client.HTTPConnection("127.0.0.1", port_of(api), timeout=120)
    try:
        conn.request(
            "POST",
            path,
            body=json.dumps({**body, "stream": True}),
            headers={"Content-Type": "application/json"},
        )
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Content-Type", "").startswith(
            "text/event-stream"
        )
        text = resp.read().decode()
    finally:
        conn.close()
    datas = [line[6:] for line in text.split("\n") if line.startswith("data: ")]
    return [d if d == "[DONE]" else json.loads(d) for d in datas]


def test_models_and_openapi(api: ApiServerController, smollm2_path: Path) -> None:
    status, _, body = request(api, "GET", "/v1/models")
    assert status == 200 and body["object"] == "list"
    assert body["data"][0]["id"] == smollm2_path.name
    assert body["data"][0]["context_length"] == 2048
    status, _, doc = request(api, "GET", "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    assert {
        "/v1/models",
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/translate",
        "/v1/rewrite",
    } <= set(doc["paths"])


def test_chat_streamed_and_not_give_the_same_answer(api: ApiServerController) -> None:
    body = {"model": "anything", "messages": HELLO, "max_tokens": 12, **GREEDY}
    status, _, whole = request(api, "POST", "/v1/chat/completions", body)
    assert status == 200 and whole["object"] == "chat.completion"
    answer = whole["choices"][0]["message"]["content"]
    assert answer.strip() and whole["choices"][0]["finish_reason"] in ("stop", "length")
    assert 0 < whole["usage"]["completion_tokens"] <= 12
    got = events(api, "/v1/chat/completions", {**body, "stream_options": {"include_usage": True}})
    assert got[-1] == "[DONE]"
    chunks = got[:-1]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert streamed == answer
    assert chunks[-2]["choices"][0]["finish_reason"] == whole["choices"][0]["finish_reason"]
    assert chunks[-1]["usage"] == whole["usage"]


def test_completions_streamed_and_not(api: ApiServerController) -> None:
    body = {"prompt": "Once upon a time", "max_tokens": 8, **GREEDY}
    status, _, whole = request(api, "POST", "/v1/completions", body)
    assert status == 200 and whole["object"] == "text_completion"
    text = whole["choices"][0]["text"]
    assert text.strip()
    got = events(api, "/v1/completions", body)
    assert "".join(c["choices"][0]["text"] for c in got[:-1]) == text


def test_translate_and_rewrite(api: ApiServerController) -> None:
    status, _, tr = request(
        api,
        "POST",
        "/v1/translate",
        {"text": "Good morning.", "target_language": "fr", "max_tokens": 24},
    )
    assert status == 200, tr
    assert tr["object"] == "translation" and tr["target_language"] == "French"
    assert tr["text"] and tr["usage"]["completion_tokens"] > 0
    status, _, rw = request(
        api, "POST", "/v1/rewrite", {"text": "hey, send me the report.", "tone": "friendly"}
    )
    assert status == 200, rw
    assert (rw["object"], rw["action"], rw["tone"]) == ("rewrite", "rewrite", "friendly")
    assert rw["text"] and isinstance(rw["problems"], list)
    assert rw["usage"]["completion_tokens"] > 0
    status, _, err = request(api, "POST", "/v1/rewrite", {"text": "x", "action": "sing"})
    assert status == 400 and err["error"]["param"] == "action"


def test_api_key_required_and_checked(kernel: Kernel) -> None:
    api = serve(kernel, api_key="s3cret-key")
    try:
        status, headers, body = request(api, "GET", "/v1/models")
        assert status == 401 and body["error"]["code"] == "invalid_api_key"
        assert headers["WWW-Authenticate"] == "Bearer"
        status, _, body = request(
            api, "GET", "/v1/models", headers={"Authorization": "Bearer s3cret-kez"}
        )
        assert status == 401 and "wrong" in body["error"]["message"]
        status, _, _ = request(
            api, "GET", "/v1/models", headers={"Authorization": "Bearer s3cret-key"}
        )
        assert status == 200
    finally:
        api.stop()


def test_bad_requests_get_openai_errors(kernel: Kernel) -> None:
    api = serve(kernel, limits=Limits(max_body_bytes=2000, max_tokens=64))
    try:
        cases = [
            (b"{not json", {}, 400, "invalid_json", None),
            ({"messages": []}, {}, 400, "missing_required", "messages"),
            ({"messages": HELLO, "max_tokens": 65}, {}, 400, "invalid_value", "max_tokens"),
            ({"messages": HELLO, "temperature": "hot"}, {}, 400, "invalid_type", "temperature"),
            (
                {"messages": [{"role": "wizard", "content": "x"}]},
                {},
                400,
                "invalid_value",
                "messages[0].role",
            ),
            ({"messages": HELLO, "n": 3}, {}, 400, "unsupported_value", "n"),
            (
                {"messages": HELLO},
                {"Content-Type": "text/plain"},
                415,
                "unsupported_media_type",
                None,
            ),
            (
                {"messages": [{"role": "user", "content": "x" * 3000}]},
                {},
                413,
                "request_too_large",
                None,
            ),
        ]
        for body, headers, status, code, param in cases:
            got, _, err = request(api, "POST", "/v1/chat/completions", body, headers)
            assert (got, err["error"]["code"], err["error"]["param"]) == (status, code, param)
            assert set(err["error"]) == {"message", "type", "param", "code"}
        assert request(api, "GET", "/v1/chat/completions")[0] == 405
        assert request(api, "GET", "/v1/nothing")[0] == 404
        status, _, err = request(api, "GET", "/v1/models", headers={"Host": "evil.example"})
        assert status == 403 and err["error"]["code"] == "host_not_allowed"
    finally:
        api.stop()


def test_client_disconnect_cancels_its_generation(
    qtbot, api: ApiServerController, kernel: Kernel
) -> None:
    started: list[int] = []
    kernel.started.connect(started.append)
    sock = socket.create_connection(("127.0.0.1", port_of(api)), timeout=60)
    body = json.dumps(
        {
            "messages": [{"role": "user", "content": "Tell me a long story."}],
            "max_tokens": 1000,
            "stream": True,
            **GREEDY,
        }
    ).encode()
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    received = b""
    while b'"content": "' not in received.split(b"\r\n\r\n", 1)[-1].replace(b'"content": ""', b""):
        received += sock.recv(4096)  # until the first real text arrived
    with qtbot.waitSignal(kernel.cancelled, timeout=30_000) as blocker:
        sock.close()
    assert blocker.args[0] == started[-1]
    stats = blocker.args[1]
    assert stats.finish_reason == "cancelled" and stats.completion_tokens < 1000


def test_concurrent_clients_are_all_served_and_the_gui_goes_first(
    qtbot, api: ApiServerController, kernel: Kernel
) -> None:
    started: list[int] = []
    kernel.started.connect(started.append)
    results: dict[str, Any] = {}

    def client(name: str, max_tokens: int) -> None:
        results[name] = request(
            api,
            "POST",
            "/v1/chat/completions",
            {"messages": HELLO, "max_tokens": max_tokens, "temperature": 1.5, "seed": 7},
        )

    first = threading.Thread(target=client, args=("first", 200))
    second = threading.Thread(target=client, args=("second", 16))
    first.start()
    qtbot.waitUntil(lambda: len(started) == 1, timeout=30_000)  # the first one runs
    second.start()
    qtbot.waitUntil(lambda: bool(kernel.pending()), timeout=30_000)  # the second one waits
    gui = kernel.chat(
        [ChatMessage("user", "Hi")], SamplingParams(max_tokens=4), priority=Priority.INTERACTIVE
    )
    for t in (first, second):
        t.join(timeout=120)
    qtbot.waitUntil(lambda: len(started) == 3, timeout=30_000)
    assert results["first"][0] == results["second"][0] == 200
    assert results["first"][2]["choices"][0]["message"]["content"]
    assert results["second"][2]["choices"][0]["message"]["content"]
    assert started[1] == gui  # the GUI's request overtook the queued API request


def test_remote_engine_round_trip_through_our_own_server(
    api: ApiServerController, smollm2_path: Path
) -> None:
    remote = RemoteEngine(api.url)
    assert remote.load().name == smollm2_path.name
    assert remote.n_ctx == 2048  # reported in /v1/models
    local = request(
        api, "POST", "/v1/chat/completions", {"messages": HELLO, "max_tokens": 10, **GREEDY}
    )[2]
    gen = remote.chat(
        [ChatMessage("user", "Say hello.")], SamplingParams(temperature=0, seed=1, max_tokens=10)
    )
    assert gen.text() == local["choices"][0]["message"]["content"]
    assert gen.usage_reported and gen.stats is not None
    assert gen.stats.completion_tokens == local["usage"]["completion_tokens"]
    job = WriteJob(cast(LlamaEngine, remote), WriteRequest("proofread", "Ths is a tset."))
    done = [item for item in job if isinstance(item, WriteDone)]  # services run unchanged
    assert len(done) == 1 and done[0].total == 1


def test_settings_switch_and_non_local_address_needs_a_key(kernel: Kernel) -> None:
    with pytest.raises(SettingsError, match="only with an API key"):
        ServerConfig(host="0.0.0.0").checked()
    controller = ApiServerController(kernel)
    port = free_port()
    settings = AppSettings(api=ApiConfig(enabled=True, port=port))
    controller.apply(settings)
    try:
        assert controller.is_running and controller.url == f"http://127.0.0.1:{port}"
        assert request(controller, "GET", "/v1/models")[0] == 200
        controller.apply(replace(settings, api=replace(settings.api, host="0.0.0.0")))
        assert not controller.is_running and "API key" in controller.error
    finally:
        controller.apply(AppSettings())
    assert not controller.is_running


def test_serve_command(smollm2_path: Path, tmp_path: Path) -> None:
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "llmasos",
            "serve",
            "--host",
            "0.0.0.0",
            "--model",
            str(smollm2_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1 and refused.stderr.startswith("error: ")
    assert "--api-key" in refused.stderr
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llmasos",
            "serve",
            "--port",
            "0",
            "--model",
            str(smollm2_path),
            "--ctx",
            "1024",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "LLMASOS_HOME": str(tmp_path)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {smollm2_path.name} on http://127.0.0.1:"), line
        port = int(line.split("127.0.0.1:")[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/v1/models")
        data = json.loads(conn.getresponse().read())
        conn.close()
        assert data["data"][0]["context_length"] == 1024
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
