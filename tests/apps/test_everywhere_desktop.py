"""LLMasOS everywhere on a real X desktop (issue 16): global shortcuts pressed by another
X client, a shortcut another program holds, Replace into a separate application.

Each test starts its own Xvfb, the real ``llmasos`` on Qt's xcb platform, and real
second clients: ``xdotool`` (XTEST key presses), ``xclip`` (selection owners), a
python-xlib process that grabs a key first, and a separate Qt application with a text
field (``tests/helpers/text_field_app.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.wayland import start_weston
from helpers.xdesktop import (
    App,
    TextFieldApp,
    focused_window,
    popup_when,
    start_xvfb,
    state,
    wait_for,
    xclip_get,
    xclip_set,
    xdotool,
)

HELPERS = Path(__file__).resolve().parents[1] / "helpers"
# a second X client that holds Ctrl+Alt+W before LLMasOS starts
BLOCKER = """
import sys
from Xlib import X, XK, display
d = display.Display()
code = d.keysym_to_keycode(XK.string_to_keysym("w"))
for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
    d.screen().root.grab_key(code, X.ControlMask | X.Mod1Mask | extra, True,
                             X.GrabModeAsync, X.GrabModeAsync)
d.sync()
print("grabbed", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def xvfb(llmasos_home: Path) -> Iterator[dict[str, str]]:
    with start_xvfb(llmasos_home) as env:
        yield env


def test_hotkeys_fire_from_another_client_and_a_taken_one_is_reported(
    xvfb: dict[str, str],
) -> None:
    blocker = subprocess.Popen(
        [sys.executable, "-c", BLOCKER], env=xvfb, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    app = None
    try:
        assert blocker.stdout is not None and blocker.stdout.readline().strip() == b"grabbed"
        app = App(xvfb)
        first = state() or {}
        assert first["session"] == "x11"
        hotkeys = {h["action"]: h for h in first["hotkeys"]}
        assert hotkeys["translate"]["status"] == "ok", hotkeys
        assert hotkeys["ask"]["status"] == "ok", hotkeys
        taken = hotkeys["proofread"]
        assert taken["status"] == "taken" and taken["shortcut"] == "Ctrl+Alt+W"
        assert "already taken by another program" in taken["message"]
        assert "Settings" in taken["message"]  # what to do about it

        xclip_set(xvfb, "primary", b"Bonjour tout le monde")
        xdotool(xvfb, "key", "ctrl+alt+t")  # XTEST: as if typed in whatever has the focus
        s = popup_when(lambda p: p.get("visible") and p["action"] == "translate", 30, "the popup")
        assert s["popup"]["source"] == "Bonjour tout le monde"
        assert "hotkey:translate" in s["handled"]
        assert "No model is loaded" in s["popup"]["status"]
    finally:
        if app is not None:
            app.clean_up()
        blocker.kill()
        blocker.wait()


def _png() -> bytes:
    """A small real PNG image (a red and blue square)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(16, 16, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    for x in range(8):
        image.setPixelColor(x, x, QColor("blue"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(data.data())


CLIPBOARD = "the person's clipboard: naïve café 🙂\ttab\nsecond line".encode()


@pytest.mark.real_model
def test_replace_pastes_into_the_other_app_and_restores_the_clipboard(
    xvfb: dict[str, str], smollm2_path: Path
) -> None:
    xclip_set(xvfb, "clipboard", CLIPBOARD)
    app = App(xvfb, "--model", str(smollm2_path))
    field = TextFieldApp(xvfb, "Good morning. The weather is nice today.")
    try:
        wait_for(lambda: (s := state()) and s["model"], 90, "the model to load")
        wait_for(lambda: field.window, 30, "the other application")
        wait_for(lambda: focused_window(xvfb) == field.window, 10, "the other application's focus")
        assert xclip_get(xvfb, "primary") == b"Good morning. The weather is nice today."

        xdotool(xvfb, "key", "ctrl+alt+w")  # improve the selection, from the other app
        s = popup_when(
            lambda p: (
                p.get("visible")
                and p["action"] == "proofread"
                and not p["busy"]
                and p["status"] not in ("", "Working…")
            ),
            180,
            "the answer",
        )
        answer = s["popup"]["answer"]
        assert answer and s["popup"]["can_replace"], (s["popup"], s["source_window"])

        xdotool(xvfb, "key", "ctrl+Return")  # Replace, typed into the popup
        s = wait_for(lambda: (s := state()) and s["replace"] and s, 30, "the replace")
        assert s["replace"] == {"ok": True, "message": ""}
        wait_for(lambda: field.text == answer, 10, f"the field to read {answer!r}")
        # the clipboard is the person's again, byte for byte (xclip reads it from LLMasOS)
        wait_for(lambda: xclip_get(xvfb, "clipboard") == CLIPBOARD, 10, "the clipboard back")
        assert not s["popup"]["visible"]

        # again with an image on the clipboard: the image comes back, byte for byte
        png = _png()
        xclip_set(xvfb, "clipboard", png, target="image/png")
        xdotool(xvfb, "key", "ctrl+a")  # select the field's text again (PRIMARY)
        wait_for(lambda: xclip_get(xvfb, "primary") == answer.encode(), 10, "the selection")
        handled = len(s["handled"])
        xdotool(xvfb, "key", "ctrl+alt+w")
        s = popup_when(
            lambda p: p.get("visible") and p["can_replace"] and p["source"] == answer,
            180,
            "the second answer",
        )
        assert len(s["handled"]) == handled + 1
        second = s["popup"]["answer"]
        xdotool(xvfb, "key", "ctrl+Return")
        wait_for(lambda: field.text == second, 30, f"the field to read {second!r}")
        wait_for(
            lambda: xclip_get(xvfb, "clipboard", target="image/png") == png, 10, "the image back"
        )
    finally:
        field.stop()
        app.clean_up()


def test_under_a_real_weston_xwayland_grabs_are_not_presented_as_global(
    llmasos_home: Path,
) -> None:
    """The app on Qt's xcb platform in a Wayland session (weston's real XWayland): the
    shortcuts are grabbed but reported as working with X11 programs only, with the
    command to bind for every program, and Settings says what Replace can do."""
    with start_weston(xwayland=True) as weston:
        env = {
            **os.environ,
            "DISPLAY": weston.display,
            "WAYLAND_DISPLAY": weston.socket,
            "XDG_RUNTIME_DIR": str(weston.runtime_dir),
            "XDG_SESSION_TYPE": "wayland",
            "QT_QPA_PLATFORM": "xcb",
            "LLMASOS_HOME": str(llmasos_home),
            "DBUS_SESSION_BUS_ADDRESS": "disabled:",  # no desktop portal in this session
        }
        app = App(env)
        try:
            s = state() or {}
        finally:
            app.clean_up()
    assert s["session"] == "xwayland"
    hotkeys = {h["action"]: h for h in s["hotkeys"]}
    assert {h["status"] for h in hotkeys.values()} == {"limited"}, hotkeys
    translate = hotkeys["translate"]["message"]
    assert "only while an X11 program has the focus" in translate
    assert "llmasos do translate" in translate
    assert "Replace pastes only into X11 programs" in s["problems"][0]
    assert s["problems"][1:] == [h["message"] for h in s["hotkeys"]]


# -- in process: what is said where no grab is possible, and in Settings ---------------------
def test_wayland_explains_the_desktop_shortcut_and_the_command(qtbot, monkeypatch) -> None:
    from llmasos.apps.gui.everywhere import hotkeys

    monkeypatch.setattr(hotkeys, "platform_name", lambda: "wayland")
    registry = hotkeys.GlobalHotkeys()
    reports = registry.apply({"translate": "Ctrl+Alt+T", "ask": "Ctrl+Alt+Space"}, "zh")
    assert [r.status for r in reports] == [hotkeys.UNSUPPORTED] * 2
    assert "Wayland" in reports[0].message
    assert "llmasos do translate --to zh" in reports[0].message
    assert "llmasos do ask" in reports[1].message and registry.x11 is None
    registry.close()


def test_settings_edit_the_shortcuts_and_show_their_problems(qtbot) -> None:
    from PySide6.QtGui import QKeySequence

    from llmasos.apps.gui.settings.page import SettingsPage
    from llmasos.foundation.settings.store import SettingsStore

    store = SettingsStore()
    page = SettingsPage(store)
    qtbot.addWidget(page)
    assert page.hotkey_translate.keySequence().toString() == "Ctrl+Alt+T"
    page.hotkey_proofread.setKeySequence(QKeySequence("Ctrl+Shift+F9"))
    page.hotkey_ask.clear()
    page.keep_in_tray.setChecked(False)
    assert page.apply()
    saved = store.load()[0].everywhere
    assert (saved.hotkey_proofread, saved.hotkey_ask, saved.keep_in_tray) == (
        "Ctrl+Shift+F9",
        "",
        False,
    )
    assert page.hotkey_status.isHidden()
    page.show_hotkey_problems(["Ctrl+Alt+W is already taken by another program."])
    assert not page.hotkey_status.isHidden() and "taken" in page.hotkey_status.text()


@pytest.mark.real_model
def test_do_starts_the_app_which_answers_once_its_model_loaded(
    xvfb: dict[str, str], llmasos_home: Path, smollm2_path: Path
) -> None:
    import os
    import signal

    from llmasos.foundation.settings.store import AppSettings, SettingsStore

    SettingsStore(llmasos_home / "config" / "settings.json").save(
        AppSettings(default_model=str(smollm2_path))
    )
    xclip_set(xvfb, "primary", b"Good night.")
    pid = 0
    try:
        done = subprocess.run(
            [sys.executable, "-m", "llmasos", "do", "translate", "--to", "zh"],
            env=xvfb,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        pid = wait_for(state, 30, "the started app")["pid"]
        s = popup_when(
            lambda p: p.get("visible") and p["answer"] and not p["busy"], 180, "the answer"
        )
        assert s["popup"]["source"] == "Good night." and s["model"]
    finally:
        if pid:
            os.kill(pid, signal.SIGTERM)
            wait_for(lambda: state() is None, 30, "the app to end")
