"""The main window with the real kernel and engine (SmolLM2), under pytest-qt."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.shell.home_pages import recommend_entry
from llmasos.apps.gui.shell.window import MainWindow
from llmasos.apps.gui.translate.page import TranslatePage
from llmasos.foundation.models.catalog import load_catalog
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel


def _streamed(page) -> str:
    """The reply text shown so far (the last message in the transcript)."""
    widgets = page.transcript.widgets
    return widgets[-1].text if widgets and widgets[-1].message.role == "assistant" else ""


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record warnings instead of blocking on a modal dialog."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


def make_window(qtbot, model: Path | None = None) -> MainWindow:
    store = SettingsStore()
    settings, _ = store.load()
    window = MainWindow(Kernel(), store, settings, initial_model=model)
    qtbot.addWidget(window)
    window.show()
    return window


def open_and_wait(qtbot, win: MainWindow, path: Path) -> None:
    """Open ``path`` and wait until the load request has fully ended (its `finished`)."""
    with qtbot.waitSignal(
        win.kernel.finished, timeout=60_000, check_params_cb=lambda _i, stats: stats is None
    ):
        win.open_model(path)


def wait_page(qtbot, page) -> None:
    """Wait until ``page``'s request ended."""
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)


@pytest.fixture
def window(qtbot, smollm2_path: Path) -> Iterator[MainWindow]:
    win = make_window(qtbot)
    open_and_wait(qtbot, win, smollm2_path)
    yield win
    win.close()


def test_first_run_bad_file_then_good_file(
    qtbot, tmp_path: Path, smollm2_path: Path, no_modal_dialogs: list[str]
) -> None:
    win = make_window(qtbot)
    try:
        assert win.current_page() is win.welcome
        assert "Recommended" in win.welcome.recommendation.text()
        bad = tmp_path / "saved-page.gguf"
        bad.write_text("<!DOCTYPE html><html>Sign in</html>")
        with qtbot.waitSignal(win.kernel.load_failed, timeout=30_000):
            win.open_model(bad)
        assert no_modal_dialogs and "web page" in no_modal_dialogs[0]
        assert "web page" in win.welcome.message.text()
        with qtbot.waitSignal(win.kernel.loaded, timeout=60_000):
            win.open_model(smollm2_path)
        assert isinstance(win.current_page(), ChatPage)
        assert "Q4_1" in win.status.model.text()
    finally:
        win.close()


def test_chat_streams_and_keyboard_sends(qtbot, window: MainWindow) -> None:
    window.show_page("chat")
    page = window.current_page()
    assert isinstance(page, ChatPage)
    page.input.setPlainText("Say hello in one sentence.")
    qtbot.keyClick(page.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert page.request_id is not None
    wait_page(qtbot, page)
    assert page.transcript.toPlainText().startswith("You: Say hello in one sentence.")
    assert page.history[-1].role == "assistant" and page.history[-1].content.strip()
    assert "tokens/s" in page.status.text()


def test_stop_keeps_partial_and_app_stays_usable(qtbot, window: MainWindow) -> None:
    page = window.pages["chat"]
    assert isinstance(page, ChatPage)
    window.show_page("chat")
    page.input.setPlainText("Write a very long story about the sea.")
    page.submit()
    qtbot.waitUntil(lambda: len(_streamed(page)) > 10, timeout=60_000)
    with qtbot.waitSignal(window.kernel.cancelled, timeout=30_000):
        window.status.stop.click()
    assert page.history[-1].role == "assistant" and "Stopped" in page.status.text()


def test_tool_windows_share_the_kernel_and_restore(qtbot, window: MainWindow) -> None:
    tw = window.open_tool_window("translate")
    assert isinstance(tw.page, TranslatePage) and tw.page.kernel is window.kernel
    tw.page.source.setPlainText("Good morning")
    tw.page.run()
    wait_page(qtbot, tw.page)
    assert tw.page.result.toPlainText().strip()
    window.save_state()
    assert SettingsStore().load()[0].open_windows == ("translate",)
    tw.page.source.setPlainText("A long text " * 20)
    tw.page.run()
    with qtbot.waitSignal(window.kernel.cancelled, timeout=30_000):
        tw.close()  # closing a window cancels its requests
    again = make_window(qtbot)
    try:
        assert [w.tool for w in again.tool_windows] == ["translate"]
    finally:
        again.close()


def test_closing_when_the_settings_cannot_be_written_still_stops_everything(qtbot) -> None:
    """A full disk or a settings path that is not a file must not stop the close half way
    (before, the exception left the kernel's worker running)."""
    win = make_window(qtbot)
    win.open_tool_window("translate")  # the open windows have changed: close saves them
    win.store.path.unlink(missing_ok=True)
    win.store.path.mkdir(parents=True)  # os.replace onto a folder fails: IsADirectoryError
    win.close()
    assert not win.isVisible()
    with pytest.raises(RuntimeError, match="shut down"):  # the close went on to the kernel
        win.kernel.submit(lambda _engine, _cancel: iter(()))


def test_navigation_shortcuts(qtbot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.pages["knowledge"]  # needs no model
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.pages["models"]
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.pages["settings"]
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.pages["write"]


def test_recommendation_follows_memory() -> None:
    entries = load_catalog()
    small = recommend_entry(entries, 2 * 2**30)
    big = recommend_entry(entries, 64 * 2**30)
    assert small is not None and big is not None and small.params_b < big.params_b
    assert recommend_entry(entries, 10 * 2**20) is None


DRIVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from llmasos.apps.gui.shell.main import run_app
    from llmasos.apps.gui.shell.window import MainWindow

    app = QApplication(sys.argv[:1])

    def drive():
        win = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        def on_loaded(_info):
            page = win.pages["chat"]
            page.input.setPlainText("Hello!")
            page.submit()
        def on_finished(_rid, stats):
            print("generated", stats.completion_tokens, flush=True)
            win.close()
        win.kernel.loaded.connect(on_loaded)
        win.kernel.finished.connect(on_finished)

    QTimer.singleShot(0, drive)
    sys.exit(run_app(model=Path(sys.argv[1])))
    """
)


def test_real_app_generates_then_quits_with_status_0(smollm2_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(smollm2_path)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("generated ")
