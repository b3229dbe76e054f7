"""The remote engine against llama-cpp-python's own OpenAI server (SmolLM2) and a stub.

The real server runs as a subprocess (``python -m llama_cpp.server``, the ``server``
extra) once for the module; the stub (``helpers/openai_stub.py``) produces the failures a
real network gives: refused connections, 401, 404, 429, a stream cut midway, silence.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.openai_stub import StubServer
from llmasos.errors import (
    RemoteAuthError,
    RemoteModelNotFound,
    RemoteRateLimited,
    RemoteStreamBroken,
    RemoteTimeout,
    RemoteUnreachable,
)
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.remote import DEFAULT_N_CTX, RemoteEngine, estimate_tokens
from llmasos.foundation.engine.settings import SamplingParams

ASK = [ChatMessage("user", "Tell me a long story about a dragon.")]
GREEDY = SamplingParams(temperature=0.0, max_tokens=12, seed=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's server on SmolLM2; yields its base URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: its chatty log must never block it
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(smollm2_path),
            "--model_alias",
            "smol",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as resp:
                    json.load(resp)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = log_path.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"llama_cpp.server did not start:\n{err}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


# --- against llama-cpp-python's server ---------------------------------------------------------


@pytest.mark.real_model
def test_lists_loads_and_streams_a_chat(llama_server: str) -> None:
    engine = RemoteEngine(llama_server)  # no /v1: it is added
    assert engine.url.endswith("/v1")
    assert "smol" in engine.model_names()
    info = engine.load()
    assert info.architecture == "remote" and info.name == "smol" and engine.is_loaded
    assert engine.n_ctx == DEFAULT_N_CTX  # this server does not report its context
    assert engine.kv_tokens == 0
    gen = engine.chat(ASK, GREEDY)
    pieces = list(gen)
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert gen.stats is not None
    assert gen.stats.finish_reason in ("stop", "length")
    assert 0 < gen.stats.completion_tokens <= 12
    assert gen.stats.model == "smol"
    assert engine.chat(ASK, GREEDY).text().strip()  # one request after another


@pytest.mark.real_model
def test_completion_and_token_estimates(llama_server: str) -> None:
    engine = RemoteEngine(f"{llama_server}/v1/")
    engine.load("smol")
    gen = engine.complete("Once upon a time", SamplingParams(temperature=0.0, max_tokens=8))
    assert gen.text().strip()
    assert gen.stats is not None and gen.stats.prompt_tokens == estimate_tokens("Once upon a time")
    assert len(engine.tokenize("abcdefghi")) == 3
    assert engine.count_chat_tokens(ASK) == estimate_tokens(ASK[0].content) + 4


@pytest.mark.real_model
def test_cancel_closes_the_stream(llama_server: str) -> None:
    engine = RemoteEngine(llama_server)
    engine.load("smol")
    cancel = CancelToken()
    gen = engine.chat(ASK, SamplingParams(temperature=0.0, max_tokens=100), cancel)
    first = next(gen)
    cancel.cancel()
    rest = list(gen)
    assert first and gen.stats is not None
    assert gen.stats.finish_reason == "cancelled"
    assert len(rest) < 5 and gen.stats.completion_tokens < 10
    assert engine.chat(ASK, GREEDY).text().strip()  # the server still serves


@pytest.mark.real_model
def test_unknown_model_on_a_real_server(llama_server: str) -> None:
    with pytest.raises(RemoteModelNotFound, match=r"no model 'gpt-99'.*smol"):
        RemoteEngine(llama_server).load("gpt-99")


# --- failures, with the stub ---------------------------------------------------------------


def test_unreachable_server() -> None:
    engine = RemoteEngine(f"http://127.0.0.1:{free_port()}/v1", connect_timeout_s=5)
    with pytest.raises(RemoteUnreachable, match="Cannot reach the server"):
        engine.load()


def test_key_is_sent_and_401_is_explained(stub: StubServer) -> None:
    RemoteEngine(stub.url, "sk-right").load()
    assert stub.behaviour.seen_auth[-1] == "Bearer sk-right"
    stub.behaviour.status = 401
    with pytest.raises(RemoteAuthError, match=r"refused the API key \(HTTP 401: stub says no"):
        RemoteEngine(stub.url, "sk-wrong").load()


def test_stub_reports_context_and_404_model(stub: StubServer) -> None:
    engine = RemoteEngine(stub.url)
    assert engine.load().context_length == 1234 and engine.n_ctx == 1234
    stub.behaviour.status = 404
    with pytest.raises(RemoteModelNotFound, match="no model 'stub-model'"):
        engine.chat(ASK).text()


def test_rate_limited_says_when_to_retry(stub: StubServer) -> None:
    engine = RemoteEngine(stub.url)
    engine.load()
    stub.behaviour.status = 429
    stub.behaviour.headers = {"Retry-After": "17"}
    with pytest.raises(RemoteRateLimited, match="try again in 17 s") as info:
        engine.chat(ASK).text()
    assert info.value.retry_after_s == 17


def test_stream_broken_midway_keeps_what_arrived(stub: StubServer) -> None:
    engine = RemoteEngine(stub.url)
    engine.load()
    stub.behaviour.pieces = ("one", " two", " three", " four")
    stub.behaviour.break_after = 2
    gen = engine.chat(ASK)
    got: list[str] = []
    with pytest.raises(RemoteStreamBroken, match="kept") as info:
        for piece in gen:
            got.append(piece)
    assert got == ["one", " two"]
    assert info.value.partial == "one two"
    assert gen.stats is not None and gen.stats.completion_tokens == 2


def test_silent_server_times_out(stub: StubServer) -> None:
    engine = RemoteEngine(stub.url, read_timeout_s=0.3)
    engine.load()
    stub.behaviour.delay_s = 1.0
    with pytest.raises(RemoteTimeout, match=r"did not answer within 0\.3 s"):
        engine.chat(ASK).text()


def test_usage_from_the_server_and_standard_params_only(stub: StubServer) -> None:
    engine = RemoteEngine(stub.url)
    engine.load()
    gen = engine.chat(ASK, SamplingParams(seed=3, stop=("END",), max_tokens=5))
    assert gen.text() == "Hello, world"
    assert gen.usage_reported and gen.stats is not None
    assert (gen.stats.prompt_tokens, gen.stats.completion_tokens) == (7, 3)
    sent = stub.behaviour.seen[-1]
    assert sent["stream"] is True and sent["model"] == "stub-model"
    assert (sent["seed"], sent["stop"], sent["max_tokens"]) == (3, ["END"], 5)
    assert "top_k" not in sent  # strict servers reject llama.cpp's extras
    assert repr(engine.http).count("sk") == 0
