"""One setting names the embedding model (``knowledge.embedding_model``): the command line's
default, the in-app API server's model, and what the app indexes with."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from llmasos.apps.api.controller import config_from_settings
from llmasos.apps.cli.docs import _embedder_path
from llmasos.foundation.models.store import embedder_file
from llmasos.foundation.settings.store import AppSettings, KnowledgeConfig, SettingsStore
from llmasos.services.knowledge.store import Collection


def with_model(text: str) -> AppSettings:
    return replace(AppSettings(), knowledge=KnowledgeConfig(embedding_model=text))


def test_the_setting_is_saved_read_back_and_resolved(tmp_path: Path) -> None:
    model = tmp_path / "bge-m3.gguf"
    model.write_bytes(b"GGUF")
    store = SettingsStore()
    store.save(with_model(str(model)))
    loaded = store.load()[0]
    assert loaded.knowledge.embedding_model == str(model)
    assert embedder_file(loaded.knowledge.embedding_model) == model.resolve()
    assert embedder_file(AppSettings().knowledge.embedding_model) is None  # full-text only


def test_cli_indexes_with_the_setting_and_searches_with_the_collection_s_model(
    tmp_path: Path,
) -> None:
    setting, remembered = tmp_path / "new.gguf", tmp_path / "old.gguf"
    for f in (setting, remembered):
        f.write_bytes(b"GGUF")
    collection = Collection(1, "notes", (str(tmp_path),), str(remembered), 0.0)
    bare = replace(collection, embedder="")
    assert _embedder_path(collection, None) == remembered  # no setting yet
    SettingsStore().save(with_model(str(setting)))
    assert _embedder_path(collection, None) == setting.resolve()
    assert _embedder_path(collection, None, for_search=True) == remembered
    assert _embedder_path(bare, None, for_search=True) == setting.resolve()
    given = tmp_path / "given.gguf"
    assert _embedder_path(collection, given) == given.resolve()  # --embedder wins


def test_a_setting_that_names_nothing_is_a_note_not_a_failure(capsys) -> None:
    SettingsStore().save(with_model("no-such-embedder"))
    collection = Collection(1, "notes", ("/tmp",), "", 0.0)
    assert _embedder_path(collection, None) is None
    assert "knowledge.embedding_model" in capsys.readouterr().err


def test_the_in_app_api_serves_the_setting_s_model(tmp_path: Path) -> None:
    model = tmp_path / "e5.gguf"
    model.write_bytes(b"GGUF")
    assert config_from_settings(with_model(str(model))).embedding_model == str(model.resolve())
    assert config_from_settings(AppSettings()).embedding_model == ""


def test_settings_page_edits_the_embedding_model(qtbot, tmp_path: Path) -> None:
    from llmasos.apps.gui.settings.page import SettingsPage

    model = tmp_path / "m3e.gguf"
    model.write_bytes(b"GGUF")
    page = SettingsPage(SettingsStore())
    qtbot.addWidget(page)
    assert page.embedding_model.text() == ""
    page.embedding_model.setText(f"  {model}  ")
    assert page.apply()
    assert SettingsStore().load()[0].knowledge.embedding_model == str(model)
    page.restore_defaults()
    assert page.embedding_model.text() == ""


def test_the_main_window_hands_the_setting_to_knowledge(qtbot, tmp_path: Path) -> None:
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.kernel.kernel import Kernel

    model = tmp_path / "m3e.gguf"
    model.write_bytes(b"GGUF")
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    try:
        window.show_page("knowledge")  # needs no chat model: no welcome page
        assert type(window.current_page()).__name__ == "KnowledgePage"
        tool = window.open_tool_window("knowledge")
        assert tool.page.service is window.knowledge()  # one index, one indexer
        window.settings_page.embedding_model.setText(str(model))
        assert window.settings_page.apply()
        assert window.knowledge().indexer.embedder_path == model.resolve()
    finally:
        window.close()


def test_kernel_work_without_a_model_still_shows_the_welcome_page(qtbot) -> None:
    """Indexing keeps the kernel busy with no chat model loaded: the tools still show the
    welcome page (before, any busy kernel was taken for a model being loaded)."""
    import threading

    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.kernel.kernel import Kernel, Priority

    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    release = threading.Event()

    def hold(_engine, _cancel):  # stands for a slice of indexing
        release.wait(30)
        return iter(())

    try:
        window.show_page("knowledge")
        window.kernel.submit(hold, owner="knowledge", priority=Priority.BACKGROUND)
        qtbot.waitUntil(lambda: window.kernel.is_busy)
        window.show_page("write")
        assert window.current_page() is window.welcome
    finally:
        release.set()
        window.close()
