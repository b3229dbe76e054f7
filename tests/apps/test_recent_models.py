"""Opened models are remembered (issue 18, item 3): the recent models, File › Open Recent,
the welcome page's list, the last model loaded at start, opened files under Installed, and
the conversations in view before a model is loaded. Real kernel and models, pytest-qt."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.shell.window import MainWindow
from llmasos.foundation.settings.store import ModelsConfig, SettingsStore
from llmasos.kernel.kernel import Kernel
from llmasos.services.chat.conversations import ConversationStore


@pytest.fixture(autouse=True)
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record warnings instead of blocking on a modal dialog."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


def make_window(qtbot, model: Path | None = None) -> MainWindow:
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0], initial_model=model)
    qtbot.addWidget(window)
    window.show()
    return window


def save_recent(*paths: Path | str, load_last: bool = True) -> None:
    store = SettingsStore()
    settings = store.load()[0]
    recent = tuple(str(p) for p in paths)
    store.save(replace(settings, models=ModelsConfig(recent=recent, load_last=load_last)))


def wait_loaded(qtbot, window: MainWindow, path: Path) -> None:
    """Wait until ``path`` is loaded and its request has ended."""
    qtbot.waitUntil(
        lambda: (
            window.kernel.model_info is not None
            and window.kernel.model_info.path == path
            and window._loading is None
        ),
        timeout=60_000,
    )


def recent_entries(window: MainWindow) -> list[str]:
    """The File › Open Recent entries' texts, the Clear entry last."""
    return [a.text() for a in window.recent_menu.actions() if not a.isSeparator()]


def test_an_opened_file_is_remembered_and_loads_at_the_next_start(
    qtbot, smollm2_path: Path
) -> None:
    win = make_window(qtbot)
    assert win.recent_models() == ()
    assert recent_entries(win) == ["No recent models", "&Clear the list"]
    with qtbot.waitSignal(win.kernel.loaded, timeout=60_000):
        win.open_model(smollm2_path)
    assert win.recent_models() == (str(smollm2_path),)
    assert SettingsStore().load()[0].models.recent == (str(smollm2_path),)
    assert recent_entries(win) == [f"&1 {smollm2_path.name}", "&Clear the list"]
    win.close()

    again = make_window(qtbot)  # the same settings file: the last model loads by itself
    try:
        assert isinstance(again.current_page(), ChatPage)
        with qtbot.waitSignal(again.kernel.loaded, timeout=60_000) as loaded:
            pass
        assert loaded.args[0].path == smollm2_path
        assert isinstance(again.current_page(), ChatPage)
    finally:
        again.close()


def test_without_load_last_the_welcome_page_lists_the_recent_models(
    qtbot, smollm2_path: Path, gemma3_path: Path
) -> None:
    save_recent(smollm2_path, gemma3_path, load_last=False)
    win = make_window(qtbot)
    try:
        assert win.kernel.model_info is None and win.current_page() is win.welcome
        assert win.welcome.recent_paths() == [str(smollm2_path), str(gemma3_path)]
        assert win.welcome.recent.accessibleName() == "Recent models"
        assert win.welcome.recent_label.buddy() is win.welcome.recent
        # a click on an entry loads it, and it moves to the top
        rect = win.welcome.recent.visualItemRect(win.welcome.recent.item(1))
        qtbot.mouseClick(
            win.welcome.recent.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
        wait_loaded(qtbot, win, gemma3_path)
        assert isinstance(win.current_page(), ChatPage)
        assert win.recent_models() == (str(gemma3_path), str(smollm2_path))
        assert win.welcome.recent_paths() == [str(gemma3_path), str(smollm2_path)]
        # File › Open Recent › 2 loads the other one
        entries = [a for a in win.recent_menu.actions() if a.text().startswith("&2 ")]
        assert entries and entries[0].text() == f"&2 {smollm2_path.name}"
        assert entries[0].toolTip() == str(smollm2_path)
        entries[0].trigger()
        wait_loaded(qtbot, win, smollm2_path)
        assert win.recent_models() == (str(smollm2_path), str(gemma3_path))
    finally:
        win.close()


def test_the_welcome_list_works_from_the_keyboard(qtbot, gemma3_path: Path) -> None:
    save_recent(gemma3_path, load_last=False)
    win = make_window(qtbot)
    try:
        win.activateWindow()
        win.welcome.recent.setFocus()
        with qtbot.waitSignal(win.kernel.loaded, timeout=60_000):
            qtbot.keyClick(win.welcome.recent, Qt.Key.Key_Return)
        assert win.kernel.model_info is not None and win.kernel.model_info.path == gemma3_path
    finally:
        win.close()


def test_a_missing_last_model_is_reported_and_dropped(
    qtbot, tmp_path: Path, smollm2_path: Path
) -> None:
    gone = tmp_path / "moved-away.gguf"
    save_recent(gone, smollm2_path)
    win = make_window(qtbot)
    try:
        assert win.kernel.model_info is None and win.current_page() is win.welcome
        note = win.welcome.message.text()
        assert "moved-away.gguf" in note and "no longer" in note
        assert win.recent_models() == (str(smollm2_path),)
        assert SettingsStore().load()[0].models.recent == (str(smollm2_path),)
        assert win.welcome.recent_paths() == [str(smollm2_path)]
    finally:
        win.close()


def test_a_missing_recent_file_is_greyed_then_dropped_when_chosen(
    qtbot, tmp_path: Path, smollm2_path: Path, warnings_shown: list[str]
) -> None:
    gone = tmp_path / "deleted.gguf"
    save_recent(smollm2_path, gone, load_last=False)
    win = make_window(qtbot)
    try:
        assert recent_entries(win)[1] == "&2 deleted.gguf (not found)"
        assert "not found" in win.welcome.recent.item(1).text()
        win.recent_menu.actions()[1].trigger()
        assert warnings_shown and "deleted.gguf" in warnings_shown[0]
        assert "deleted.gguf" in win.welcome.message.text()
        assert win.recent_models() == (str(smollm2_path),)
        assert recent_entries(win) == [f"&1 {smollm2_path.name}", "&Clear the list"]
        assert win.kernel.model_info is None  # nothing was loaded
        # Clear forgets the rest (the file itself stays)
        clear = win.recent_menu.actions()[-1]
        assert clear.text() == "&Clear the list" and clear.isEnabled()
        clear.trigger()
        assert win.recent_models() == () and SettingsStore().load()[0].models.recent == ()
        assert win.welcome.recent_paths() == [] and not win.welcome.recent.isVisibleTo(win)
        assert smollm2_path.exists()
    finally:
        win.close()


def test_a_model_given_at_start_wins_over_the_last_one(
    qtbot, smollm2_path: Path, gemma3_path: Path
) -> None:
    save_recent(smollm2_path)
    win = make_window(qtbot, model=gemma3_path)
    try:
        with qtbot.waitSignal(win.kernel.loaded, timeout=60_000) as loaded:
            pass
        assert loaded.args[0].path == gemma3_path
        wait_loaded(qtbot, win, gemma3_path)
        assert win.recent_models() == (str(gemma3_path), str(smollm2_path))
    finally:
        win.close()


def test_conversations_are_in_view_before_a_model_is_loaded(qtbot) -> None:
    conversations = ConversationStore()
    conversations.create("Trip to Lisbon")
    conversations.close()
    win = make_window(qtbot)
    try:
        assert win.kernel.model_info is None and win.current_page() is win.welcome
        qtbot.waitUntil(lambda: "chat" in win.pages.built(), timeout=10_000)
        chat = win.pages["chat"]
        assert isinstance(chat, ChatPage) and win.welcome.chat is chat
        qtbot.waitUntil(chat.conversations.items.isVisible, timeout=10_000)
        titles = [
            chat.conversations.items.item(i).text() for i in range(chat.conversations.items.count())
        ]
        assert any("Trip to Lisbon" in t for t in titles), titles
        # another tool's welcome does not show the chat; back on Chat it is there again
        win.show_page("write")
        assert win.current_page() is win.welcome and not chat.isVisible()
        win.show_page("chat")
        assert win.welcome.chat is chat and chat.isVisible()
    finally:
        win.close()


def test_the_opened_file_shows_under_installed_as_a_link(qtbot, smollm2_path: Path) -> None:
    win = make_window(qtbot)
    try:
        with qtbot.waitSignal(win.kernel.loaded, timeout=60_000):
            win.open_model(smollm2_path)
        win.show_page("models")
        installed = win.models_page.installed

        def listed() -> bool:
            installed.refresh()
            return any(m.imported_from == str(smollm2_path) for m in installed.models)

        qtbot.waitUntil(listed, timeout=30_000)
        (model,) = installed.models
        assert model.path.is_symlink() and model.path.resolve() == smollm2_path.resolve()
        assert model.origin == f"path:{smollm2_path}" and model.architecture == "llama"
        # loading the listed entry keeps one recent entry: the file, not its link
        with qtbot.waitSignal(win.kernel.loaded, timeout=60_000):
            win.open_model(model.path)
        assert win.recent_models() == (str(smollm2_path),)
    finally:
        win.close()


def test_the_load_last_setting_is_on_the_settings_page(qtbot, smollm2_path: Path) -> None:
    save_recent(smollm2_path, load_last=False)
    win = make_window(qtbot)
    try:
        page = win.settings_page
        box = page.load_last_model
        assert not box.isChecked() and box.accessibleName() and box.toolTip()
        box.setChecked(True)
        assert page.apply()
        saved = SettingsStore().load()[0]
        assert saved.models == ModelsConfig(recent=(str(smollm2_path),), load_last=True)
        assert win.settings.models.load_last
        page.restore_button.click()
        assert box.isChecked()  # the default is on
    finally:
        win.close()
