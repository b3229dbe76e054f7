"""``llmasos translate`` as a real subprocess on the real SmolLM2 test model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, stdin: bytes, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "llmasos", "translate", "--threads", "1", *args],
        capture_output=True,
        timeout=timeout,
        input=stdin,
        env=dict(os.environ),
    )


@pytest.mark.real_model
def test_json_has_detection_checks_and_stats(smollm2_path: Path, tmp_path: Path) -> None:
    glossary = tmp_path / "g.tsv"
    glossary.write_text("# en → zh\nkernel\t内核\nscheduler\t调度器\n", encoding="utf-8")
    text = "The kernel greets {name} every morning before work.\n\n```\nkeep me\n```\n"
    proc = run(
        "--to",
        "zh-Hans",
        "--glossary",
        str(glossary),
        "--model",
        str(smollm2_path),
        "--max-tokens",
        "24",
        "--json",
        stdin=text.encode(),
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    assert {
        "text",
        "source_lang",
        "target_lang",
        "detected",
        "output_lang",
        "problems",
        "glossary_used",
        "glossary_hits",
        "protected_total",
        "protected_kept",
        "chunks",
        "prompt_tokens",
        "completion_tokens",
        "tokens_per_s",
        "finish_reason",
        "model",
    } <= set(data)
    assert data["source_lang"] == "en" and data["target_lang"] == "zh-Hans"
    assert data["detected"]["lang"] == "en" and data["detected"]["confidence"] > 0.5
    assert data["glossary_used"] == 1 and data["protected_total"] == 1
    assert data["text"].endswith("```\nkeep me\n```\n") and data["chunks"] == 2
    assert data["model"] == smollm2_path.name and data["completion_tokens"] > 0
    assert ("{name}" in data["text"]) == (data["protected_kept"] == 1)


@pytest.mark.real_model
def test_streams_text_to_stdout(smollm2_path: Path) -> None:
    proc = run(
        "--to",
        "fr",
        "--from",
        "en",
        "--model",
        str(smollm2_path),
        "--max-tokens",
        "16",
        stdin=b"Good morning.",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().strip()


def test_non_utf8_stdin_and_bad_language_are_clear_errors(smollm2_path: Path) -> None:
    proc = run("--to", "en", "--model", str(smollm2_path), stdin="你好".encode("gbk"))
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith("error: stdin is not UTF-8") and "iconv" in err
    proc = run("--to", "klingon", "--model", str(smollm2_path), stdin=b"hello")
    assert proc.returncode == 1 and "Unknown language 'klingon'" in proc.stderr.decode()
    proc = run(
        "--to", "en", "--model", str(smollm2_path), "--glossary", "/no/such.tsv", stdin=b"hello"
    )
    assert proc.returncode == 1 and "Cannot read the glossary" in proc.stderr.decode()
