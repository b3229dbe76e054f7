"""Fixtures for the model-manager tests: a fake Hub on 127.0.0.1 and a dead network.

Registered for every test by ``pytest_plugins`` in the root conftest: a test just names
``fake_hub``, ``offline``, ``small_model`` or ``dead_endpoint`` as an argument.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.hub_server import FakeHub

SMALL_BYTES = 3 * 1024 * 1024 + 12345  # not a multiple of any chunk size


@pytest.fixture(scope="session")
def small_model(smollm2_path: Path) -> bytes:
    """The first ~3 MB of the real SmolLM2 file: real GGUF bytes, small enough to be quick."""
    with smollm2_path.open("rb") as f:
        return f.read(SMALL_BYTES)


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    """A started fake Hub + CDN, shut down (threads joined) after the test."""
    with FakeHub() as hub:
        yield hub


@contextlib.contextmanager
def dead_endpoint(mode: str, monkeypatch: pytest.MonkeyPatch, live: str) -> Iterator[str]:
    """A Hub endpoint on a dead network, three ways (like huggingface_hub's own tests).

    ``refused``: a closed port; ``timeout``: a socket that accepts connections into its
    backlog but never answers; ``offline``: HF_HUB_OFFLINE=1 with a live endpoint.
    """
    if mode == "refused":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    elif mode == "timeout":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(8)
            yield f"http://127.0.0.1:{s.getsockname()[1]}"
    else:
        import huggingface_hub.constants

        with monkeypatch.context() as m:
            m.setenv("HF_HUB_OFFLINE", "1")
            m.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
            yield live


@pytest.fixture(params=["refused", "timeout", "offline"])
def offline(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, fake_hub: FakeHub
) -> Iterator[str]:
    """A dead endpoint, once per way the network can be dead."""
    with dead_endpoint(request.param, monkeypatch, fake_hub.endpoint) as endpoint:
        yield endpoint
