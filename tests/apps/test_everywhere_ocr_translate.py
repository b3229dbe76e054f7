"""Screenshot translate (issue 16): the popup shows the text recognized in the image,
editable, above its translation, which keeps the image's lines; a corrected recognition
is translated again with Retry.

Real components: the kernel with Qwen2.5-Coder-0.5B, RapidOCR on images rendered with
known lines (tests/helpers/ocr_images.py), the popup's widgets on the offscreen platform.
Only the region picker's drag is left out (``test_everywhere_ocr.py`` drags it on Xvfb):
the picked image is handed to the recognizer as the picker hands it over. The tests of
the popup's own behaviour without a model (the Chinese UI, a result with problems, the
last answer) bring the kernel's signals themselves, as ``test_everywhere.py`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.ocr_images import LINES_EN, LINES_ZH, cer, render

WAIT_MS = 180_000
_HAN = re.compile(r"[\u4e00-\u9fff]")
WRAPPED = ("Offline assistants keep your", "documents private and work", "without any network.")


@pytest.fixture
def everywhere(qtbot: Any, qwen_path: Path) -> Iterator[Any]:
    from PySide6.QtWidgets import QWidget

    from llmasos.apps.gui.everywhere.controller import Everywhere
    from llmasos.foundation.engine.settings import EngineSettings
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    with qtbot.waitSignal(kernel.loaded, timeout=WAIT_MS):
        kernel.load_model(qwen_path, EngineSettings(n_ctx=2048, n_threads=2))
    window = QWidget()
    qtbot.addWidget(window)
    where = Everywhere(window, kernel, lambda _path: None)
    yield where
    where.close()
    assert kernel.shutdown(30)


def _image(lines: tuple[str, ...]) -> Any:
    from PySide6.QtGui import QImage

    image = QImage()
    assert image.loadFromData(render(lines))
    return image


def _translated(qtbot: Any, popup: Any) -> dict[str, Any]:
    """The popup's state once its translation finished."""

    def done() -> bool:
        state = popup.state()
        return state["action"] == "translate" and not state["busy"] and bool(state["status"])

    qtbot.waitUntil(done, timeout=WAIT_MS)
    state: dict[str, Any] = popup.state()
    return state


def _screenshot_translate(
    everywhere: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, lines: tuple[str, ...], to: str
) -> dict[str, Any]:
    """``llmasos do ocr-translate --to TO`` on an image of ``lines``."""
    ocr = everywhere.screen_ocr
    picked: list[str] = []
    monkeypatch.setattr(ocr, "pick", lambda follow="": picked.append(follow) or True)
    everywhere.run_action("ocr-translate", "", to)
    assert picked == ["translate"]
    ocr.read(_image(lines), follow="translate")  # what the picker hands over once dragged
    return _translated(qtbot, everywhere.popup)


@pytest.mark.real_model
@pytest.mark.parametrize(
    ("lines", "to"),
    [(LINES_EN, "zh"), (LINES_ZH, "en"), (WRAPPED, "zh")],
    ids=["en-zh", "zh-en", "wrapped-en-zh"],
)
def test_screenshot_translate_shows_the_text_and_its_translation_line_by_line(
    everywhere: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, lines: tuple[str, ...], to: str
) -> None:
    state = _screenshot_translate(everywhere, qtbot, monkeypatch, lines, to)
    popup = everywhere.popup
    # the recognized text, as read (line by line), above the answer, editable
    assert state["from_image"] and popup.source.isVisible() and popup.source_label.isVisible()
    assert not popup.source.isReadOnly() and popup.source.accessibleName()
    recognized = popup.source.toPlainText()
    assert recognized == state["source"]
    assert recognized.count("\n") == len(lines) - 1 and cer("\n".join(lines), recognized) <= 0.05
    assert popup.source.geometry().bottom() < popup.answer.geometry().top()
    # the translation streamed in and has the image's lines, each in the target language
    answer = state["answer"].split("\n")
    print(f"{to}: lines in {len(lines)} out {len(answer)}: {state['answer']!r}")
    assert len(answer) == len(lines), state["answer"]
    for line in answer:
        if to == "zh":
            assert _HAN.search(line), state["answer"]
        else:
            assert re.search("[A-Za-z]", line) and not _HAN.search(line), state["answer"]
    assert state["chunks"] >= 1 and state["status"].startswith("Done"), state
    assert not state["can_replace"]  # an image has nowhere to paste into


@pytest.mark.real_model
def test_a_corrected_recognition_is_translated_again(
    everywhere: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person fixes what OCR misread in the recognized text and presses Retry: the
    corrected text is translated (a first answer for it), and stays in view."""
    misread = ("Save the fi1e", "and close the wind0w")  # as a poor scan reads
    _screenshot_translate(everywhere, qtbot, monkeypatch, misread, "zh")
    popup = everywhere.popup
    corrected = "Save the file\nand close the window"
    popup.source.setPlainText(corrected)
    popup.retry_button.click()
    assert popup.state()["source"] == corrected and popup._attempt == 0
    state = _translated(qtbot, popup)
    assert state["source"] == corrected and state["from_image"]
    assert popup.source.toPlainText() == corrected
    assert len(state["answer"].split("\n")) == 2 and _HAN.search(state["answer"]), state
    popup.retry_button.click()  # unchanged text: another answer for the same text
    assert popup._attempt == 1 and popup.state()["source"] == corrected
    _translated(qtbot, popup)


@pytest.mark.real_model
def test_a_selection_translation_shows_no_recognized_text(everywhere: Any, qtbot: Any) -> None:
    """Translate on a selection (after a screenshot translate) shows the answer alone, and
    still keeps the selection's lines."""
    popup = everywhere.popup
    popup.show_text("Text in the image", "Hello", "")  # an earlier OCR
    everywhere.run_action(
        "translate", "Open the settings\nChoose a language", "zh", source_window=9
    )
    state = _translated(qtbot, popup)
    assert not state["from_image"] and not popup.source.isVisible()
    assert len(state["answer"].split("\n")) == 2 and _HAN.search(state["answer"]), state
    assert state["can_replace"]


# -- the popup's own behaviour, no model -----------------------------------------------------
@pytest.fixture
def bare(qtbot: Any) -> Iterator[Any]:
    """Everywhere on a kernel with no model: the tests bring its signals themselves."""
    from PySide6.QtWidgets import QWidget

    from llmasos.apps.gui.everywhere.controller import Everywhere
    from llmasos.kernel.kernel import Kernel

    kernel = Kernel()
    window = QWidget()
    qtbot.addWidget(window)
    where = Everywhere(window, kernel, lambda _path: None)
    yield where
    where.close()
    assert kernel.shutdown(10)


def _finish_translation(where: Any, request: int, text: str, problems: tuple[str, ...]) -> None:
    """The kernel's signals for a finished translation of the popup's (queued) request."""
    from llmasos.services.text.language import Detection
    from llmasos.services.translation.finish import Note
    from llmasos.services.translation.service import (
        ChunkTranslated,
        TranslationDone,
        TranslationResult,
    )

    result = TranslationResult(
        text=text,
        source="en",
        target="zh-Hans",
        detection=None,
        output_detection=Detection("zh-Hans", 0.99),
        notes=tuple(Note("problem", p) for p in problems),
        glossary_used=(),
        glossary_hit=(),
        protected_total=0,
        protected_kept=0,
        chunks_done=1,
        chunks_total=1,
        cancelled=False,
        chatter=False,
        wrong_language=False,
    )
    popup, kernel = where.popup, where.kernel
    popup._request, popup._busy = request, True  # as a queued request would be
    kernel.tokens.emit(request, text.replace("\n", " "))  # the preview: lines joined
    assert popup.answer.toPlainText() == text.replace("\n", " ")
    kernel.yielded.emit(request, ChunkTranslated(0, 1, text, ()))
    assert popup.answer.toPlainText() == text  # the chunk's final text replaces it
    kernel.yielded.emit(request, TranslationDone(result))
    kernel.finished.emit(request, None)


def test_the_recognized_text_is_corrected_before_an_action_and_kept_with_the_answer(
    bare: Any,
) -> None:
    """OCR alone shows the text editable; Translate takes it as corrected and shows it
    above the translation; the tray's *Last answer* brings both back."""
    from llmasos.apps.gui.everywhere.screen_ocr import Recognized
    from llmasos.services.everywhere.ocr import OcrLine, OcrResult

    def box(top: int) -> tuple[tuple[int, int], ...]:
        return ((0, top), (50, top), (50, top + 20), (0, top + 20))

    lines = (OcrLine("Save the fi1e", box(0), 0.9), OcrLine("and close it", box(30), 0.99))
    bare._ocr_done(Recognized(OcrResult(lines, 60, 50, 0.25), ""))
    popup = bare.popup
    assert popup.answer.toPlainText() == "Save the fi1e\nand close it"
    assert not popup.answer.isReadOnly() and not popup.source.isVisible()
    popup.answer.setPlainText("Save the file\nand close it")  # the person fixes the misread
    popup.follow_buttons["translate"].click()
    state = popup.state()
    assert state["action"] == "translate" and state["source"] == "Save the file\nand close it"
    assert state["from_image"] and popup.source.toPlainText() == state["source"]
    assert popup.answer.isReadOnly() and popup.answer.toPlainText() == ""

    _finish_translation(bare, 31, "保存文件\n然后关闭", ())
    assert popup.status.text() == "Done." and popup.answer.toPlainText() == "保存文件\n然后关闭"
    popup.close()
    bare.run_action("explain", "something else", source_window=5)  # a later selection
    assert not popup.source.isVisible()
    popup.close()
    popup.show_last()
    assert popup.answer.toPlainText() == "保存文件\n然后关闭"
    assert popup.source.isVisible() and popup.source.toPlainText() == "Save the file\nand close it"


def test_the_recognized_text_and_the_checks_speak_chinese(bare: Any, qapp: Any) -> None:
    from llmasos.apps.gui.common.i18n import install_translator
    from llmasos.apps.gui.common.notices import notice_text
    from llmasos.services.text.notice import Notice
    from llmasos.services.translation.lines import LINES_KEPT

    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert install_translator(qapp, "zh_CN")
    try:
        bare.run_action("translate", "Hello\nWorld", "zh", from_image=True)
        popup = bare.popup
        texts = [popup.source_label.text(), popup.source_label.accessibleName()]
        texts += [popup.source.accessibleName(), popup.source.toolTip()]
        texts.append(notice_text(Notice(LINES_KEPT)))
        missing = Notice("Numbers missing from the translation: {items}", items="42")
        _finish_translation(bare, 32, "你好\n世界", (missing,))
        texts.append(popup.status.text())
        assert all(cjk.search(text) for text in texts), texts
        assert popup.status.text().startswith("完成") and "42" in popup.status.text()
    finally:
        install_translator(qapp, "en")
