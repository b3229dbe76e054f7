"""``llmasos docs`` end to end, as real subprocesses on a real folder and index file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.documents import write_docx, write_pdf
from llmasos.services.knowledge.store import KnowledgeStore


def docs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "llmasos", "docs", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),  # LLMASOS_HOME: this test's own data folder
    )


def ok(*args: str) -> str:
    proc = docs(*args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    root.mkdir()
    (root / "zh.md").write_text(
        "# 备份\n\n每天晚上自动备份数据库。\n\n# 恢复\n\n从备份恢复需要管理员密码。\n"
    )
    (root / "en.txt").write_text("Backups run nightly. Restoring needs the admin password.\n")
    write_pdf(root / "guide.pdf", [["Intro page."], ["The retention period is ninety days."]])
    write_docx(root / "plan.docx", [("h1", "Budget"), ("p", "The budget for 2027 is fixed.")])
    write_pdf(root / "locked.pdf", [["secret"]], password="pw")
    return root


def test_add_list_search_reindex_remove(folder: Path, llmasos_home: Path) -> None:
    proc = docs("add", "notes", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "notes: 5 files, 6 chunks; 4 added, 1 failed"
    assert "warning: locked.pdf is protected by a password" in proc.stderr
    assert (llmasos_home / "data" / "knowledge.sqlite3").is_file()

    listed = json.loads(ok("list", "--json"))
    assert listed == [
        {"name": "notes", "sources": [str(folder)], "embedder": "", "files": 5,
         "chunks": listed[0]["chunks"], "failed": 1}
    ]  # fmt: skip
    files = {Path(f["path"]).name: f for f in json.loads(ok("list", "notes", "--json"))}
    assert files["locked.pdf"]["status"] == "error" and "password" in files["locked.pdf"]["error"]
    assert files["locked.pdf"]["error_code"] == "password"  # said in any language from these
    assert files["locked.pdf"]["error_params"] == {"name": "locked.pdf"}

    hits = json.loads(ok("search", "notes", "备份", "--json", "--k", "2"))
    assert hits[0]["heading"] == ["备份"] and "备份" in hits[0]["text"]
    assert set(hits[0]) == {
        "rank", "file", "page", "heading", "start", "end", "text", "score", "lexical",
        "vector", "coverage",
    }  # fmt: skip
    page = json.loads(ok("search", "notes", "retention period", "--json"))[0]
    assert page["file"].endswith("guide.pdf") and page["page"] == 2

    text = ok("search", "notes", "budget")
    assert text.startswith("[1] ") and "plan.docx (Budget)" in text

    (folder / "en.txt").write_text("Backups now run hourly.\n")
    (folder / "zh.md").rename(folder / "备份说明.md")
    again = json.loads(ok("reindex", "notes", "--json"))
    assert again["collection"] == "notes" and again["files"] == 5 and not again["cancelled"]
    assert (again["added"], again["updated"], again["moved"], again["removed"]) == (0, 1, 1, 0)
    assert json.loads(ok("search", "notes", "hourly", "--json"))[0]["file"].endswith("en.txt")
    assert json.loads(ok("search", "notes", "恢复", "--json"))[0]["file"].endswith("备份说明.md")

    assert "Removed collection" in ok("remove", "notes")
    assert json.loads(ok("list", "--json")) == []


def test_errors_are_one_line_with_what_to_do(folder: Path, tmp_path: Path) -> None:
    for args, expected in (
        (("search", "nope", "x"), "llmasos docs add"),
        (("add", "x", str(tmp_path / "missing")), "Not found"),
        (("remove", "nope"), "no collection named"),
    ):
        proc = docs(*args)
        assert proc.returncode == 1
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    with KnowledgeStore() as store:  # the same file the command uses (LLMASOS_HOME)
        store.add_collection("notes", [folder])
    proc = docs("search", "notes", "备份", "--mode", "vector")
    assert proc.returncode == 1 and "--embedder" in proc.stderr


@pytest.mark.real_model
def test_embedder_is_remembered_and_searched(folder: Path, m3e_small_path: Path) -> None:
    model = str(m3e_small_path)
    added = json.loads(
        ok("add", "notes", str(folder), "--embedder", model, "--threads", "1", "--json")
    )
    assert added["embedded"] == added["chunks"] > 0
    assert json.loads(ok("list", "--json"))[0]["embedder"] == str(m3e_small_path.resolve())
    # no --embedder from here on: the collection remembers it
    hit = json.loads(ok("search", "notes", "忘记密码怎么还原数据", "--mode", "vector", "--json"))[0]
    assert hit["heading"] == ["恢复"] and hit["vector"] > 0 and hit["lexical"] is None
    hybrid = json.loads(ok("search", "notes", "retention period", "--json", "--threads", "1"))
    assert hybrid[0]["file"].endswith("guide.pdf")
    assert hybrid[0]["vector"] is not None and hybrid[0]["lexical"] is not None
    (folder / "en.txt").write_text("Backups now run hourly.\n")
    again = json.loads(ok("reindex", "--json", "--threads", "1"))
    assert (again["updated"], again["embedded"]) == (1, 1)
