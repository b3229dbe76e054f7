"""The recent models in the settings file, and opened files listed in the model store
(issue 18, item 3)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from llmasos.errors import ModelFileInvalid
from llmasos.foundation.models.store import ModelStore
from llmasos.foundation.platform.paths import app_paths
from llmasos.foundation.settings.schema import FIELDS, RECENT_MODELS_MAX
from llmasos.foundation.settings.store import (
    AppSettings,
    ModelsConfig,
    SettingsStore,
    forget_model,
    remember_model,
)


def test_the_models_group_takes_the_schema_defaults() -> None:
    assert ModelsConfig() == ModelsConfig(
        recent=FIELDS["models.recent"].default, load_last=FIELDS["models.load_last"].default
    )
    assert ModelsConfig().recent == () and ModelsConfig().load_last is True


def test_a_file_without_recent_models_loads_without_warning() -> None:
    store = SettingsStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps({"version": 1, "default_model": "", "ui": {"theme": "dark"}}))
    settings, warning = store.load()
    assert warning is None and settings.models == ModelsConfig() and settings.ui.theme == "dark"


def test_recent_models_round_trip_as_a_list() -> None:
    store = SettingsStore()
    settings = AppSettings(models=ModelsConfig(recent=("/a/x.gguf", "/b/y.gguf"), load_last=False))
    store.save(settings)
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert data["models"] == {"recent": ["/a/x.gguf", "/b/y.gguf"], "load_last": False}
    assert store.load() == (settings, None)


@pytest.mark.parametrize("bad", [["/a.gguf", ""], "x.gguf", [1]])
def test_bad_recent_models_reset_with_a_warning(bad: object) -> None:
    store = SettingsStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps({"models": {"recent": bad, "load_last": False}}))
    settings, warning = store.load()
    assert settings.models == ModelsConfig(recent=(), load_last=False)
    assert warning and "models.recent" in warning


def test_remember_puts_a_model_first_once_and_keeps_the_latest_ten(tmp_path: Path) -> None:
    settings = AppSettings()
    for i in range(RECENT_MODELS_MAX + 2):
        settings = remember_model(settings, tmp_path / f"m{i}.gguf")
    recent = settings.models.recent
    assert len(recent) == RECENT_MODELS_MAX and recent[0] == str(tmp_path / "m11.gguf")
    assert str(tmp_path / "m1.gguf") not in recent  # the oldest went
    again = remember_model(settings, tmp_path / "sub" / ".." / "m5.gguf")
    assert again.models.recent[0] == str(tmp_path / "m5.gguf")
    assert again.models.recent.count(str(tmp_path / "m5.gguf")) == 1
    assert len(again.models.recent) == RECENT_MODELS_MAX
    relative = remember_model(AppSettings(), "x.gguf")
    assert relative.models.recent == (os.path.abspath("x.gguf"),)


def test_forget_drops_one_model_or_all() -> None:
    settings = AppSettings(models=ModelsConfig(recent=("/a/x.gguf", "/b/y.gguf")))
    assert forget_model(settings, "/a/x.gguf").models.recent == ("/b/y.gguf",)
    assert forget_model(settings, Path("/c/z.gguf")) == settings
    assert forget_model(settings).models.recent == ()
    assert forget_model(settings).models.load_last is True


# -- opened files in the model store ---------------------------------------------------------
def test_an_opened_file_is_listed_by_a_link(smollm2_path: Path) -> None:
    store = ModelStore()
    model = store.link_opened(smollm2_path)
    assert model is not None and model.path.is_symlink()
    assert model.path == app_paths().models / "local" / smollm2_path.name
    assert os.path.samefile(model.path, smollm2_path)  # nothing was copied
    assert model.origin == f"path:{smollm2_path}" and model.imported_from == str(smollm2_path)
    assert model.architecture == "llama" and model.is_usable
    assert [m.qualified_name for m in store.models()] == [f"local/{smollm2_path.name}"]
    assert store.link_opened(smollm2_path) is None  # listed already
    assert store.link_opened(model.path) is None  # that is the store's own file
    store.remove(model.qualified_name)  # the link goes, the file stays
    assert smollm2_path.exists() and store.models() == []


def test_a_file_in_the_models_folder_or_imported_is_not_linked(smollm2_path: Path) -> None:
    store = ModelStore()
    inside = app_paths().models / "someone" / "repo" / "model.gguf"
    inside.parent.mkdir(parents=True)
    shutil.copyfile(smollm2_path, inside)
    assert store.link_opened(inside) is None
    imported = store.import_file(smollm2_path)  # a copy, imported from that file
    assert store.link_opened(smollm2_path) is None
    assert len(store.models()) == 2 and not imported.path.is_symlink()


def test_a_same_named_file_gets_a_folder_of_its_own(tmp_path: Path, smollm2_path: Path) -> None:
    store = ModelStore()
    first = store.link_opened(smollm2_path)
    other = tmp_path / smollm2_path.name
    shutil.copyfile(smollm2_path, other)
    second = store.link_opened(other)
    assert first is not None and second is not None
    assert second.path.parent.parent == first.path.parent and second.path.is_symlink()
    assert second.origin == f"path:{other}"
    assert len(store.models()) == 2


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.gguf"
    page.write_text("<!DOCTYPE html><html>not a model</html>")
    with pytest.raises(ModelFileInvalid):
        ModelStore().link_opened(page)
    assert not list(app_paths().models.rglob("*.gguf"))
