"""Build the PyInstaller one-folder app once, then run the built app for real.

The build takes about 1-1.5 minutes on 2 busy cores (measured: 57-83 s, see
docs/PACKAGING.md), so it runs in every test run. It writes only under pytest's
temporary folder. The checks run the frozen app as a user would: its command line,
the model probe it re-runs itself for, a chat on the real SmolLM2 model through the
bundled llama.cpp, the Hub client against a local server, and the window opening and
quitting under ``LLMASOS_SMOKE_TEST``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from llmasos import __version__
from llmasos.apps.gui.common.icons import ICON_SIZES

pytestmark = pytest.mark.slow  # builds a PyInstaller bundle: minutes

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "llmasos.spec"


def run(app: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180):
    return subprocess.run(
        [str(app), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/LLMasOS built from this checkout into a temporary folder."""
    work = tmp_path_factory.mktemp("pyinstaller")
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)],
        capture_output=True, text=True, timeout=1200, cwd=ROOT, check=False,
    )  # fmt: skip
    assert "No module named PyInstaller" not in done.stderr, (
        "PyInstaller is missing: pip install -e '.[test]' installs it"
    )
    assert done.returncode == 0, done.stderr[-4000:]
    folder = work / "dist" / "LLMasOS"
    assert (folder / "LLMasOS").is_file()
    return folder


def test_bundle_carries_llama_cpp_and_resources(bundle: Path):
    internal = bundle / "_internal"
    lib = internal / "llama_cpp" / "lib"
    names = {p.name for p in lib.iterdir()}
    # loaded by name (libllama.so, libggml.so) and by soname (libggml-base.so.0, ...)
    assert {"libllama.so", "libggml.so", "libllama.so.0", "libggml-base.so.0"} <= names
    assert not [n for n in names if n.count(".so.") and n.split(".so.")[1].count(".")]
    resources = internal / "llmasos" / "resources"
    assert (resources / "catalog.json").is_file()
    for size in ICON_SIZES:
        assert (resources / "icons" / "hicolor" / f"{size}x{size}" / "apps").is_dir()
    assert not (internal / "fastapi").exists()  # excluded extras stay out


def test_version(bundle: Path):
    done = run(bundle / "LLMasOS", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"llmasos {__version__}"


def test_model_probe_runs_inside_the_bundle(bundle: Path, smollm2_path: Path, tmp_path: Path):
    """The app re-runs itself as `-m llmasos.foundation.engine.probe`; the frozen launcher
    serves it."""
    ok = run(bundle / "LLMasOS", "-m", "llmasos.foundation.engine.probe", str(smollm2_path))
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + bytes(64))
    refused = run(bundle / "LLMasOS", "-m", "llmasos.foundation.engine.probe", str(bad))
    assert refused.returncode == 3, refused.stderr
    assert "probe-failed: " in refused.stderr
    other = run(bundle / "LLMasOS", "-m", "json.tool")
    assert other.returncode == 1 and other.stderr.startswith("error: ")


@pytest.mark.real_model
def test_chat_streams_through_bundled_llama_cpp(bundle: Path, smollm2_path: Path):
    done = run(bundle / "LLMasOS", "chat", "--model", str(smollm2_path), "--max-tokens", "4",
               "--seed", "1", "--json", "Hello")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["completion_tokens"] >= 1
    assert result["finish_reason"] in ("stop", "length")
    assert result["model"] == smollm2_path.name


class EmptyHub(BaseHTTPRequestHandler):
    """A Hub that knows no models: ``/api/models`` answers ``[]``, anything else ``{}``.

    (huggingface_hub also fetches ``/api/agent-harnesses`` for its user agent.)
    """

    def do_GET(self) -> None:
        body = b"[]" if self.path.startswith("/api/models") else b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def empty_hub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EmptyHub)
    thread = threading.Thread(target=server.serve_forever, name="empty-hub")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_hub_client_is_bundled(bundle: Path, empty_hub: str):
    """huggingface_hub imports much of itself lazily; a search proves the parts we use are in."""
    done = run(bundle / "LLMasOS", "models", "search", "qwen", "--json",
               env={"HF_ENDPOINT": empty_hub})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_window_opens_and_quits_cleanly(bundle: Path):
    done = run(bundle / "LLMasOS", env={"QT_QPA_PLATFORM": "offscreen", "LLMASOS_SMOKE_TEST": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("smoke:")]
    assert lines == [
        "smoke: window shown",
        "smoke: icon sizes " + ",".join(map(str, ICON_SIZES)),
        "smoke: backend CPU",
    ], done.stdout + done.stderr
