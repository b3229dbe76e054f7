"""The model store and its index, on the real test models."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from helpers import models
from llmasos.errors import ModelExistsError, ModelFileInvalid, ModelFileNotFound
from llmasos.foundation.models.store import ModelStore, installed_models, resolve_model
from llmasos.foundation.platform.paths import app_paths


@pytest.fixture
def store() -> ModelStore:
    return ModelStore()


def test_empty_store(store):
    assert store.models() == [] and store.default() is None
    assert store.rescan().added == ()


def test_import_copy_validates_hashes_and_indexes(store, smollm2_path):
    model = store.import_file(smollm2_path)
    assert model.path == app_paths().models / "local" / smollm2_path.name
    assert model.qualified_name == f"local/{smollm2_path.name}"
    assert model.imported_from == str(smollm2_path.resolve())
    assert model.origin == f"file:{models.SMOLLM2.sha256[:16]}"
    assert model.sha256 == models.SMOLLM2.sha256
    assert (model.architecture, model.quantization) == ("llama", "Q4_1")
    assert model.context_length and model.parameter_count and model.is_usable
    assert model.source == f"import:{smollm2_path.resolve()}"
    index = json.loads(store.index_path.read_text())
    assert [m["name"] for m in index["models"]] == [smollm2_path.name]
    assert index["version"] == 2 and index["models"][0]["origin"] == model.origin
    assert installed_models() == [model.path]
    assert resolve_model("smollm2-135m-instruct.q4_1") == model.path


@pytest.mark.parametrize("mode", ["symlink", "hardlink"])
def test_import_by_link(store, gemma3_path, mode):
    model = store.import_file(gemma3_path, mode=mode)
    assert model.architecture == "gemma3" and model.size == gemma3_path.stat().st_size
    assert model.path.is_symlink() == (mode == "symlink")
    if mode == "hardlink" and model.path.stat().st_dev == gemma3_path.stat().st_dev:
        assert os.path.samefile(model.path, gemma3_path)  # else it fell back to a copy
    store.remove(model.name)
    assert gemma3_path.exists() and not model.path.exists() and store.models() == []


def test_import_refuses_invalid_file_and_duplicates(store, tmp_path, smollm2_path):
    page = tmp_path / "model.gguf"
    page.write_text("<!DOCTYPE html><html>not a model</html>")
    with pytest.raises(ModelFileInvalid):
        store.import_file(page)
    assert not list(app_paths().models.rglob("model.gguf"))
    store.import_file(smollm2_path, mode="symlink")
    with pytest.raises(ModelExistsError):
        store.import_file(smollm2_path, mode="symlink")


def test_files_added_and_removed_by_hand_are_noticed(store, smollm2_path, gemma3_path):
    folder = app_paths().ensure().models
    os.symlink(smollm2_path, folder / smollm2_path.name)
    (folder / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    scan = store.rescan()
    assert set(scan.added) == {smollm2_path.name, "broken.gguf"}
    by_name = {m.name: m for m in store.models()}
    assert by_name["broken.gguf"].problem and not by_name["broken.gguf"].is_usable
    assert by_name[smollm2_path.name].source == "manual"
    (folder / "broken.gguf").unlink()
    os.symlink(gemma3_path, folder / gemma3_path.name)
    scan = store.rescan()
    assert scan.removed == ("broken.gguf",) and scan.added == (gemma3_path.name,)
    assert [m.name for m in store.models()] == sorted(
        [smollm2_path.name, gemma3_path.name], key=str.lower
    )


def test_default_model_set_and_cleared_on_remove(store, smollm2_path, gemma3_path):
    store.import_file(smollm2_path, mode="symlink")
    store.import_file(gemma3_path, mode="symlink")
    assert store.set_default("gemma-3-270m-q4_k_m").name == gemma3_path.name
    assert ModelStore().default().name == gemma3_path.name  # persisted in the index
    store.remove(gemma3_path.name)
    assert store.default() is None
    with pytest.raises(ModelFileNotFound, match="models list"):
        store.set_default(gemma3_path.name)


def test_split_model_parts_are_one_entry(store, smollm2_path):
    folder = app_paths().ensure().models
    shutil.copyfile(smollm2_path, folder / "m-00001-of-00002.gguf")
    (folder / "m-00002-of-00002.gguf").write_bytes(b"rest")
    (model,) = store.models()
    assert model.name == "m-00001-of-00002.gguf" and model.parts == ("m-00002-of-00002.gguf",)
    assert model.size == smollm2_path.stat().st_size + 4
    store.remove("m-00001-of-00002")
    assert list(folder.glob("*.gguf")) == []


def test_changed_file_is_reread_and_loses_its_checksum(store, smollm2_path, gemma3_path):
    folder = app_paths().ensure().models
    target = folder / "model.gguf"
    os.symlink(smollm2_path, target)
    store.register(target, source="hf:x/y", sha256="ab" * 32)
    target.unlink()
    os.symlink(gemma3_path, target)
    assert store.rescan().changed == ("model.gguf",)
    (model,) = store.models()
    assert model.architecture == "gemma3" and model.sha256 is None and model.source == "hf:x/y"
    assert model.origin == "hf:x/y@main:model.gguf" and model.origin_label == "x/y"


def test_corrupt_index_is_rebuilt(store, smollm2_path):
    store.import_file(smollm2_path, mode="symlink")
    store.index_path.write_text("{not json")
    assert [m.name for m in store.models()] == [smollm2_path.name]


def test_register_needs_a_file_in_the_folder(store, smollm2_path):
    with pytest.raises(ModelFileNotFound):
        store.register(smollm2_path, source="hf:x/y")


def test_full_disk_while_saving_the_index(tmp_path, monkeypatch):
    import errno
    from pathlib import Path

    from llmasos.errors import DiskFullError
    from llmasos.foundation.models.store import ModelStore

    store = ModelStore(tmp_path / "models", tmp_path / "models.json")
    (tmp_path / "models").mkdir()

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(DiskFullError, match="disk is full"):
        store.rescan()
    assert not (tmp_path / "models.json.tmp").exists()
