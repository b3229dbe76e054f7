"""``llmasos write`` as a real subprocess on SmolLM2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmasos.foundation.settings.store import AppSettings, SettingsStore

TEXT = (
    "Their is many reason why peple enjoy travelling. It give them a chance to see new "
    "place and meet new peoples. Some persons travel for work, other travel for relax."
)
FAST = ("--ctx", "512", "--threads", "1", "--temperature", "0")


def write(*args: str, stdin: str = TEXT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmasos", "write", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )


@pytest.mark.real_model
def test_proofread_json(smollm2_path: Path) -> None:
    proc = write("proofread", "--model", str(smollm2_path), "--json", *FAST)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(data) == {
        "text",
        "action",
        "chunks",
        "completed",
        "problems",
        "prompt_tokens",
        "completion_tokens",
        "tokens_per_s",
        "finish_reason",
        "model",
    }
    assert data["action"] == "proofread" and data["chunks"] == data["completed"] == 1
    assert data["text"].strip() and data["text"] != TEXT and data["problems"] == []
    assert data["model"] == smollm2_path.name and data["completion_tokens"] > 0


@pytest.mark.real_model
def test_default_model_from_settings_and_plain_output(smollm2_path: Path) -> None:
    SettingsStore().save(AppSettings(default_model=str(smollm2_path)))
    proc = write("proofread", *FAST)  # (SmolLM2's Rewrite is a ramble the service refuses)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and proc.stdout.strip() != TEXT and proc.stderr == ""


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("proofread",), TEXT, "No model given"),
        (("proofread", "--model", "x"), "  \n", "no text on stdin"),
        (("custom", "--model", "x"), TEXT, "--instruction"),
    ],
)
def test_errors_exit_1_with_one_line(args: tuple[str, ...], stdin: str, message: str) -> None:
    proc = write(*args, stdin=stdin)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
