"""LLMasOS everywhere (issue 16, first slice): one instance per user, ``llmasos do``,
the PRIMARY selection read without touching the CLIPBOARD, the streaming popup.

The process tests start the real ``llmasos`` in child processes; the X11 ones start a
real Xvfb, own PRIMARY and CLIPBOARD with ``xclip`` (a separate X client) and run the
app on Qt's xcb platform.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.xdesktop import App, start_xvfb
from helpers.xdesktop import socket_file as _socket_file
from helpers.xdesktop import state as _state
from helpers.xdesktop import wait_for as _wait
from helpers.xdesktop import xclip_get as _xclip_get
from helpers.xdesktop import xclip_set as _xclip_set
from llmasos.apps.cli.main import build_parser
from llmasos.services.everywhere.prompts import (
    action_messages,
    action_params,
    translation_request,
)
from llmasos.services.everywhere.protocol import (
    VERSION,
    ProtocolError,
    check_request,
    decode,
    encode,
    server_name,
)

LLMASOS = [sys.executable, "-m", "llmasos"]


# -- the protocol and the prompts (no Qt) -------------------------------------------
def test_protocol_round_trip_and_checks() -> None:
    line = encode({"cmd": "do", "action": "translate", "to": "zh"})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    data = decode(line.strip())
    assert data["v"] == VERSION and check_request(data)["action"] == "translate"
    for bad in (b"not json", b"[1]", b'{"cmd": "show"}', b'{"v": 99, "cmd": "show"}'):
        with pytest.raises(ProtocolError):
            decode(bad)
    for request in ({"cmd": "nope"}, {"cmd": "do", "action": "dance"}, {"cmd": "open_model"}):
        with pytest.raises(ProtocolError):
            check_request({"v": 1, **request})


def test_server_name_is_per_user_and_per_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMASOS_HOME", "/a")
    first = server_name()
    monkeypatch.setenv("LLMASOS_HOME", "/b")
    assert server_name() != first and server_name().startswith(f"llmasos-{os.getuid()}-")
    monkeypatch.delenv("LLMASOS_HOME")
    assert server_name() == f"llmasos-{os.getuid()}"


def test_action_messages() -> None:
    assert action_messages("ask", "Why is the sky blue?")[-1].content == "Why is the sky blue?"
    for action in ("proofread", "rewrite", "summarize", "explain"):
        assert "<text>\nsome text\n</text>" in action_messages(action, "some text")[-1].content
    from llmasos.errors import UnknownLanguageError, WritingError

    # translate is the translator's request (one prompt for it, the Translate window's)
    request = translation_request("Bonjour\nMonsieur", to="zh", attempt=2)
    assert (request.text, request.target, request.keep_lines) == ("Bonjour\nMonsieur", "zh", True)
    assert request.params == action_params("translate", 2)
    assert translation_request("Hallo").target == "en"
    # text already in the target language goes into another, as in the Translate window:
    # back to the language last translated from, or Chinese <-> English
    chinese, english = "今天天气很好，我们去公园散步吧。", "Thank you for your email."
    assert translation_request(chinese, to="zh").target == "en"
    assert translation_request(chinese, to="zh-Hant", last_source="fr").target == "fr"
    assert translation_request(english, to="en").target == "zh-Hans"
    assert translation_request(english, to="zh").target == "zh"  # not the same: as asked
    assert translation_request("你好", to="zh").target == "zh"  # detection unsure: as asked
    with pytest.raises(WritingError):
        action_messages("translate", "x", to="zh")
    with pytest.raises(UnknownLanguageError):
        translation_request("x", to="klingon")


def test_do_command_parses() -> None:
    args = build_parser().parse_args(["do", "translate", "--to", "zh"])
    assert (args.action, args.to, args.tone) == ("translate", "zh", "formal")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["do", "dance"])


# -- real processes -------------------------------------------------------------------
@pytest.fixture
def offscreen_env(llmasos_home: Path) -> dict[str, str]:
    return {**os.environ, "LLMASOS_HOME": str(llmasos_home), "QT_QPA_PLATFORM": "offscreen"}


def test_a_second_start_hands_over_and_exits(offscreen_env: dict[str, str]) -> None:
    app = App(offscreen_env)
    try:
        start = time.monotonic()
        second = subprocess.run(
            LLMASOS, env=offscreen_env, capture_output=True, text=True, timeout=30
        )
        assert second.returncode == 0, second.stderr
        assert time.monotonic() - start < 10  # it did not open a window of its own
        state = _state()
        assert state is not None and state["handled"] == ["show"]  # the first one got it
        assert app.proc.poll() is None
    finally:
        app.clean_up()


def test_a_stale_socket_left_by_a_crash_is_replaced(offscreen_env: dict[str, str]) -> None:
    app = App(offscreen_env)
    app.stop(signal.SIGKILL)  # no clean-up: the socket file stays behind
    assert _socket_file().exists() and _state() is None
    again = App(offscreen_env)  # starts normally and listens again
    try:
        state = _state()
        assert state is not None and state["handled"] == []
    finally:
        again.clean_up()


def test_do_no_start_without_a_running_app_fails_clearly(offscreen_env: dict[str, str]) -> None:
    proc = subprocess.run(
        [*LLMASOS, "do", "explain", "--no-start"],
        env=offscreen_env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("error: LLMasOS is not running")


def _stop_started_app() -> None:
    """End the app ``llmasos do`` started (detached, so not our child): by its pid."""
    state = _wait(_state, 60, "the started app")
    os.kill(state["pid"], signal.SIGTERM)
    _wait(lambda: _state() is None, 30, "the started app to end")
    _socket_file().unlink(missing_ok=True)


def test_do_starts_the_app_and_hands_the_request_over(offscreen_env: dict[str, str]) -> None:
    try:
        proc = subprocess.run(
            [*LLMASOS, "do", "explain"],
            env=offscreen_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert "not running; starting it" in proc.stderr
        state = _wait(lambda: (s := _state()) and s["popup"].get("visible") and s, 30, "popup")
        assert state["handled"] == ["do"] and state["popup"]["action"] == "explain"
    finally:
        _stop_started_app()


def test_do_says_when_the_app_cannot_start(offscreen_env: dict[str, str]) -> None:
    broken = {**offscreen_env, "QT_QPA_PLATFORM": "no-such-platform"}
    proc = subprocess.run(
        [*LLMASOS, "do", "explain"], env=broken, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: LLMasOS exited at start") and "--debug" in last

    try:  # too short a wait: said, and the app goes on starting
        proc = subprocess.run(
            [*LLMASOS, "do", "explain", "--start-timeout", "0.2"],
            env=offscreen_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1
        assert "error: LLMasOS did not start within 0.2 s" in proc.stderr
    finally:
        _stop_started_app()


# -- a real X server ------------------------------------------------------------------
@pytest.fixture
def xvfb(llmasos_home: Path) -> Iterator[dict[str, str]]:
    """A private Xvfb; the environment that points the app (xcb) and xclip at it."""
    with start_xvfb(llmasos_home) as env:
        yield env


def _do(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LLMASOS, "do", *args], env=env, capture_output=True, text=True, timeout=30
    )


CLIPBOARD = "clipboard: naïve café 🙂\ttab\nsecond line".encode()


def test_selection_is_read_and_the_clipboard_left_alone(xvfb: dict[str, str]) -> None:
    _xclip_set(xvfb, "clipboard", CLIPBOARD)
    _xclip_set(xvfb, "primary", "The selected words 🙂".encode())
    assert _xclip_get(xvfb, "clipboard") == CLIPBOARD
    app = App(xvfb)
    try:
        done = _do(xvfb, "explain")
        assert done.returncode == 0, done.stderr
        state = _wait(lambda: (s := _state()) and s["popup"].get("visible") and s, 20, "the popup")
        assert state["popup"]["source"] == "The selected words 🙂"
        assert "No model is loaded" in state["popup"]["status"]  # no model in this test
        assert _xclip_get(xvfb, "clipboard") == CLIPBOARD  # byte for byte

        _xclip_set(xvfb, "primary", b"")  # an empty selection
        assert _do(xvfb, "summarize").returncode == 0
        state = _wait(
            lambda: (s := _state()) and s["popup"]["action"] == "summarize" and s, 20, "rerun"
        )
        assert state["popup"]["source"] == ""
        assert "Nothing is selected" in state["popup"]["status"]
        assert _xclip_get(xvfb, "clipboard") == CLIPBOARD
    finally:
        app.clean_up()


def test_do_translate_streams_into_the_popup(xvfb: dict[str, str], smollm2_path: Path) -> None:
    _xclip_set(xvfb, "clipboard", CLIPBOARD)
    _xclip_set(xvfb, "primary", b"Good morning. The weather is nice today.")
    app = App(xvfb, "--model", str(smollm2_path))
    try:
        _wait(lambda: (s := _state()) and s["model"], 60, "the model to load")
        done = _do(xvfb, "translate", "--to", "zh")
        assert done.returncode == 0, done.stderr
        state = _wait(
            lambda: (
                (s := _state())
                and s["popup"].get("visible")
                and not s["popup"]["busy"]
                and s["popup"]["status"] != ""
                and s
            ),
            120,
            "the answer",
        )
        popup = state["popup"]
        assert popup["action"] == "translate"
        assert popup["source"] == "Good morning. The weather is nice today."
        assert popup["chunks"] >= 1 and popup["answer"].strip(), popup  # streamed text
        assert _xclip_get(xvfb, "clipboard") == CLIPBOARD
    finally:
        app.clean_up()


# -- the popup itself (in process) -------------------------------------------------------
def test_popup_controls_are_named_and_esc_closes(qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton, QLabel, QPlainTextEdit

    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    popup = ActionPopup(kernel)
    qtbot.addWidget(popup)
    try:
        popup.run("explain", "")
        assert popup.isVisible() and "Nothing is selected" in popup.status.text()
        popup.run("explain", "some text")  # no model loaded: said, nothing queued
        assert "No model is loaded" in popup.status.text() and not popup.state()["busy"]
        flags = popup.windowFlags()
        assert flags & Qt.WindowType.FramelessWindowHint
        assert flags & Qt.WindowType.WindowStaysOnTopHint
        for kind in (QAbstractButton, QLabel, QPlainTextEdit):
            for widget in popup.findChildren(kind):
                assert widget.accessibleName(), widget
        qtbot.keyClick(popup, Qt.Key.Key_Escape)
        assert not popup.isVisible()
    finally:
        kernel.shutdown(timeout_s=10.0)


def test_popup_shows_the_cleaned_answer(qtbot) -> None:
    """The popup keeps what finish_answer makes of the streamed reply (lead-ins, quotes
    and asides gone), not the raw stream, and Replace follows its verdict. The kernel's
    own signals bring the reply (a model would not give these replies on demand)."""
    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    popup = ActionPopup(kernel)
    qtbot.addWidget(popup)
    try:
        popup.can_replace = True
        replies = [
            ('"Good morning."\n[no error, ', "no need to edit]", "Good morning.", True),
            ("I'm sorry, I can't ", "help with that.", "I'm sorry, I can't help with that.", False),
        ]
        for request, (first, rest, shown, usable) in enumerate(replies, start=100):
            popup.run("proofread", "Good morning")  # no model: said, nothing queued
            popup._request, popup._busy = request, True  # as a queued request would be
            kernel.tokens.emit(request, first)
            kernel.tokens.emit(request, rest)
            assert popup.answer.toPlainText() == first + rest  # streamed as it comes
            kernel.finished.emit(request, None)
            assert popup.answer.toPlainText() == shown
            assert popup.replace_button.isEnabled() == usable
            assert (popup.status.text() == "Done.") == usable
        assert "did not do the task" in popup.status.text()
    finally:
        kernel.shutdown(timeout_s=10.0)


def _finish_reply(popup, kernel, request: int, reply: str) -> None:
    """Feed ``reply`` to the popup as the kernel's signals would for a queued request."""
    popup._request, popup._busy = request, True
    kernel.tokens.emit(request, reply)
    kernel.finished.emit(request, None)


def test_an_edit_shows_its_tracked_changes_and_keeps_the_answer(qtbot) -> None:
    """Proofread's finished answer shows as tracked changes (deleted and inserted words
    marked, as in the Write window); the toggle (button or Ctrl+D) shows the plain
    result, which Copy and Replace use. A translation has no changes to show."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    popup = ActionPopup(kernel)
    qtbot.addWidget(popup)
    try:
        popup.can_replace = True
        source, fixed = "We was going to the libary.", "We were going to the library."
        popup.run("proofread", source)
        assert not popup.changes_button.isVisible()  # nothing to compare while it streams
        _finish_reply(popup, kernel, 7, fixed)
        assert popup.changes.isVisible() and not popup.answer.isVisible()
        assert popup.changes_button.isChecked() and popup.changes_button.accessibleName()
        html = popup.changes.toHtml()
        assert "line-through" in html and "underline" in html
        shown = popup.changes.toPlainText()
        assert "was" in shown and "were" in shown and "libary" in shown and "library" in shown
        assert "✓" not in shown  # read only: nothing to accept in the popup
        popup.activateWindow()  # shortcuts work in the active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is popup, timeout=5000)
        qtbot.keyClick(popup.changes_button, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        assert popup.answer.isVisible() and not popup.changes.isVisible()
        assert popup.answer.toPlainText() == fixed
        replaced: list[str] = []
        popup.replace_requested.connect(replaced.append)
        popup.changes_button.click()  # back to the changes: Replace still pastes the answer
        assert popup.changes.isVisible()
        popup.request_replace()
        assert replaced == [fixed]
        popup.copy()
        assert QGuiApplication.clipboard().text() == fixed
        popup.run("translate", "Good morning", "zh")
        _finish_reply(popup, kernel, 8, "早上好")
        assert not popup.changes_button.isVisible() and popup.answer.isVisible()
        assert not popup.changes.isVisible()
    finally:
        kernel.shutdown(timeout_s=10.0)


def test_pickers_run_the_action_again_in_another_language_or_tone(qtbot, qapp) -> None:
    """A translation shows its target language by name (in the UI's language) and a
    language picker; Rewrite a tone picker labelled as in the Write window. Choosing
    another entry with the keyboard runs the action again on the same text."""
    from PySide6.QtCore import Qt

    from llmasos.apps.gui.common.i18n import install_translator
    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    popup = ActionPopup(kernel)
    qtbot.addWidget(popup)
    try:
        popup.run("translate", "Good morning", "zh")
        assert popup.title.text() == "Translate → Simplified Chinese"
        assert popup.language.isVisible() and not popup.tone.isVisible()
        assert popup.language.currentText() == "Simplified Chinese"
        assert popup.language.accessibleName() and popup.tone.accessibleName()
        qtbot.keyClick(popup.language, Qt.Key.Key_Down)  # the next language
        state = popup.state()
        assert (state["action"], state["source"], state["to"]) == (
            "translate",
            "Good morning",
            "zh-Hant",
        )
        assert popup.title.text() == "Translate → Traditional Chinese"

        popup.run("rewrite", "hey, send it now", tone="formal")
        assert popup.tone.isVisible() and not popup.language.isVisible()
        assert popup.tone.currentText() == "Formal"
        qtbot.keyClick(popup.tone, Qt.Key.Key_Down)
        assert popup.state()["tone"] == "friendly" and popup.state()["source"] == "hey, send it now"

        popup.run("proofread", "some text")
        assert not popup.tone.isVisible() and not popup.language.isVisible()

        assert install_translator(qapp, "zh_CN")
        try:
            chinese = ActionPopup(kernel)
            qtbot.addWidget(chinese)
            chinese.run("translate", "Good morning", "fr")
            assert chinese.title.text() == "翻译 → 法语"
            assert chinese.language.currentText() == "法语"
            chinese.run("rewrite", "hey", tone="friendly")
            assert chinese.tone.currentText() == "友好"
            chinese.close()
        finally:
            install_translator(qapp, "en")
    finally:
        kernel.shutdown(timeout_s=10.0)


def test_open_in_write_and_translate_hands_text_and_answer_to_the_main_window(qtbot) -> None:
    """Open in Write (an edit) puts the selection in the Write page with the popup's
    answer as tracked changes to accept; Open in Translate (Ctrl+O) puts the text, the
    target language and the translation in the Translate page. The main window comes
    forward on that page, wired as the app wires it (main.py passes window.open_text)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from llmasos.apps.gui.everywhere.controller import Everywhere
    from llmasos.apps.gui.shell.window import PAGES, MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    store = SettingsStore()
    window = MainWindow(kernel, store, store.load()[0])
    qtbot.addWidget(window)
    where = Everywhere(window, kernel, lambda _path: None, open_text=window.open_text)
    popup = where.popup
    try:
        source, fixed = "We was going to the libary.", "We were going to the library."
        where.run_action("proofread", source)
        _finish_reply(popup, kernel, 11, fixed)
        assert popup.open_button.isVisible() and popup.open_button.accessibleName()
        assert "Write" in popup.open_button.text()
        popup.open_button.click()
        write = window.pages["write"]
        assert not popup.isVisible() and window.isVisible()
        assert window.sidebar.currentRow() == PAGES.index("write")
        assert write.source.toPlainText() == source
        assert write.action_box.currentData() == "proofread"
        assert write.tabs.currentWidget() is write.changes and write.changes.open_changes()
        write.changes.accept_all()
        assert write.source.toPlainText() == fixed

        where.run_action("translate", "Good morning", "fr")
        assert "Translate" in popup.open_button.text()
        _finish_reply(popup, kernel, 12, "Bonjour")
        popup.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is popup, timeout=5000)
        qtbot.keyClick(popup.answer, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
        translate = window.pages["translate"]
        assert window.sidebar.currentRow() == PAGES.index("translate")
        assert translate.source.toPlainText() == "Good morning"
        assert translate.result.toPlainText() == "Bonjour"
        assert translate.target_lang.code() == "fr"

        where.run_action("explain", "some text")  # neither page explains
        assert not popup.open_button.isVisible()
    finally:
        where.close()
        window.close()
        kernel.shutdown(timeout_s=10.0)


def test_a_focus_change_or_close_keeps_the_last_answer(qtbot) -> None:
    """The popup stays up when another window takes the focus; closed, and even after a
    later run cancelled midway, the tray's *Last answer* shows the finished answer again
    (with its changes), Replace off (its window may have changed)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

    from llmasos.apps.gui.everywhere.controller import Everywhere
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    window = QWidget()
    qtbot.addWidget(window)
    where = Everywhere(window, kernel, lambda _path: None)
    popup = where.popup
    try:
        source, fixed = "We was going to the libary.", "We were going to the library."
        where.run_action("proofread", source, source_window=7)
        _finish_reply(popup, kernel, 21, fixed)
        other = QLineEdit()
        qtbot.addWidget(other)
        other.show()
        other.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is other, timeout=5000)
        assert popup.isVisible() and popup.answer.toPlainText() == fixed  # not hidden

        popup.close()  # Esc
        where.run_action("translate", "Good night", "zh")
        popup._request, popup._busy = 22, True
        kernel.tokens.emit(22, "晚")  # half an answer, then closed: cancelled
        popup.close()
        assert not popup.isVisible()

        where.start_tray(QIcon())
        tray = where.tray
        texts = [a.text() for a in tray.actions]
        tray.actions[texts.index("&Last answer")].trigger()
        assert popup.isVisible() and popup.answer.toPlainText() == fixed
        assert popup.state()["action"] == "proofread" and popup.state()["source"] == source
        assert popup.changes.isVisible() and "library" in popup.changes.toPlainText()
        assert not popup.replace_button.isEnabled() and "last answer" in popup.status.text()
    finally:
        where.close()
        kernel.shutdown(timeout_s=10.0)


def test_retry_asks_for_another_answer_a_new_run_starts_over(qtbot) -> None:
    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    popup = ActionPopup(kernel)
    qtbot.addWidget(popup)
    try:
        popup.run("translate", "Hello", "zh")  # no model: said, nothing queued
        assert popup._attempt == 0
        popup.retry()
        popup.retry()
        assert popup._attempt == 2 and popup.state()["source"] == "Hello"
        popup.run("translate", "Good night", "zh")
        assert popup._attempt == 0
    finally:
        kernel.shutdown(timeout_s=10.0)
