"""LLMasOS everywhere (issue 16): the tray and the Ask box.

The Ask box runs in the real app under Xvfb, driven by real key presses (xdotool) and
answered by the real SmolLM2; the tray's menu and the close-to-tray rule are checked in
process (a bare X server has no tray host to show an icon in).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.xdesktop import App, start_xvfb, state, wait_for, xclip_get, xclip_set, xdotool


@pytest.fixture
def xvfb(llmasos_home: Path) -> Iterator[dict[str, str]]:
    with start_xvfb(llmasos_home) as env:
        yield env


def _ask(predicate, timeout_s: float, what: str) -> dict:  # type: ignore[no-untyped-def]
    def check() -> dict | None:
        s = state()
        return s["ask"] if s and predicate(s["ask"]) else None

    return wait_for(check, timeout_s, what)


@pytest.mark.real_model
def test_ask_box_streams_an_answer_copies_it_and_closes(
    xvfb: dict[str, str], smollm2_path: Path
) -> None:
    xclip_set(xvfb, "clipboard", b"before")
    app = App(xvfb, "--model", str(smollm2_path))
    try:
        wait_for(lambda: (s := state()) and s["model"], 90, "the model to load")
        xclip_set(xvfb, "primary", b"Paris is the capital of France.")
        xdotool(xvfb, "key", "ctrl+alt+space")
        ask = _ask(lambda a: a["visible"], 30, "the Ask box")
        assert ask["context"] == "Paris is the capital of France." and ask["question"] == ""

        xdotool(xvfb, "type", "--delay", "20", "What city is named?")
        _ask(lambda a: a["question"] == "What city is named?", 20, "the typed question")
        xdotool(xvfb, "key", "Return")
        ask = _ask(lambda a: a["answer"] and not a["busy"], 180, "the answer")
        assert ask["status"].startswith("Done")

        xdotool(xvfb, "key", "ctrl+c")
        wait_for(lambda: xclip_get(xvfb, "clipboard").decode() == ask["answer"], 10, "the copy")
        xdotool(xvfb, "key", "Escape")
        _ask(lambda a: not a["visible"], 10, "the Ask box to close")
    finally:
        app.clean_up()


def test_do_ask_opens_the_ask_box_with_the_selection(xvfb: dict[str, str]) -> None:
    import subprocess
    import sys

    app = App(xvfb)
    try:
        xclip_set(xvfb, "primary", b"some selected words")
        done = subprocess.run(
            [sys.executable, "-m", "llmasos", "do", "ask"],
            env=xvfb,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        ask = _ask(lambda a: a["visible"], 30, "the Ask box")
        assert ask["context"] == "some selected words"
        s = state() or {}
        assert not s["popup"].get("visible")
        # how long reading the selection took, for bench/everywhere.py
        assert s["capture"]["chars"] == len("some selected words") and s["capture"]["ms"] > 0
    finally:
        app.clean_up()


# -- in process ------------------------------------------------------------------------------
@pytest.fixture
def everywhere(idle_everywhere):  # type: ignore[no-untyped-def]
    return idle_everywhere


def test_tray_menu_and_close_to_tray(everywhere, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from PySide6.QtGui import QIcon

    from llmasos.apps.gui.everywhere.tray import Tray

    everywhere.start_tray(QIcon())
    tray = everywhere.tray
    texts = [a.text() for a in tray.actions]
    assert texts[-2:] == ["Show &LLMasOS", "&Quit"] and "&Ask…" in texts
    assert tray.menu.accessibleName()

    asked: list[str] = []
    monkeypatch.setattr(everywhere, "open_ask", asked.append)
    tray.actions[texts.index("&Ask…")].trigger()
    assert asked == [""] or len(asked) == 1  # the selection (none in process)

    assert not everywhere.keeps_running_on_close()  # no tray host here: the app quits
    monkeypatch.setattr(Tray, "is_shown", property(lambda self: True))
    told: list[int] = []
    monkeypatch.setattr(tray, "explain", lambda: told.append(1))
    remembered: list[int] = []
    everywhere.on_tray_explained = lambda: remembered.append(1)
    assert everywhere.keeps_running_on_close() and everywhere.keeps_running_on_close()
    assert told == [1] and remembered == [1]  # said the first time only
    everywhere.config = replace(everywhere.config, keep_in_tray=False)
    assert not everywhere.keeps_running_on_close()


def test_tray_and_ask_box_speak_chinese(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    import re

    from PySide6.QtGui import QIcon

    from llmasos.apps.gui.common.i18n import install_translator
    from llmasos.apps.gui.everywhere.ask import AskBox
    from llmasos.apps.gui.everywhere.tray import Tray
    from llmasos.kernel.kernel import Kernel

    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert install_translator(qapp, "zh_CN")
    kernel = Kernel()
    try:
        tray = Tray(QIcon())
        assert all(cjk.search(a.text()) for a in tray.actions), [a.text() for a in tray.actions]
        box = AskBox(kernel)
        qtbot.addWidget(box)
        box.open("上下文")
        assert cjk.search(box.question.placeholderText()) and cjk.search(box.windowTitle())
        tray.close()
    finally:
        install_translator(qapp, "en")
        kernel.shutdown(timeout_s=10.0)


def test_ask_box_without_a_model_and_its_keys(qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit

    from llmasos.apps.gui.everywhere.ask import AskBox
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    box = AskBox(kernel)
    qtbot.addWidget(box)
    try:
        box.open("the selection")
        assert box.isVisible() and "the selection" in box.context_label.text()
        assert box.windowFlags() & Qt.WindowType.FramelessWindowHint
        qtbot.keyClicks(box.question, "Why?")
        qtbot.keyClick(box.question, Qt.Key.Key_Return)
        assert "No model is loaded" in box.status.text()
        box.answer.setPlainText("an answer")
        qtbot.keyClick(box.question, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        assert QGuiApplication.clipboard().text() == "an answer"
        for kind in (QLabel, QLineEdit, QPlainTextEdit):
            for widget in box.findChildren(kind):
                assert widget.accessibleName(), widget
        qtbot.keyClick(box.question, Qt.Key.Key_Escape)
        assert not box.isVisible()
    finally:
        kernel.shutdown(timeout_s=10.0)


def test_the_shell_registers_shortcuts_from_settings_and_shows_problems(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    """Settings > Apply re-registers the shortcuts; what does not work shows in Settings.

    Offscreen there is no X: every shortcut comes back as needing the desktop's settings,
    which is what the page must show (with the command to bind).
    """
    from PySide6.QtGui import QKeySequence

    from llmasos.apps.gui.shell.main import Started, _serve_everywhere
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    store = SettingsStore()
    window = MainWindow(kernel, store, store.load()[0])
    qtbot.addWidget(window)
    everywhere = _serve_everywhere(Started(qapp, kernel, window))
    try:
        assert window.close_to_tray is not None
        assert [r.shortcut for r in everywhere.hotkeys.reports] == [
            "Ctrl+Alt+T",
            "Ctrl+Alt+W",
            "Ctrl+Alt+Space",
            "Ctrl+Alt+O",
        ]
        page = window.settings_page
        assert not page.hotkey_status.isHidden()
        assert "llmasos do proofread" in page.hotkey_status.text()

        page.hotkey_proofread.setKeySequence(QKeySequence("Ctrl+Alt+F8"))
        assert page.apply()
        assert "Ctrl+Alt+F8" in [r.shortcut for r in everywhere.hotkeys.reports]
        assert "Ctrl+Alt+F8" in page.hotkey_status.text()
        assert store.load()[0].everywhere.hotkey_proofread == "Ctrl+Alt+F8"
    finally:
        window.close_to_tray = None
        everywhere.close()
        window.close()


def test_ask_box_continues_in_chat(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    """After an answer, *Continue in Chat* (the button, then Ctrl+Shift+Enter) hides the box
    and shows the Chat page in a new conversation holding the question (with the selection
    it was about) and the answer; wired as the app wires it (main.py)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from llmasos.apps.gui.shell.main import Started, _serve_everywhere
    from llmasos.apps.gui.shell.window import PAGES, MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    store = SettingsStore()
    window = MainWindow(kernel, store, store.load()[0])
    qtbot.addWidget(window)
    everywhere = _serve_everywhere(Started(qapp, kernel, window))
    try:
        box = everywhere.ask_box
        box.open("Paris is the capital of France.")
        qtbot.keyClicks(box.question, "Which city?")
        qtbot.keyClick(box.question, Qt.Key.Key_Return)
        box._request = 21  # as a queued request would be (no model here)
        assert box.continue_button.isHidden()  # nothing to continue yet
        kernel.tokens.emit(21, " Paris. ")
        kernel.finished.emit(21, None)
        assert box.state()["can_continue"] and box.continue_button.accessibleName()
        box.continue_button.click()

        chat = window.pages["chat"]
        assert not box.isVisible() and window.isVisible()
        assert window.sidebar.currentRow() == PAGES.index("chat")
        conv = chat.store.get(chat.conversation_id)
        messages = chat.store.messages(conv.id)
        assert [(m.role, m.status) for m in messages] == [("user", "done"), ("assistant", "done")]
        assert "Which city?" in messages[0].content and "capital of France" in messages[0].content
        assert messages[1].content == "Paris." and conv.title == "Which city?"
        assert [w.text for w in chat.transcript.widgets] == [m.content for m in messages]

        box.open("")  # the shortcut, in a box with no selection: another conversation
        qtbot.keyClicks(box.question, "Why?")
        qtbot.keyClick(box.question, Qt.Key.Key_Return)
        box._request = 22
        kernel.tokens.emit(22, "Because.")
        kernel.finished.emit(22, None)
        box.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=5000)
        modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        qtbot.keyClick(box.question, Qt.Key.Key_Return, modifiers)
        assert chat.conversation_id != conv.id
        assert [m.content for m in chat.store.messages(chat.conversation_id)] == [
            "Why?",
            "Because.",
        ]
    finally:
        window.close_to_tray = None
        everywhere.close()
        window.close()
        kernel.shutdown(timeout_s=10.0)
