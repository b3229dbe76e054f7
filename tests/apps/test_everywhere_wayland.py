"""LLMasOS everywhere on Wayland (issue 16): shortcuts and the OCR screenshot through the
XDG desktop portal, and what is said where the desktop offers no portal.

Each test runs the real ``llmasos`` on Qt's wayland platform in a real headless weston,
with a real ``dbus-daemon`` as its session bus. The portal on that bus is
``tests/helpers/fake_portal.py``, a separate process written from the portal
specification — not Debian's xdg-desktop-portal, whose only GlobalShortcuts backend
(KDE's) needs a running Plasma session (fake_portal.py's docstring says more). The
person's answer to the desktop's dialog is the fake portal's ``approve``/``refuse``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from helpers.dbus_session import FakePortal, session_bus
from helpers.ocr_images import LINES_EN, LINES_ZH, cer, render
from helpers.wayland import start_weston
from helpers.xdesktop import App, state, wait_for

LINES = [LINES_EN[0], LINES_ZH[0]]


@contextmanager
def wayland_app(home: Path, *portal: str) -> Iterator[tuple[dict[str, str], FakePortal | None]]:
    """The app in a Wayland session; ``portal``: fake_portal.py's arguments (none: no
    portal on the bus at all, only an empty ``()`` is "no portal")."""
    with start_weston(xwayland=False) as weston, session_bus() as bus:
        fake = FakePortal(bus, *portal[1:]) if portal else None
        env = {
            **os.environ,
            "WAYLAND_DISPLAY": weston.socket,
            "XDG_RUNTIME_DIR": str(weston.runtime_dir),
            "XDG_SESSION_TYPE": "wayland",
            "QT_QPA_PLATFORM": "wayland",
            "DBUS_SESSION_BUS_ADDRESS": bus,
            "LLMASOS_HOME": str(home),
        }
        env.pop("DISPLAY", None)
        app = App(env)
        try:
            yield env, fake
        finally:
            app.clean_up()
            if fake is not None:
                fake.stop()


def hotkeys_when(predicate: Any, what: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        s = state()
        return s if s and s["hotkeys"] and predicate(s) else None

    result: dict[str, Any] = wait_for(check, 30, what)
    return result


def statuses(s: dict[str, Any]) -> set[str]:
    return {h["status"] for h in s["hotkeys"]}


def test_shortcuts_bound_through_the_portal_run_the_action_and_its_screenshot_is_read(
    llmasos_home: Path, tmp_path: Path
) -> None:
    picture = tmp_path / "Screenshot.png"
    picture.write_bytes(image := render(LINES))
    with wayland_app(llmasos_home, "portal", "--bind", "ask", "--screenshot", str(picture)) as (
        env,
        fake,
    ):
        assert fake is not None
        assert fake.next_call()["call"] == "CreateSession"
        bind = fake.next_call()
        assert bind["call"] == "BindShortcuts" and bind["known"]
        wanted = {sid: props for sid, props in bind["shortcuts"]}
        assert wanted["translate"] == {
            "description": "Translate selection",
            "preferred_trigger": "CTRL+ALT+t",
        }
        assert wanted["ask"]["preferred_trigger"] == "CTRL+ALT+space"
        waiting = hotkeys_when(lambda s: statuses(s) == {"pending"}, "the pending dialog")
        assert waiting["session"] == "wayland"
        assert "approve it in your desktop's dialog" in waiting["problems"][0]

        fake.command("approve")  # the person approves the desktop's dialog
        assert fake.next_call() == {"decided": "approve"}
        bound = hotkeys_when(lambda s: statuses(s) == {"ok"}, "the bound shortcuts")
        translate = next(h for h in bound["hotkeys"] if h["action"] == "translate")
        assert translate["shortcut"] == "Ctrl+Alt+T"  # as the desktop describes it
        assert "set in your desktop" in translate["message"] and bound["problems"] == []

        fake.command("activate translate")  # pressed in whatever program has the focus
        assert fake.next_call() == {"activated": "translate", "sessions": 1}
        s = wait_for(
            lambda: (x := state()) and "hotkey:translate" in x["handled"] and x, 30, "hotkey"
        )
        assert s["popup"]["visible"] and s["popup"]["action"] == "translate"

        done = subprocess.run(
            [sys.executable, "-m", "llmasos", "do", "ocr"], env=env, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        shot = fake.next_call()
        assert shot["call"] == "Screenshot" and shot["options"]["interactive"] is True
        s = wait_for(
            lambda: (x := state()) and x["ocr"] and x["popup"]["action"] == "ocr" and x,
            120,
            "the screenshot's text",
        )
        assert cer("\n".join(LINES), s["popup"]["answer"]) <= 0.05, s["popup"]["answer"]
        # the file was there before LLMasOS asked: it stays, and the popup says where
        assert picture.read_bytes() == image
        assert f"The desktop's screenshot was left in {picture}." in s["popup"]["status"]


def test_a_screenshot_the_desktop_saved_for_the_ocr_is_deleted_once_read(
    llmasos_home: Path, tmp_path: Path
) -> None:
    picture = tmp_path / "source.png"
    picture.write_bytes(image := render(LINES))
    pictures = tmp_path / "Pictures" / "Screenshots"  # where GNOME's portal saves them
    pictures.mkdir(parents=True)
    portal = ("--screenshot", str(picture), "--fresh-in", str(pictures))
    with wayland_app(llmasos_home, "portal", *portal) as (env, fake):
        assert fake is not None
        done = subprocess.run(
            [sys.executable, "-m", "llmasos", "do", "ocr"], env=env, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        shot = fake.next_call()
        while shot.get("call") != "Screenshot":  # the shortcuts' session and binding first
            shot = fake.next_call()
        saved = Path(shot["saved"])
        assert saved.parent == pictures
        s = wait_for(
            lambda: (x := state()) and x["ocr"] and x["popup"]["action"] == "ocr" and x,
            120,
            "the screenshot's text",
        )
    assert cer("\n".join(LINES), s["popup"]["answer"]) <= 0.05, s["popup"]["answer"]
    assert s["ocr"]["note"] == "" and "screenshot" not in s["popup"]["status"]
    assert list(pictures.iterdir()) == []  # read, then deleted
    assert picture.read_bytes() == image


def test_refusing_the_desktop_s_dialog_is_reported_with_the_command(llmasos_home: Path) -> None:
    with wayland_app(llmasos_home, "portal", "--bind", "refuse"):
        s = hotkeys_when(lambda s: statuses(s) == {"refused"}, "the refusal")
    translate = next(h for h in s["hotkeys"] if h["action"] == "translate")
    assert "not approved in your desktop's dialog" in translate["message"]
    assert "llmasos do translate" in translate["message"]
    assert s["problems"] == [h["message"] for h in s["hotkeys"]]


def test_without_a_portal_settings_give_the_command_and_ocr_says_what_to_do(
    llmasos_home: Path,
) -> None:
    with wayland_app(llmasos_home) as (env, _fake):
        s = hotkeys_when(lambda s: bool(s["hotkeys"]), "the reports")
        assert statuses(s) == {"unsupported"} and s["session"] == "wayland"
        translate = next(h for h in s["hotkeys"] if h["action"] == "translate")
        assert "offers no shortcuts portal" in translate["message"]
        assert "llmasos do translate" in translate["message"]
        done = subprocess.run(
            [sys.executable, "-m", "llmasos", "do", "ocr"], env=env, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        s = wait_for(lambda: (x := state()) and x["popup"]["visible"] and x, 30, "the popup")
    assert "screenshot portal" in s["popup"]["status"]
    assert "Copy a screenshot" in s["popup"]["status"]
