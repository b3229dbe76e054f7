"""Take the screenshots of Everywhere: the popup and the Ask box, with real answers.

    python scripts/screenshots_everywhere.py [--model PATH] [--lang en|zh_CN|both]
                                             [--theme light|dark|both] [--out docs/screenshots]

Runs offscreen (Qt's offscreen platform: no X server needed) in a throw-away
LLMASOS_HOME, loads a test model (Qwen2.5-Coder-0.5B-Instruct from tests/helpers/models.py
by default) into the app's kernel and drives the app's own Everywhere controller, as a
shortcut or ``llmasos do`` would:

* ``popup-edit.png``: *Improve* (proofread) on a sentence with mistakes;
* ``popup-translate.png``: a translation into the other language (en→zh, zh→en);
* ``popup-ocr.png``: an image with English and Chinese lines (drawn with Noto CJK by the
  OCR tests' helper), recognized by RapidOCR (``llmasos[ocr]``): the image above the popup
  with its text and, beside it, the popup after *Translate* into the UI's language (the
  recognized text, editable, above its translation, line for line);
* ``ask-box.png``: the Ask box with a question about a selected text and its answer.

Each window is drawn on a plain backdrop so that its edge shows. What the tour types is
in :data:`TEXTS`, mostly in the UI's language. Answers are sampled as the app samples
them (not greedy), so a rerun may word them differently. Each answer is generated once
per language and shot in every theme asked for (light in ``<out>/``, dark in
``<out>/dark/``; Chinese under ``<out>/zh_CN/``).
Prints the saved paths; exits 1 if a step does not finish within its time limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_S = 600  # one answer of the 0.5B model on a busy 2-core machine
MARGIN = 16  # backdrop around each window
GAP = 16  # between the pieces of a composed shot

#: What each UI language works on. The lines of the OCR image are mostly in the other
#: language, with one in the UI's. The Chinese UI proofreads English: on Chinese text the
#: 0.5B model answers proofread with an English translation.
TEXTS = {
    "en": {
        "edit": "We was going to the libary tomorow, but the wether is to bad.",
        "translate": "Thank you for your email. I will send the report tomorrow morning.",
        "translate_to": "zh",
        "ocr_lines": (
            "今天天气很好，我们去公园散步吧。",
            "本地模型可以离线翻译和校对文本。",
            "Invoice 2026-118: total 4,250.00 EUR.",
        ),
        "ocr_to": "en",
        "context": "The train to Hamburg leaves at 9:40 from platform 7 and arrives at 11:22.",
        "question": "Which platform does it leave from, and when does it arrive?",
    },
    "zh_CN": {
        "edit": "We was going to the libary tomorow, but the wether is to bad.",
        "translate": "感谢你的邮件。我明天上午把报告发给你。",
        "translate_to": "en",
        "ocr_lines": (
            "Thank you for your email.",
            "I will send the report tomorrow morning.",
            "会议改到星期四下午。",
        ),
        "ocr_to": "zh",
        "context": "开往杭州的高铁九点四十分从七号站台出发，十一点二十二分到达。",
        "question": "这趟车从几号站台出发，几点到达？",
    },
}


def test_helpers() -> tuple[Any, Any]:
    """tests/helpers: ``models`` (the test models) and ``ocr_images`` (text drawn in PNGs)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import models, ocr_images

    return models, ocr_images


def settle(rounds: int = 1) -> None:
    """Handle waiting events and deferred deletes, as the event loop would."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    for _ in range(rounds):
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        time.sleep(0.01)


@dataclass
class Shooter:
    """Waits on the GUI thread and saves each shot in every theme asked for."""

    app: Any
    outs: dict[str, Path]  # theme -> folder
    saved: list[Path] = field(default_factory=list)
    failed: str = ""

    def wait(self, done: Callable[[], bool], what: str) -> bool:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                self.failed = f"timed out: {what}"
                return False
            settle()
            time.sleep(0.02)
        settle(20)  # let the last repaint land
        return True

    def in_each_theme(self, grab: Callable[[str], Any]) -> dict[str, Any]:
        """``grab(theme)``'s pixmap in each theme; the first theme is applied again after."""
        from llmasos.apps.gui.common.theme import apply_theme

        shots = {}
        for theme in self.outs:
            apply_theme(self.app, theme)
            settle(20)
            shots[theme] = grab(theme)
        apply_theme(self.app, next(iter(self.outs)))
        settle(5)
        return shots

    def save(self, name: str, shots: dict[str, Any]) -> None:
        for theme, pixmap in shots.items():
            path = self.outs[theme] / f"{name}.png"
            pixmap.save(str(path))
            self.saved.append(path)


def compose(pieces: list[tuple[Any, int, int]], dark: bool) -> Any:
    """The ``(pixmap, x, y)`` pieces on one backdrop, ``MARGIN`` around them."""
    from PySide6.QtGui import QColor, QPainter, QPixmap

    width = max(p.width() + x for p, x, _ in pieces) + 2 * MARGIN
    height = max(p.height() + y for p, _, y in pieces) + 2 * MARGIN
    canvas = QPixmap(width, height)
    canvas.fill(QColor("#3b4048" if dark else "#c9ced6"))  # a desktop behind the windows
    painter = QPainter(canvas)
    for pixmap, x, y in pieces:
        painter.drawPixmap(MARGIN + x, MARGIN + y, pixmap)
    painter.end()
    return canvas


def on_backdrop(grab: Callable[[], Any]) -> Callable[[str], Any]:
    """A grab for :meth:`Shooter.in_each_theme` of one window on the backdrop."""
    return lambda theme: compose([(grab(), 0, 0)], theme == "dark")


class Tour:
    """One language's shots, through the app's own Everywhere controller."""

    def __init__(self, shooter: Shooter, kernel: Any, lang: str) -> None:
        from PySide6.QtWidgets import QWidget

        from llmasos.apps.gui.everywhere.controller import Everywhere

        self.shooter, self.kernel, self.texts = shooter, kernel, TEXTS[lang]
        self.window = QWidget()  # stands in for the main window (never shown)
        self.everywhere = Everywhere(self.window, kernel, lambda _path: None)
        self.everywhere.config = replace(self.everywhere.config, translate_to=self.texts["ocr_to"])

    def shoot(self, name: str, grab: Callable[[str], Any]) -> None:
        self.shooter.save(name, self.shooter.in_each_theme(grab))

    def answered(self, what: str) -> bool:
        popup = self.everywhere.popup
        settle(5)
        if not self.shooter.wait(lambda: not popup.state()["busy"], what):
            return False
        if not popup.answer.toPlainText():
            self.shooter.failed = f"no answer for the {what}: {popup.status.text()}"
            return False
        return True

    def run(self) -> bool:
        """All four shots; False when a step failed."""
        popup = self.everywhere.popup
        if not self.ocr():  # first: Replace is not offered for text from an image
            return False
        # source_window: the text came from a known window, so Replace is offered
        self.everywhere.run_action("proofread", self.texts["edit"], source_window=1)
        if not self.answered("proofread"):
            return False
        self.shoot("popup-edit", on_backdrop(popup.grab))
        self.everywhere.run_action(
            "translate", self.texts["translate"], self.texts["translate_to"], source_window=1
        )
        if not self.answered("translation"):
            return False
        self.shoot("popup-translate", on_backdrop(popup.grab))
        popup.close()
        return self.ask()

    def ocr(self) -> bool:
        """The image, the popup with its text, and the popup after Translate, side by side."""
        from PySide6.QtGui import QImage, QPixmap

        _models, ocr_images = test_helpers()
        image = QPixmap.fromImage(QImage.fromData(ocr_images.render(self.texts["ocr_lines"])))
        everywhere, popup = self.everywhere, self.everywhere.popup
        everywhere.last_ocr = {}
        everywhere.screen_ocr.read(image.toImage())
        if not self.shooter.wait(
            lambda: bool(everywhere.last_ocr) and bool(popup.answer.toPlainText()), "OCR"
        ):
            return False
        recognized = self.shooter.in_each_theme(lambda _theme: popup.grab())
        popup.follow_buttons["translate"].click()
        if not self.answered("OCR translation"):
            return False
        translated = self.shooter.in_each_theme(lambda _theme: popup.grab())

        def grab(theme: str) -> Any:
            left = recognized[theme]
            below = image.height() + GAP
            return compose(
                [(image, 0, 0), (left, 0, below), (translated[theme], left.width() + GAP, below)],
                theme == "dark",
            )

        self.shoot("popup-ocr", grab)
        return True

    def ask(self) -> bool:
        self.everywhere.open_ask(self.texts["context"])
        box = self.everywhere.ask_box
        box.question.setText(self.texts["question"])
        box.send()
        settle(5)
        if not self.shooter.wait(lambda: not box.state()["busy"], "Ask answer"):
            return False
        self.shoot("ask-box", on_backdrop(box.grab))
        return True

    def close(self) -> None:
        self.everywhere.close()
        self.window.deleteLater()
        settle(5)


@contextmanager
def loaded_kernel(model: Path, shooter: Shooter) -> Iterator[Any]:
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    try:
        kernel.load_model(model)
        if shooter.wait(lambda: kernel.model_info is not None and not kernel.is_busy, "load"):
            yield kernel
        else:
            yield None
    finally:
        kernel.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="GGUF file (default: the Qwen test model)")
    parser.add_argument("--lang", default="both", choices=["en", "zh_CN", "both"])
    parser.add_argument("--theme", default="both", choices=["light", "dark", "both"])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="llmasos-shots-")
    os.environ["LLMASOS_HOME"] = home
    try:
        return run(args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from llmasos.apps.gui.common.i18n import install_translator

    models, _ocr_images = test_helpers()
    model = args.model or Path(models.ensure(models.QWEN25_CODER))
    app = QApplication([sys.argv[0]])
    langs = ["en", "zh_CN"] if args.lang == "both" else [args.lang]
    themes = ["light", "dark"] if args.theme == "both" else [args.theme]
    shooter = Shooter(app, {})
    with loaded_kernel(model, shooter) as kernel:
        for lang in langs if kernel is not None else []:
            base = args.out if lang == "en" else args.out / lang
            shooter.outs = {t: base if t == "light" else base / t for t in themes}
            for out in shooter.outs.values():
                out.mkdir(parents=True, exist_ok=True)
            install_translator(app, lang)  # before the windows are built: they read it then
            tour = Tour(shooter, kernel, lang)
            try:
                done = tour.run()
            finally:
                tour.close()
            if not done:
                break
    for path in shooter.saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    if shooter.failed:
        print(f"error: {shooter.failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
