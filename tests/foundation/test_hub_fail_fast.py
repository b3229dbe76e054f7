"""A dead Hub fails at the first attempt; answers worth retrying are still retried.

huggingface_hub retries a search five times with sleeps of 1+2+4+8+8 s on any network
error, so an offline search took ~23 s to say so (issue 18). These tests count the
requests that reach the network (``httpx2.HTTPTransport.handle_request``) and the
sleeps between them, never the wall time.
"""

from __future__ import annotations

import socket
import types
from typing import Any

import httpx2
import pytest

from helpers.flaky_server import flaky_hub
from helpers.hub_fixtures import dead_endpoint
from llmasos.foundation.hub.client import HubClient
from llmasos.foundation.hub.errors import OfflineError

UNRESOLVABLE = "https://hub.invalid"  # .invalid never resolves (RFC 2606)


class Network:
    """What reached the network: one entry per request sent, one per sleep between tries."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.sleeps: list[float] = []


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Network:
    """Count requests and huggingface_hub's retry sleeps (skipped, so tests stay quick)."""
    import huggingface_hub.utils._http as hf_http

    seen = Network()
    send = httpx2.HTTPTransport.handle_request

    def counting(self: httpx2.HTTPTransport, request: httpx2.Request) -> httpx2.Response:
        seen.attempts.append(str(request.url))
        return send(self, request)

    monkeypatch.setattr(httpx2.HTTPTransport, "handle_request", counting)
    fake_time = types.SimpleNamespace(sleep=seen.sleeps.append, time=hf_http.time.time)
    monkeypatch.setattr(hf_http, "time", fake_time)
    return seen


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name resolution fails for ``*.invalid`` without asking any DNS server."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _calls(client: HubClient) -> dict[str, Any]:
    return {
        "search": lambda: client.search("qwen"),
        "list": lambda: client.list_gguf("org/x-GGUF"),
        "resolve": lambda: client.resolve("org/x-GGUF", "x-Q4_K_M.gguf"),
    }


@pytest.mark.parametrize("call", ["search", "list", "resolve"])
@pytest.mark.parametrize("mode", ["refused", "timeout"])
def test_a_dead_endpoint_fails_at_the_first_attempt(
    mode, call, network: Network, monkeypatch, fake_hub
):
    with dead_endpoint(mode, monkeypatch, fake_hub.endpoint) as endpoint:
        client = HubClient(endpoint, timeout=0.3)
        with pytest.raises(OfflineError, match="unreachable") as info:
            _calls(client)[call]()
    reason = "connection refused" if mode == "refused" else "no answer in time"
    assert reason in str(info.value)
    assert len(network.attempts) == 1, network.attempts  # was 6 for a search, 23 s of sleeps
    assert network.sleeps == []


@pytest.mark.parametrize("call", ["search", "list", "resolve"])
def test_a_name_that_does_not_resolve_fails_at_once(call, network: Network, no_dns):
    with pytest.raises(OfflineError, match="its name cannot be resolved"):
        _calls(HubClient(UNRESOLVABLE))[call]()
    assert len(network.attempts) == 1 and network.sleeps == []


def test_offline_mode_sends_nothing(network: Network, monkeypatch, fake_hub):
    with (
        dead_endpoint("offline", monkeypatch, fake_hub.endpoint) as endpoint,
        pytest.raises(OfflineError, match="HF_HUB_OFFLINE"),
    ):
        HubClient(endpoint).search("qwen")
    assert network.attempts == []


@pytest.mark.parametrize("failure", ["503", "drop"])
def test_an_answer_worth_retrying_is_still_retried(failure, network: Network):
    with flaky_hub(failure) as hub:
        assert HubClient(hub.endpoint, timeout=5).search("qwen") == []
    assert len(network.attempts) == 2 and len(network.sleeps) == 1
