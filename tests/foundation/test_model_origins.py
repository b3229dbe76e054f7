"""A store that tells models apart: same-named files of different origins side by side,
names that say which one, and the migration of a store from the flat layout."""

# The fake-Hub fixtures come from helpers.hub_fixtures (pytest_plugins in conftest.py).

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from helpers import models
from llmasos.errors import AmbiguousModelName, ModelExistsError, ModelFileNotFound
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings
from llmasos.foundation.hub.client import HubClient
from llmasos.foundation.hub.download import DownloadControl, Downloader, DownloadProgress
from llmasos.foundation.hub.download_parts import unfinished_downloads
from llmasos.foundation.models.store import ModelStore, resolve_model
from llmasos.foundation.platform.paths import app_paths
from llmasos.foundation.settings.store import SettingsStore

NAME = "m-Q4_K_M.gguf"
SMOL_REPO = "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF"


def _link_or_copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
    return dst


# -- two origins, one file name --------------------------------------------------------------
def test_same_named_files_of_two_repos_download_side_by_side(fake_hub, small_model, tmp_path):
    other = small_model[::-1]  # another model that happens to have the same file name
    fake_hub.add_repo("alice/m-GGUF", {NAME: small_model})
    fake_hub.add_repo("bob/m-GGUF", {NAME: other})
    client = HubClient(fake_hub.endpoint, timeout=5)
    (a_entry,) = client.list_gguf("alice/m-GGUF")
    (b_entry,) = client.list_gguf("bob/m-GGUF")
    store = ModelStore(tmp_path / "models", tmp_path / "models.json")
    downloader = Downloader(client, store.folder, chunk_size=64 * 1024, backoff_s=0.01)

    # alice's download pauses midway; bob's same-named file comes in meanwhile
    control = DownloadControl()

    def pause_soon(p: DownloadProgress) -> None:
        if p.done >= 1_000_000:
            control.pause()

    fake_hub.behaviour.slow_s = 0.01
    paused = downloader.download("alice/m-GGUF", a_entry, progress=pause_soon, control=control)
    assert paused.status == "paused"
    kept = downloader.partial_bytes(a_entry, "alice/m-GGUF")
    assert 0 < kept < len(small_model)
    fake_hub.behaviour.slow_s = 0
    bob = downloader.download("bob/m-GGUF", b_entry)
    assert bob.is_complete
    assert downloader.partial_bytes(a_entry, "alice/m-GGUF") == kept  # not touched by bob's
    alice = downloader.download("alice/m-GGUF", a_entry)
    assert alice.is_complete and alice.fetched == len(small_model) - kept  # resumed

    assert alice.paths == (store.folder / "alice" / "m-GGUF" / NAME,)
    assert bob.paths == (store.folder / "bob" / "m-GGUF" / NAME,)
    assert alice.paths[0].read_bytes() == small_model and bob.paths[0].read_bytes() == other
    for result in (alice, bob):
        store.register(
            result.paths[0],
            source=f"hf:{result.repo}",
            sha256=result.sha256[0],
            revision=result.revision,
            file=result.files[0],
        )
    listed = store.models()
    assert [(m.name, m.qualified_name, m.origin, m.origin_label) for m in listed] == [
        (NAME, f"alice/m-GGUF/{NAME}", f"hf:alice/m-GGUF@main:{NAME}", "alice/m-GGUF"),
        (NAME, f"bob/m-GGUF/{NAME}", f"hf:bob/m-GGUF@main:{NAME}", "bob/m-GGUF"),
    ]

    # a bare name no longer says which: a typed error lists the names to use
    for bare in (NAME, "m-q4_k_m"):
        with pytest.raises(AmbiguousModelName, match="Name one of them in full") as err:
            store.get(bare)
        assert err.value.choices == (f"alice/m-GGUF/{NAME}", f"bob/m-GGUF/{NAME}")
        assert isinstance(err.value, ModelFileNotFound)  # callers that catch this still do
    assert store.get(f"bob/m-GGUF/{NAME}").sha256 == hashlib.sha256(other).hexdigest()
    assert store.get("BOB/m-gguf/m-Q4_K_M").path == bob.paths[0]  # any case, .gguf optional
    assert store.get(f"hf:alice/m-GGUF@main:{NAME}").path == alice.paths[0]  # the origin id
    assert store.installed_from("bob/m-GGUF", NAME) == store.get(f"bob/m-GGUF/{NAME}")
    assert store.installed_from("carol/m-GGUF", NAME) is None

    # the same file of the same repository again: refused before a byte is fetched
    gets = len(fake_hub.behaviour.requests)
    with pytest.raises(ModelExistsError, match="from alice/m-GGUF is already installed"):
        downloader.download("alice/m-GGUF", a_entry)
    assert len(fake_hub.behaviour.requests) == gets

    store.remove(f"alice/m-GGUF/{NAME}")  # only that one, and the folders it leaves empty
    assert not (store.folder / "alice").exists() and bob.paths[0].exists()
    assert store.get(NAME).origin_label == "bob/m-GGUF"  # the bare name is unique again


def test_two_real_models_of_one_name_load_by_qualified_name(smollm2_path, gemma3_path):
    folder = app_paths().ensure().models
    store = ModelStore()
    places = {}
    for repo, src in ((SMOL_REPO, smollm2_path), ("google/gemma-3-270m-GGUF", gemma3_path)):
        target = folder / repo / "model.gguf"
        target.parent.mkdir(parents=True)
        target.symlink_to(src)
        store.register(target, source=f"hf:{repo}")
        places[repo] = target
    for bare in ("model", "model.gguf"):
        with pytest.raises(AmbiguousModelName) as err:
            resolve_model(bare)
        assert err.value.choices == (
            "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF/model.gguf",
            "google/gemma-3-270m-GGUF/model.gguf",
        )
    assert (
        resolve_model("google/gemma-3-270m-GGUF/model.gguf") == places["google/gemma-3-270m-GGUF"]
    )
    assert resolve_model(f"{SMOL_REPO}/model") == places[SMOL_REPO]
    assert resolve_model("SmolLM2-135M-Instruct-GGUF/model.gguf") == places[SMOL_REPO]
    for qualified, architecture in (
        (f"{SMOL_REPO}/model.gguf", "llama"),
        ("google/gemma-3-270m-GGUF/model.gguf", "gemma3"),
    ):
        assert store.get(qualified).architecture == architecture
        engine = LlamaEngine(EngineSettings(n_ctx=256, probe=False))
        try:
            info = engine.load(resolve_model(qualified))
            assert info.architecture == architecture
        finally:
            engine.close()


def test_imports_of_two_files_with_one_name(tmp_path, smollm2_path, gemma3_path):
    a = _link_or_copy(smollm2_path, tmp_path / "a" / "model.gguf")
    b = _link_or_copy(gemma3_path, tmp_path / "b" / "model.gguf")
    store = ModelStore()
    first = store.import_file(a, mode="symlink")
    second = store.import_file(b, mode="symlink")
    assert first.qualified_name == "local/model.gguf" and first.origin == f"path:{a}"
    assert first.origin_label == f"imported from {a}"
    assert second.qualified_name == f"local/{models.GEMMA3.sha256[:8]}/model.gguf"
    assert second.sha256 == models.GEMMA3.sha256
    assert second.origin == f"file:{models.GEMMA3.sha256[:16]}"
    assert second.architecture == "gemma3" and first.architecture == "llama"
    with pytest.raises(ModelExistsError):  # the same file again
        store.import_file(b, mode="symlink")
    c = _link_or_copy(smollm2_path, tmp_path / "c" / "model.gguf")
    with pytest.raises(ModelExistsError, match=r"already installed as 'local/model\.gguf'"):
        store.import_file(c)  # another path, same content
    with pytest.raises(AmbiguousModelName):
        store.get("model")
    assert store.get(second.qualified_name).path.resolve() == b.resolve()


def test_a_partial_download_of_an_earlier_version_resumes(fake_hub, small_model, tmp_path):
    fake_hub.add_repo("alice/m-GGUF", {NAME: small_model})
    fake_hub.add_repo("bob/m-GGUF", {NAME: small_model[::-1]})
    client = HubClient(fake_hub.endpoint, timeout=5)
    (entry,) = client.list_gguf("alice/m-GGUF")
    (bob_entry,) = client.list_gguf("bob/m-GGUF")
    downloader = Downloader(client, tmp_path / "models", chunk_size=64 * 1024)
    control = DownloadControl()

    def pause_soon(p: DownloadProgress) -> None:
        if p.done >= 1_000_000:
            control.pause()

    fake_hub.behaviour.slow_s = 0.01
    downloader.download("alice/m-GGUF", entry, progress=pause_soon, control=control)
    fake_hub.behaviour.slow_s = 0
    # where earlier versions kept it: .partial/<name>.part and its record
    partial_dir = tmp_path / "models" / ".partial"
    for suffix in (".part", ".part.json"):
        (partial_dir / "alice" / "m-GGUF" / (NAME + suffix)).rename(partial_dir / (NAME + suffix))
    (partial_dir / "alice").rename(tmp_path / "emptied")
    kept = (partial_dir / (NAME + ".part")).stat().st_size
    (left,) = unfinished_downloads(tmp_path / "models")
    assert (left.repo, left.kept) == ("alice/m-GGUF", kept)
    # bob's same-named file leaves it alone; alice's resumes from it
    assert downloader.download("bob/m-GGUF", bob_entry).is_complete
    assert (partial_dir / (NAME + ".part")).stat().st_size == kept
    result = downloader.download("alice/m-GGUF", entry)
    assert result.is_complete and result.fetched == len(small_model) - kept
    assert result.paths[0].read_bytes() == small_model
    assert list(partial_dir.iterdir()) == []


# -- migration from the flat layout ----------------------------------------------------------
def _v1_entry(path: Path, source: str, parts: tuple[str, ...] = (), **fields: Any) -> dict:
    """One model as the flat-layout store's ``_to_json`` wrote it (``asdict`` of its
    InstalledModel, path as text, parts as a list)."""
    size = path.stat().st_size + sum((path.parent / p).stat().st_size for p in parts)
    return {
        "name": path.name,
        "path": str(path),
        "size": size,
        "mtime": path.stat().st_mtime,
        "source": source,
        "sha256": fields.get("sha256"),
        "parts": list(parts),
        "architecture": fields.get("architecture"),
        "quantization": fields.get("quantization"),
        "parameter_count": fields.get("parameter_count"),
        "context_length": fields.get("context_length"),
        "problem": None,
        "added_at": 1_700_000_000.0,
    }


def _old_store(smollm2_path: Path, gemma3_path: Path) -> dict[str, Any]:
    """A store as the flat layout left it: every file in the folder, a version-1 index,
    the Settings' default model pointing at a file there, a partial download."""
    paths = app_paths().ensure()
    folder = paths.models
    smol = _link_or_copy(smollm2_path, folder / smollm2_path.name)  # downloaded
    gemma = folder / gemma3_path.name  # imported as a link
    gemma.symlink_to(gemma3_path)
    hand = folder / "hand.gguf"  # a relative link put there by hand
    hand.symlink_to(os.path.relpath(smollm2_path, folder))
    (folder / "s-00001-of-00002.gguf").write_bytes(b"GGUF first part")  # by hand, never indexed
    (folder / "s-00002-of-00002.gguf").write_bytes(b"second part")
    (folder / ".partial").mkdir()
    (folder / ".partial" / "old.gguf.part").write_bytes(b"kept bytes")
    entries = [
        _v1_entry(
            smol,
            f"hf:{SMOL_REPO}",
            sha256=models.SMOLLM2.sha256,
            architecture="llama",
            quantization="Q4_1",
            parameter_count=134_515_008,
            context_length=8192,
        ),
        _v1_entry(gemma, f"import:{gemma3_path}", architecture="gemma3", quantization="Q4_K_M"),
        _v1_entry(hand, "manual", architecture="llama", quantization="Q4_1"),
    ]
    data = {
        "version": 1,
        "default": smol.name,
        "models": sorted(entries, key=lambda m: m["name"]),
    }
    index = paths.data / "models.json"
    index.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    settings_store = SettingsStore()
    settings, _ = settings_store.load()
    settings_store.save(replace(settings, default_model=str(smol)))
    return {
        "folder": folder,
        "index": index,
        "smol": (smol.stat().st_ino, smol.stat().st_mtime_ns),
        "old_smol": smol,
    }


def _assert_migrated(old: dict[str, Any], smollm2_path: Path, gemma3_path: Path) -> None:
    folder: Path = old["folder"]
    store = ModelStore()
    by_place = {m.qualified_name: m for m in store.models()}
    smol_place = f"{SMOL_REPO}/{smollm2_path.name}"
    assert sorted(by_place) == sorted(
        [
            smol_place,
            f"local/{gemma3_path.name}",
            "local/hand.gguf",
            "local/s-00001-of-00002.gguf",
        ]
    )
    smol = by_place[smol_place]
    # renamed, not copied nor downloaded: same inode, same modification time
    assert (smol.path.stat().st_ino, smol.path.stat().st_mtime_ns) == old["smol"]
    assert smol.sha256 == models.SMOLLM2.sha256 and smol.added_at == 1_700_000_000.0
    assert smol.source == f"hf:{SMOL_REPO}" and smol.context_length == 8192
    assert smol.origin == f"hf:{SMOL_REPO}@main:{smollm2_path.name}"
    gemma = by_place[f"local/{gemma3_path.name}"]
    assert os.readlink(gemma.path) == str(gemma3_path) and gemma.architecture == "gemma3"
    assert gemma.imported_from == str(gemma3_path)
    assert gemma.origin_label == f"imported from {gemma3_path}"
    hand = by_place["local/hand.gguf"]
    assert hand.path.resolve() == smollm2_path.resolve()  # the relative link still works
    assert hand.source == "manual" and hand.is_usable
    split = by_place["local/s-00001-of-00002.gguf"]
    assert split.parts == ("s-00002-of-00002.gguf",)
    assert (folder / "local" / "s-00002-of-00002.gguf").read_bytes() == b"second part"
    assert sorted(p.name for p in folder.iterdir()) == [".partial", "HuggingFaceTB", "local"]
    assert (folder / ".partial" / "old.gguf.part").read_bytes() == b"kept bytes"
    assert store.default() == smol
    index = json.loads(old["index"].read_text(encoding="utf-8"))
    assert index["version"] == 2 and "migrating" not in index
    assert SettingsStore().load()[0].default_model == str(smol.path)
    assert resolve_model(str(old["old_smol"])) == smol.path  # an old path still finds it


def test_migration_from_the_flat_layout(fake_hub, smollm2_path, gemma3_path):
    old = _old_store(smollm2_path, gemma3_path)
    _assert_migrated(old, smollm2_path, gemma3_path)
    assert fake_hub.behaviour.requests == []  # nothing was downloaded again
    # opening it again changes nothing
    index = old["index"].read_text(encoding="utf-8")
    places = sorted(str(p) for p in old["folder"].rglob("*"))
    _assert_migrated(old, smollm2_path, gemma3_path)
    assert old["index"].read_text(encoding="utf-8") == index
    assert sorted(str(p) for p in old["folder"].rglob("*")) == places


def test_migration_killed_midway_finishes_on_next_open(monkeypatch, smollm2_path, gemma3_path):
    old = _old_store(smollm2_path, gemma3_path)
    moved: list[Path] = []
    real_move = ModelStore._move

    def killed_after_two(src: Path, dst: Path) -> None:
        if len(moved) == 2:
            raise KeyboardInterrupt  # the process dies here
        moved.append(src)
        real_move(src, dst)

    with monkeypatch.context() as m:
        m.setattr(ModelStore, "_move", staticmethod(killed_after_two))
        with pytest.raises(KeyboardInterrupt):
            ModelStore().models()
    index = json.loads(old["index"].read_text(encoding="utf-8"))
    assert index["version"] == 2 and len(index["migrating"]) == 5  # the plan, saved first
    assert len(moved) == 2 and not any(p.exists() for p in moved)
    _assert_migrated(old, smollm2_path, gemma3_path)


def test_an_old_index_without_files_and_a_store_without_index(smollm2_path):
    paths = app_paths().ensure()
    index = paths.data / "models.json"
    gone = paths.models / "gone.gguf"
    index.write_text(
        json.dumps(
            {
                "version": 1,
                "default": "gone.gguf",
                "models": [
                    {"name": "gone.gguf", "path": str(gone), "size": 1, "mtime": 1.0, "source": "x"}
                ],
            }
        )
    )
    assert ModelStore().models() == [] and ModelStore().default() is None
    # files put in the folder by hand, with no index at all, stay where they are
    index.unlink()
    _link_or_copy(smollm2_path, paths.models / "mine.gguf")
    (model,) = ModelStore().models()
    assert model.qualified_name == "mine.gguf" and model.origin == "local:mine.gguf"
    assert model.origin_label == "added by hand" and model.path == paths.models / "mine.gguf"


def test_files_moved_by_hand_keep_their_origin(smollm2_path):
    folder = app_paths().ensure().models
    store = ModelStore()
    target = _link_or_copy(smollm2_path, folder / "org" / "repo" / "model.gguf")
    store.register(target, source="hf:org/repo", sha256=models.SMOLLM2.sha256)
    store.set_default("model")
    moved = folder / "elsewhere" / "model.gguf"
    moved.parent.mkdir()
    target.rename(moved)
    scan = store.rescan()
    assert scan.added == ("elsewhere/model.gguf",) and scan.removed == ("org/repo/model.gguf",)
    (model,) = store.models()
    assert model.path == moved and model.sha256 == models.SMOLLM2.sha256
    assert model.origin == "hf:org/repo@main:model.gguf" and store.default() == model


# -- the command line shows origins ---------------------------------------------------------
def _cli(endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_ENDPOINT": endpoint}
    env.pop("HF_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "llmasos", "models", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_cli_lists_origins_and_takes_qualified_names(fake_hub, small_model):
    fake_hub.add_repo("alice/m-GGUF", {NAME: small_model})
    fake_hub.add_repo("bob/m-GGUF", {NAME: small_model[::-1]})
    for repo in ("alice/m-GGUF", "bob/m-GGUF"):
        out = _cli(fake_hub.endpoint, "download", repo, "--file", NAME)
        assert out.returncode == 0, out.stderr
        assert f"from {repo}" in out.stdout and f"as {repo}/{NAME}" in out.stdout
    listed = json.loads(_cli(fake_hub.endpoint, "list", "--json").stdout)
    assert [(m["name"], m["origin"], m["origin_label"], m["source"]) for m in listed["models"]] == [
        (NAME, f"hf:alice/m-GGUF@main:{NAME}", "alice/m-GGUF", "hf:alice/m-GGUF"),
        (NAME, f"hf:bob/m-GGUF@main:{NAME}", "bob/m-GGUF", "hf:bob/m-GGUF"),
    ]
    assert listed["models"][0]["qualified_name"] == f"alice/m-GGUF/{NAME}"
    table = _cli(fake_hub.endpoint, "list").stdout.splitlines()
    assert table[0].split() == ["NAME", "SIZE", "QUANT", "CONTEXT", "ORIGIN"]
    assert table[1].split()[0] == f"alice/m-GGUF/{NAME}" and "alice/m-GGUF" in table[1].split()
    assert table[2].split()[0] == f"bob/m-GGUF/{NAME}"
    refused = _cli(fake_hub.endpoint, "remove", NAME, "--yes")
    assert refused.returncode == 1 and f"alice/m-GGUF/{NAME}, bob/m-GGUF/{NAME}" in refused.stderr
    gone = _cli(fake_hub.endpoint, "remove", f"alice/m-GGUF/{NAME}", "--yes", "--json")
    assert gone.returncode == 0, gone.stderr
    assert json.loads(gone.stdout) == {"removed": NAME, "qualified_name": f"alice/m-GGUF/{NAME}"}
    table = _cli(fake_hub.endpoint, "list").stdout.splitlines()
    assert table[1].split()[0] == NAME and "bob/m-GGUF" in table[1]  # unique again
    again = _cli(fake_hub.endpoint, "download", "bob/m-GGUF", "--file", NAME)
    assert again.returncode == 1 and "already installed" in again.stderr


# -- the Installed page shows origins -------------------------------------------------------
def test_installed_page_shows_origins_and_tells_same_names_apart(
    qtbot, monkeypatch, smollm2_path, gemma3_path
):
    from PySide6.QtWidgets import QMessageBox

    from llmasos.apps.gui.models.page import ModelsPage
    from llmasos.kernel.kernel import Kernel

    folder = app_paths().ensure().models
    store = ModelStore()
    for repo, src in ((SMOL_REPO, smollm2_path), ("google/gemma-3-270m-GGUF", gemma3_path)):
        target = folder / repo / "model.gguf"
        target.parent.mkdir(parents=True)
        target.symlink_to(src)
        store.register(target, source=f"hf:{repo}")
    imported = store.import_file(gemma3_path, mode="symlink")
    kernel = Kernel()
    page = ModelsPage(kernel)
    qtbot.addWidget(page)
    try:
        table = page.installed.table
        rows = [[table.item(r, c).text() for c in (0, 6)] for r in range(table.rowCount())]
        assert table.horizontalHeaderItem(6).text() == "Origin"
        assert rows == [
            [gemma3_path.name, f"Imported from {gemma3_path}"],
            [f"{SMOL_REPO}/model.gguf", SMOL_REPO],
            ["google/gemma-3-270m-GGUF/model.gguf", "google/gemma-3-270m-GGUF"],
        ]
        row = page.installed.row_of("google/gemma-3-270m-GGUF/model.gguf")
        table.selectRow(row)
        page.installed.set_default_selected()
        assert store.default().qualified_name == "google/gemma-3-270m-GGUF/model.gguf"
        assert table.item(row, 5).text() == "default"
        monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
        table.selectRow(page.installed.row_of(f"{SMOL_REPO}/model.gguf"))
        page.installed.remove_selected()
        assert [m.qualified_name for m in store.models()] == [
            imported.qualified_name,
            "google/gemma-3-270m-GGUF/model.gguf",
        ]
        assert table.item(page.installed.row_of("model.gguf"), 0).text() == "model.gguf"
    finally:
        assert page.shutdown()
        kernel.shutdown()
