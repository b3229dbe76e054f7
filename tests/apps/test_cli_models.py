"""``llmasos models …`` as a real subprocess against the fake Hub."""

# The fake-Hub fixtures are imported from conftest_hub.py, so pytest's fixture arguments
# shadow those imports by design.

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import models

REPO = "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF"


def _run(endpoint: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_ENDPOINT": endpoint}
    env.pop("HF_TOKEN", None)
    out = subprocess.run(
        [sys.executable, "-m", "llmasos", "models", *args],
        env=env,
        capture_output=True,
        timeout=60,
        input=(stdin or "").encode(),
    )
    # decoded by hand: text=True would turn the progress bar's "\r" into "\n"
    return subprocess.CompletedProcess(
        out.args, out.returncode, out.stdout.decode(), out.stderr.decode()
    )


@pytest.fixture
def hub(fake_hub, smollm2_path, small_model):
    fake_hub.add_repo(
        REPO,
        {
            "SmolLM2-135M-Instruct.Q4_1.gguf": smollm2_path,
            "SmolLM2-135M-Instruct.Q8_0.gguf": small_model,
        },
        downloads=5,
    )
    fake_hub.add_repo("org/gated-GGUF", {"g-Q4_K_M.gguf": small_model}, gated=True)
    return fake_hub


def test_search_and_files(hub):
    out = _run(hub.endpoint, "search", "smol", "--json")
    assert out.returncode == 0, out.stderr
    assert [r["repo_id"] for r in json.loads(out.stdout)] == [REPO]
    out = _run(hub.endpoint, "files", REPO, "--json")
    assert out.returncode == 0, out.stderr
    files = {f["name"]: f for f in json.loads(out.stdout)}
    q4 = files["SmolLM2-135M-Instruct.Q4_1.gguf"]
    assert q4["parts"][0]["sha256"] == models.SMOLLM2.sha256 and q4["fit"] == "fits"
    assert sum(f["recommended"] for f in files.values()) == 1
    table = _run(hub.endpoint, "files", REPO)
    assert "Q4_1" in table.stdout and "recommended" in table.stdout


def test_download_list_and_remove(hub):
    out = _run(hub.endpoint, "download", REPO, "--quant", "q4_1")
    assert out.returncode == 0, out.stderr
    assert "SHA-256 verified" in out.stdout
    assert "\r[" in out.stderr and "MB/s" in out.stderr and "ETA" in out.stderr
    listed = json.loads(_run(hub.endpoint, "list", "--json").stdout)
    (model,) = listed["models"]
    assert model["sha256"] == models.SMOLLM2.sha256 and model["source"] == f"hf:{REPO}"
    assert model["architecture"] == "llama"
    refused = _run(hub.endpoint, "remove", model["name"])
    assert refused.returncode == 1 and "--yes" in refused.stderr
    gone = _run(hub.endpoint, "remove", "SmolLM2-135M-Instruct.Q4_1", "--yes", "--json")
    assert gone.returncode == 0 and json.loads(gone.stdout)["removed"] == model["name"]
    assert json.loads(_run(hub.endpoint, "list", "--json").stdout)["models"] == []


def test_import_and_table(hub, gemma3_path):
    out = _run(hub.endpoint, "import", str(gemma3_path), "--mode", "symlink", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["architecture"] == "gemma3"
    table = _run(hub.endpoint, "list").stdout
    assert "gemma-3-270m-q4_k_m.gguf" in table and "Q4_K_M" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("download", "org/gated-GGUF"), "accept its licence"),
        (("files", "org/missing"), "does not exist"),
        (("download", REPO, "--quant", "IQ2_XS"), "no IQ2_XS file"),
        (("remove", "nothing-here", "--yes"), "No installed model"),
    ],
)
def test_errors_exit_1(hub, args, message):
    out = _run(hub.endpoint, *args)
    assert out.returncode == 1
    assert out.stderr.startswith("error: ") and message in out.stderr


def test_offline_and_insecure_endpoints():
    out = _run("http://127.0.0.1:9", "files", REPO)
    assert out.returncode == 1 and "unreachable" in out.stderr
    out = _run("http://hub.example.com", "search", "x")
    assert out.returncode == 1 and "https" in out.stderr
