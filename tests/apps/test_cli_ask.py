"""``llmasos ask`` end to end, as real subprocesses: a folder indexed by ``llmasos docs add``
with the real m3e-small embedder, answered by Qwen2.5-Coder-0.5B."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmasos.services.knowledge.answer import NOT_COVERED

pytestmark = pytest.mark.real_model


def llmasos(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmasos", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),  # LLMASOS_HOME: this test's own data folder
    )


@pytest.fixture
def collection(tmp_path: Path, m3e_small_path: Path) -> str:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "handbook.md").write_text(
        "# Handbook\n\n## Annual leave\n\nEvery full-time employee receives 27 days of paid "
        "annual leave per calendar year.\n\n## Meals\n\nMeals are reimbursed up to 45 euros "
        "per day.\n",
        "utf-8",
    )
    (folder / "expenses.txt").write_text("The hotel allowance is 180 euros per night.\n", "utf-8")
    proc = llmasos("docs", "add", "notes", str(folder), "--embedder", str(m3e_small_path))
    assert proc.returncode == 0, proc.stderr
    return "notes"


def test_ask_json_then_plain_then_errors(collection: str, qwen_path: Path) -> None:
    model = ("--model", str(qwen_path), "--ctx", "2048", "--threads", "2", "--max-tokens", "48")
    question = "How many days of paid annual leave do full-time employees get?"
    proc = llmasos("ask", "--collection", collection, question, "--json", *model)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["covered"] is True and "27" in out["answer"], out
    assert out["citations"], out
    for c in out["citations"]:
        assert c["file"].endswith("handbook.md") and "27 days" in c["passage"]
        assert c["heading"] == ["Handbook", "Annual leave"] and c["page"] is None
        assert c["score"] > 0 and c["supported"] is True
    assert out["unknown_markers"] == [] and out["queries"] == [question]

    proc = llmasos("ask", "-c", collection, "What is the boiling point of mercury?", *model)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == NOT_COVERED["en"]

    proc = llmasos("ask", "-c", "nope", "anything", *model)
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "nope" in lines[0]


def test_ask_streams_the_answer_then_its_sources(collection: str, qwen_path: Path) -> None:
    proc = llmasos(
        "ask", "-c", collection, "What is the hotel allowance per night?",
        "--model", str(qwen_path), "--ctx", "2048", "--threads", "2", "--max-tokens", "48",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    answer, _, sources = proc.stdout.partition("\n\nSources:\n")
    assert "180" in answer, proc.stdout
    first = sources.splitlines()
    assert first[0].startswith("[") and "expenses.txt" in first[0] and "score" in first[0]
    assert "180 euros per night" in first[1]
