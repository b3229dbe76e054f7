"""No clipped text: every page, in English and Chinese, at half of a 1920 px screen and at
1366×768 — each visible text measured in its widget's font against the room it has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QPushButton, QTabWidget, QWidget

from helpers.layout_fit import clipped_texts, without_noise
from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.common.tool_names import TOOL_NAMES
from llmasos.apps.gui.shell.tools import ToolWindow
from llmasos.apps.gui.shell.window import PAGES, MainWindow
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel

SIZES = [(960, 700), (1366, 768)]
LANGUAGES = ["en", "zh_CN"]
LONG_PATH = "/home/someone-with-a-long-name/.local/share/llmasos/models/bartowski/" + (
    "DeepSeek-R1-Distill-Qwen-14B-Instruct-GGUF/DeepSeek-R1-Distill-Qwen-14B-Instruct-Q4_K_M.gguf"
)
LONG_STATUS = (
    "Numbers missing from the translation: 1,250, 3.5 and 2026-12-02. The model may have "
    "dropped them; check the text or translate again."
)


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    lang = str(request.param)
    assert install_translator(qapp, lang) == (lang != "en")
    yield lang
    install_translator(qapp, "en")


def _settle(qtbot, window: QWidget) -> None:
    """Let the layouts run (posted LayoutRequest events) until the window is laid out."""
    QApplication.processEvents()
    qtbot.waitUntil(lambda: window.isVisible() and window.centralWidget() is not None)
    for _ in range(3):
        QApplication.processEvents()


def _tab_states(root: QWidget) -> Iterator[str]:
    """Show each tab of each tab widget under ``root`` in turn; yields a name for each."""
    yield ""
    for tabs in root.findChildren(QTabWidget):
        if not tabs.isVisibleTo(root.window()):
            continue
        for i in range(1, tabs.count()):
            tabs.setCurrentIndex(i)
            yield tabs.tabText(i)
        tabs.setCurrentIndex(0)


def _walk(qtbot, window: QWidget, page: QWidget, name: str) -> list[str]:
    found = []
    for tab in _tab_states(page):
        _settle(qtbot, window)
        where = f"{name}{' › ' + tab if tab else ''}"
        found += [f"[{where}] {p}" for p in clipped_texts(window)]
    return found


def _choose_longest(combo: QComboBox) -> None:
    widths = [
        combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count())
    ]
    combo.setCurrentIndex(widths.index(max(widths)))


def _width_problem(window: QWidget, width: int, height: int) -> list[str]:
    if window.width() > width or window.height() > height:
        return [
            f"window {window.windowTitle()!r} will not shrink to {width}×{height}: "
            f"{window.width()}×{window.height()} (minimum {window.minimumSizeHint().width()})"
        ]
    return []


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_clipped_text_in_the_main_window(qtbot, language: str, size: tuple[int, int]) -> None:
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    found: list[str] = []
    try:
        _settle(qtbot, window)
        assert window.current_page() is window.welcome
        found += _walk(qtbot, window, window.welcome, "welcome")
        # long texts that once made the window grow by itself
        window.kernel.loading.emit(LONG_PATH)
        for name in PAGES:
            page = window.pages[name]
            window._show(page)  # the page itself, not the welcome page standing in
            if name in TOOL_NAMES:
                page.status.setText(LONG_STATUS)  # type: ignore[attr-defined]
            found += _walk(qtbot, window, page, name)
        found += _width_problem(window, *size)
    finally:
        window.close()
    assert not found, f"{len(found)} clipped texts:\n" + "\n".join(without_noise(found))


@pytest.mark.parametrize("tool", TOOL_NAMES)
def test_no_clipped_text_in_tool_windows(qtbot, language: str, tool: str) -> None:
    kernel = Kernel()
    window = ToolWindow(tool, kernel, lambda: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(window)
    width, height = 683, 700  # beside the main window on a 1366 px screen
    window.resize(width, height)
    window.show()
    try:
        window.page.status.setText(LONG_STATUS)
        for picker in window.page.findChildren(QComboBox):
            if picker.isEditable():  # its longest choice must show its start
                _choose_longest(picker)
        _settle(qtbot, window)
        found = _walk(qtbot, window, window.page, tool) + _width_problem(window, width, height)
    finally:
        window.close()
        kernel.shutdown()
    assert not found, f"{len(found)} clipped texts:\n" + "\n".join(without_noise(found))


# -- the check itself can fail -----------------------------------------------------------
def test_the_check_finds_a_squeezed_label_and_button(qtbot) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    label = QLabel("A label far too long for forty pixels", box)
    button = QPushButton("A button far too long", box)
    label.setGeometry(0, 0, 40, 20)
    button.setGeometry(0, 30, 40, 30)
    box.resize(200, 100)
    box.show()
    found = clipped_texts(box)
    assert any("QLabel 'A label" in p for p in found), found
    assert any("QPushButton 'A button" in p for p in found), found
    label.setFixedWidth(label.sizeHint().width())
    button.setFixedWidth(button.sizeHint().width())
    assert clipped_texts(box) == []


def test_a_narrow_language_picker_shows_the_start_of_its_choice(qtbot) -> None:
    from llmasos.apps.gui.translate.widgets import LanguagePicker

    picker = LanguagePicker("Target language")
    qtbot.addWidget(picker)
    picker.setFixedWidth(120)
    picker.show()
    picker.set_code("zh-Hant")
    assert picker.lineEdit().cursorPosition() == 0
    assert picker.toolTip() == picker.currentText()
    assert clipped_texts(picker) == []
    picker.lineEdit().setCursorPosition(len(picker.currentText()))  # as Qt left it
    assert any("shows its end" in p for p in clipped_texts(picker))


def test_no_clipped_text_in_dialogs_and_popups(qtbot, language: str) -> None:
    from llmasos.apps.gui.chat.settings import ConversationSettingsDialog
    from llmasos.apps.gui.everywhere.ask import AskBox
    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.apps.gui.translate.widgets import GlossaryDialog
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.services.translation.store import TranslationStore

    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    found: list[str] = []
    try:
        chat = window.pages["chat"]
        conv = chat.store.get(chat._ensure_conversation())  # type: ignore[attr-defined]
        dialogs: list[QWidget] = [
            window.show_shortcuts(),
            ConversationSettingsDialog(conv, SamplingParams(), window),
            GlossaryDialog(TranslationStore(), "en", "zh-Hans", window),
            ActionPopup(window.kernel),
            AskBox(window.kernel),
        ]
        for dialog in dialogs:
            dialog.show()
            qtbot.waitExposed(dialog)
            for _ in range(3):
                QApplication.processEvents()
            found += [f"[{type(dialog).__name__}] {p}" for p in clipped_texts(dialog)]
            dialog.close()
    finally:
        window.close()
    assert not found, f"{len(found)} clipped texts:\n" + "\n".join(without_noise(found))
