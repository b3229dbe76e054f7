"""Text in images in the running app (issue 16): the screen-region picker, OCR on a worker,
the popup with the recognized text and its follow-up actions, and ``llmasos do ACTION``
acting on the clipboard's image when nothing is selected.

The desktop tests run the real app in a child process on a private Xvfb, with a second
real application showing known text; the drag over the overlay is xdotool's mouse. The
in-process ones use the offscreen platform. OCR is the real RapidOCR everywhere.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.ocr_images import LINES_EN, LINES_ZH, cer, render
from helpers.xdesktop import App, start_xvfb
from helpers.xdesktop import state as _state
from helpers.xdesktop import wait_for as _wait
from helpers.xdesktop import xclip_get as _xclip_get
from helpers.xdesktop import xclip_set as _xclip_set
from helpers.xdesktop import xdotool as _xdotool

LLMASOS = [sys.executable, "-m", "llmasos"]
HELPERS = Path(__file__).resolve().parent.parent / "helpers"
LINES = [LINES_EN[0], LINES_ZH[0]]


@pytest.fixture
def xvfb(llmasos_home: Path) -> Iterator[dict[str, str]]:
    with start_xvfb(llmasos_home) as env:
        yield env


def _do(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [*LLMASOS, "do", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def _popup(predicate: Any, timeout_s: float, what: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        state = _state()
        return state if state and state["popup"].get("visible") and predicate(state) else None

    result: dict[str, Any] = _wait(check, timeout_s, what)
    return result


class LabelApp:
    """The second application: a window with :data:`LINES` at (x, y)."""

    def __init__(self, env: dict[str, str], x: int, y: int) -> None:
        self.x, self.y = x, y
        self.proc = subprocess.Popen(
            [sys.executable, str(HELPERS / "label_app.py"), str(x), str(y), *LINES],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        kind, width, height = self.proc.stdout.readline().split()  # blocks until shown
        assert kind == "ready"
        self.width, self.height = int(width), int(height)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def test_region_ocr_from_do_and_the_hotkey_shows_the_text(xvfb: dict[str, str]) -> None:
    app = App(xvfb)
    label = LabelApp(xvfb, 80, 480)  # mapped after the main window: on top (no WM here)
    try:
        state = _wait(_state, 20, "the app")
        assert {"action": "ocr", "shortcut": "Ctrl+Alt+O", "status": "ok"}.items() <= next(
            h for h in state["hotkeys"] if h["action"] == "ocr"
        ).items()
        # the hotkey opens the picker; Esc closes it without recognizing anything
        _xdotool(xvfb, "key", "ctrl+alt+o")
        _wait(lambda: (s := _state()) and s["region"]["visible"], 20, "the picker (hotkey)")
        _xdotool(xvfb, "key", "Escape")
        _wait(lambda: (s := _state()) and not s["region"]["visible"], 20, "the picker to close")
        assert not _state()["popup"].get("visible")  # type: ignore[index]

        _do(xvfb, "ocr")
        _wait(lambda: (s := _state()) and s["region"]["visible"], 20, "the picker (do)")
        # the label's own white margin, none of the windows around it
        left, top = label.x + 4, label.y + 4
        right, bottom = label.x + label.width - 4, label.y + label.height - 4
        _xdotool(xvfb, "mousemove", str(left), str(top), "mousedown", "1")
        _xdotool(xvfb, "mousemove", str((left + right) // 2), str((top + bottom) // 2))
        _xdotool(xvfb, "mousemove", str(right), str(bottom), "mouseup", "1")
        state = _popup(lambda s: s["popup"]["action"] == "ocr" and s["ocr"], 120, "OCR")
        answer = state["popup"]["answer"]
        assert "error" not in state["ocr"], state["ocr"]
        assert cer("\n".join(LINES), answer) <= 0.05, answer
        assert len(answer.splitlines()) == 2, answer  # the line structure is kept
        assert "recognized" in state["popup"]["status"] and state["ocr"]["lines"] == 2
        assert not state["region"]["visible"]
    finally:
        app.clean_up()
        label.stop()


def test_do_translate_reads_the_clipboard_image_and_leaves_it(xvfb: dict[str, str]) -> None:
    png = render(LINES)
    _xclip_set(xvfb, "clipboard", png, "image/png")
    app = App(xvfb)
    try:
        _do(xvfb, "translate", "--to", "zh")
        state = _popup(lambda s: s["popup"]["action"] == "translate", 120, "the translate popup")
        source = state["popup"]["source"]
        assert cer("\n".join(LINES), source) <= 0.05, source
        assert "No model is loaded" in state["popup"]["status"]  # no model in this test
        assert _xclip_get(xvfb, "clipboard", "image/png") == png  # byte for byte
    finally:
        app.clean_up()


# -- in process ------------------------------------------------------------------------------
@pytest.fixture
def everywhere(idle_everywhere: Any) -> Any:
    return idle_everywhere


def _image(lines: list[str]) -> Any:
    from PySide6.QtGui import QImage

    image = QImage()
    assert image.loadFromData(render(lines))
    return image


def test_recognized_text_opens_in_the_popup_with_follow_up_actions(
    everywhere: Any, qtbot: Any
) -> None:
    popup = everywhere.popup
    everywhere.screen_ocr.read(_image(LINES))
    assert popup.isVisible() and "Recognizing" in popup.status.text()
    qtbot.waitUntil(lambda: popup.answer.toPlainText() != "", timeout=120_000)
    assert cer("\n".join(LINES), popup.answer.toPlainText()) <= 0.05
    buttons = popup.follow_buttons
    assert all(b.isVisible() and b.accessibleName() for b in buttons.values())
    assert not popup.replace_button.isEnabled() and not popup.retry_button.isVisible()

    buttons["translate"].click()  # the recognized text is what gets translated
    assert popup.state()["action"] == "translate"
    assert cer("\n".join(LINES), popup.state()["source"]) <= 0.05
    assert "No model is loaded" in popup.status.text()
    assert not any(b.isVisible() for b in buttons.values())


def test_without_the_ocr_extra_the_popup_says_how_to_install(
    everywhere: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmasos.apps.gui.everywhere import screen_ocr
    from llmasos.services.everywhere import ocr

    monkeypatch.setattr(ocr.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(screen_ocr, "shared_engine", ocr.OcrEngine)  # a fresh, unloaded one
    everywhere.screen_ocr.read(_image(["x"]))
    popup = everywhere.popup
    qtbot.waitUntil(lambda: "pip install" in popup.status.text(), timeout=30_000)
    assert "llmasos[ocr]" in popup.status.text() and popup.answer.toPlainText() == ""


def test_the_picker_crops_what_was_dragged_and_cancels(qtbot: Any) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPixmap

    from llmasos.apps.gui.everywhere.region import RegionPicker

    picker = RegionPicker()
    qtbot.addWidget(picker)
    picker._shot = QPixmap.fromImage(_image(LINES))  # what start() grabs from the screen
    picker.setGeometry(0, 0, picker.shot.width(), picker.shot.height())
    picker.show()
    with qtbot.waitSignal(picker.picked, timeout=5000) as picked:
        picker.select(QRect(10, 5, 200, 60))
    assert (picked.args[0].width(), picked.args[0].height()) == (200, 60)
    assert not picker.isVisible()
    with qtbot.waitSignal(picker.cancelled, timeout=5000):
        picker.select(QRect(10, 10, 2, 2))  # a click, not a region
    assert picker.accessibleName()


def test_the_ocr_popup_and_picker_speak_chinese(everywhere: Any, qapp: Any) -> None:
    import re

    from llmasos.apps.gui.common.i18n import install_translator
    from llmasos.apps.gui.everywhere.region import RegionPicker
    from llmasos.apps.gui.everywhere.screen_ocr import Recognized
    from llmasos.services.everywhere.ocr import OcrLine, OcrResult

    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert install_translator(qapp, "zh_CN")
    try:
        line = OcrLine("Hello", ((0, 0), (50, 0), (50, 20), (0, 20)), 0.99)
        everywhere._ocr_done(Recognized(OcrResult((line,), 60, 30, 0.25), ""))
        popup = everywhere.popup
        assert popup.answer.toPlainText() == "Hello"
        texts = [popup.title.text(), popup.status.text()]
        texts += [b.text() for b in popup.follow_buttons.values()]
        texts += [b.accessibleName() for b in popup.follow_buttons.values()]
        picker = RegionPicker()
        texts.append(picker.accessibleName())
        picker.deleteLater()
        assert all(cjk.search(text) for text in texts), texts
        assert "1" in popup.status.text() and "0.2" in popup.status.text()  # 1 行, 0.2 秒
    finally:
        install_translator(qapp, "en")


def test_text_from_an_image_offers_no_replace_into_an_earlier_window(
    everywhere: Any, qtbot: Any
) -> None:
    """After an action on a selection (Replace on, into its window), an OCR and Translate
    on its text offer no Replace: the earlier window is forgotten, not pasted into."""
    popup = everywhere.popup
    kernel = everywhere.kernel
    everywhere.run_action("proofread", "We was here.", source_window=42)
    popup._request, popup._busy = 5, True  # as a queued request would be (no model here)
    kernel.tokens.emit(5, "We were here.")
    kernel.finished.emit(5, None)
    assert popup.replace_button.isEnabled()  # the selection's window is known

    everywhere.screen_ocr.read(_image(LINES[:1]))
    assert not popup.replace_button.isEnabled()
    qtbot.waitUntil(lambda: popup.answer.toPlainText() != "", timeout=120_000)
    popup.follow_buttons["translate"].click()
    popup._request, popup._busy = 6, True
    kernel.tokens.emit(6, "Translated text")
    kernel.finished.emit(6, None)
    assert popup.state()["action"] == "translate" and popup.answer.toPlainText()
    assert not popup.replace_button.isEnabled() and not popup.state()["can_replace"]
    asked: list[str] = []
    popup.replace_requested.connect(asked.append)
    popup.request_replace()  # Ctrl+Enter: nothing happens
    assert asked == [] and everywhere.handle({"cmd": "state"})["source_window"] == 0


def test_do_ocr_translate_picks_a_region_and_translates_its_text(
    everywhere: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``llmasos do ocr-translate --to fr``: the request is accepted and reaches the picker
    with translate to follow; the picked image's text is then translated into French, with
    no Replace (text from an image has no source window)."""
    import argparse

    from llmasos.apps.cli import do
    from llmasos.services.everywhere.protocol import check_request

    parser = argparse.ArgumentParser()
    do.register(parser.add_subparsers())
    args = parser.parse_args(["do", "ocr-translate", "--to", "fr"])
    request = {"v": 1, "cmd": "do", "action": args.action, "to": args.to, "tone": args.tone}
    assert check_request(request)["action"] == "ocr-translate"

    ocr = everywhere.screen_ocr
    picked: list[str] = []
    monkeypatch.setattr(ocr, "pick", lambda follow="": picked.append(follow) or True)
    assert everywhere.handle(request) == {"ok": True}
    qtbot.waitUntil(lambda: picked == ["translate"], timeout=5000)
    assert everywhere.handled[-1] == "do"

    popup = everywhere.popup
    ocr.read(_image(LINES), follow=picked[0])  # what the picker hands over once dragged
    qtbot.waitUntil(lambda: popup.state()["action"] == "translate", timeout=120_000)
    state = popup.state()
    assert cer("\n".join(LINES), state["source"]) <= 0.05, state["source"]
    assert state["to"] == "fr" and state["visible"] and not state["can_replace"]
    assert "No model is loaded" in state["status"]  # the translation itself needs a model


def test_screenshot_translate_from_the_tray_uses_the_settings_language(
    everywhere: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from PySide6.QtGui import QIcon

    everywhere.config = replace(everywhere.config, translate_to="zh")
    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(everywhere, "start_region_ocr", lambda f="", to="": asked.append((f, to)))
    everywhere.start_tray(QIcon())
    texts = [a.text() for a in everywhere.tray.actions]
    everywhere.tray.actions[texts.index("Screenshot t&ranslate…")].trigger()
    everywhere.tray.actions[texts.index("&OCR a screen region…")].trigger()
    assert asked == [("translate", "zh"), ("", "")]
