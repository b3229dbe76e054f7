"""The ``llmasos`` command line as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmasos import __version__


def run(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "llmasos", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        env=dict(os.environ),
    )


def test_version() -> None:
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"llmasos {__version__}"


@pytest.mark.real_model
def test_chat_json(smollm2_path: Path) -> None:
    proc = run(
        "chat",
        "--model",
        str(smollm2_path),
        "--temperature",
        "0",
        "--max-tokens",
        "24",
        "--seed",
        "7",
        "--json",
        "Say hello.",
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(data) == {
        "text",
        "prompt_tokens",
        "completion_tokens",
        "ttft_s",
        "tokens_per_s",
        "finish_reason",
        "model",
    }
    assert data["text"].strip() and data["model"] == smollm2_path.name
    assert 0 < data["completion_tokens"] <= 24 and data["prompt_tokens"] > 5
    assert data["finish_reason"] in ("stop", "length")


@pytest.mark.real_model
def test_chat_streams_text(smollm2_path: Path) -> None:
    proc = run(
        "chat",
        "-m",
        str(smollm2_path),
        "--temperature",
        "0",
        "--max-tokens",
        "16",
        "--system",
        "Answer briefly.",
        "What is 2+2?",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and proc.stderr == ""


def test_models_info_json(smollm2_path: Path) -> None:
    proc = run("models", "info", str(smollm2_path), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["architecture"] == "llama" and data["quantization"] == "Q4_1"
    assert data["has_chat_template"] is True and data["file_size"] == smollm2_path.stat().st_size


def test_models_info_table(gemma3_path: Path) -> None:
    proc = run("models", "info", str(gemma3_path))
    assert proc.returncode == 0, proc.stderr
    assert "gemma3" in proc.stdout and "Chat template" in proc.stdout


@pytest.mark.parametrize("content", [b"", b"<html><body>404</body></html>", b"GGUF\x03\x00"])
def test_bad_files_exit_1_with_one_line(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_bytes(content)
    for args in (("models", "info", str(bad)), ("chat", "--model", str(bad), "hi")):
        proc = run(*args)
        assert proc.returncode == 1, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
        assert "Traceback" not in proc.stderr


def test_missing_model_name(tmp_path: Path) -> None:
    proc = run("chat", "--model", "no-such-model", "hi")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: No model file or installed model is called")


def test_context_overflow_message(smollm2_path: Path) -> None:
    proc = run("chat", "--model", str(smollm2_path), "--ctx", "256", "word " * 400)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: The prompt is") and "context" in proc.stderr
