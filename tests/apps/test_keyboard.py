"""The keyboard path: documented shortcuts, tab order, mnemonics, chat without a mouse."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar, QWidget

from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.shell.shortcuts import SHORTCUTS, ShortcutsDialog
from llmasos.apps.gui.shell.window import MainWindow
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_shortcuts() -> list[tuple[str, str]]:
    """The rows of the README's ``| keys | action |`` table."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| keys | action |") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        keys, action = (cell.strip() for cell in line.strip("|").split("|", 1))
        rows.append((keys, action))
    return rows


def make_window(qtbot) -> MainWindow:
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:
    win = make_window(qtbot)
    yield win
    win.close()


def test_readme_documents_exactly_the_shortcut_table() -> None:
    assert readme_shortcuts() == [(s.keys, s.action) for s in SHORTCUTS]


def test_help_lists_the_shortcuts(qtbot, window: MainWindow) -> None:
    help_menu = window.menuBar().actions()[-1].menu()
    action = next(a for a in help_menu.actions() if "Keyboard" in a.text())
    assert action.shortcut().toString() == "F1"
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ShortcutsDialog)
    assert dialog.table.rowCount() == len(SHORTCUTS)
    assert dialog.table.item(0, 0).text() == SHORTCUTS[0].keys
    dialog.close()


def test_menu_shortcuts_match_the_table(window: MainWindow) -> None:
    bound = {a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()}
    for keys in (
        "Ctrl+N",
        "Ctrl+O",
        "Ctrl+Q",
        "F1",
        *(f"Ctrl+{i}" for i in range(1, 6)),
        *(f"Ctrl+Shift+{i}" for i in range(1, 4)),
    ):
        assert keys in bound, keys
        assert any(
            keys in s.keys or (keys[-1].isdigit() and keys[:-1] in s.keys) for s in SHORTCUTS
        ), keys


def focus_chain(start: QWidget, wanted: list[QWidget]) -> list[QWidget]:
    """``wanted`` in the order Tab visits them, starting from ``start``."""
    order, widget = [], start
    for _ in range(500):
        if widget in wanted and widget not in order:
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is start:
            break
    return order


def test_tab_follows_the_layout(window: MainWindow) -> None:
    write = window.pages["write"]
    expected = [
        write.action_box,
        write.tone,
        write.instruction,
        write.run_button,  # type: ignore[attr-defined]
        write.stop_button,
        write.clipboard_button,
        write.source,
        write.tabs,
    ]  # type: ignore[attr-defined]
    assert focus_chain(expected[0], expected) == expected
    tr = window.pages["translate"]
    expected = [
        tr.source_lang,
        tr.target_lang,
        tr.formality,
        tr.as_you_type,  # type: ignore[attr-defined]
        tr.run_button,
        tr.stop_button,
        tr.source,
        tr.result,
    ]  # type: ignore[attr-defined]
    assert focus_chain(expected[0], expected) == expected
    s = window.settings_page
    expected = [
        s.threads,
        s.n_ctx,
        s.gpu_layers,
        s.temperature,
        s.theme,
        s.endpoint,
        s.api_host,
        s.remote_url,
        s.restore_button,
        s.apply_button,
    ]
    assert focus_chain(expected[0], expected) == expected


def mnemonics(page: QWidget) -> list[str]:
    """The Alt+letter keys of the page's buttons, buddied labels and tabs."""
    texts = [b.text() for b in page.findChildren(QAbstractButton) if b.isVisibleTo(page)]
    texts += [
        label.text()
        for label in page.findChildren(QLabel)
        if label.buddy() is not None and label.isVisibleTo(page)
    ]
    for bar in page.findChildren(QTabBar):
        if bar.isVisibleTo(page):
            texts += [bar.tabText(i) for i in range(bar.count())]
    return [
        m.group(1).lower()
        for t in texts
        for m in [re.search(r"&([^&\s])", t.replace("&&", ""))]
        if m
    ]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_mnemonics_are_unique_on_each_page(qtbot, qapp, language: str) -> None:
    install_translator(qapp, language)
    try:
        win = make_window(qtbot)
        try:
            for name, page in win.pages.items():
                win.stack.setCurrentWidget(page)
                keys = mnemonics(page)
                assert len(keys) >= 2, name
                duplicates = sorted({k for k in keys if keys.count(k) > 1})
                assert not duplicates, f"{name} ({language}): Alt+{duplicates} used twice"
        finally:
            win.close()
    finally:
        install_translator(qapp, "en")


# -- chat with the keyboard only, on the real model -----------------------------------
@pytest.fixture
def chat_window(qtbot, smollm2_path: Path) -> Iterator[MainWindow]:
    store = SettingsStore()
    settings, _ = store.load()
    settings = replace(settings, sampling=replace(settings.sampling, max_tokens=4000))
    store.save(settings)
    win = MainWindow(Kernel(), store, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(
        win.kernel.finished, timeout=60_000, check_params_cb=lambda _i, stats: stats is None
    ):
        win.open_model(smollm2_path)
    win.activateWindow()
    yield win
    win.close()


def test_keyboard_only_chat_type_send_stop(qtbot, chat_window: MainWindow) -> None:
    win = chat_window
    qtbot.keyClick(win, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # Ctrl+1: Chat
    page = win.current_page()
    assert isinstance(page, ChatPage)
    qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N: new chat
    assert page.input.hasFocus() or win.focusWidget() is page.input
    qtbot.keyClicks(page.input, "Count from one to one thousand")
    qtbot.keyClick(page.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert page.input.toPlainText().endswith("\n")  # Shift+Enter: a new line, nothing sent
    assert page.request_id is None
    qtbot.keyClicks(page.input, "in words.")
    with qtbot.waitSignal(win.kernel.tokens, timeout=60_000):
        qtbot.keyClick(page.input, Qt.Key.Key_Return)  # Enter: send
        request = page.request_id
        assert request is not None
    assert page.input.toPlainText() == ""
    with qtbot.waitSignal(
        win.kernel.cancelled, timeout=60_000, check_params_cb=lambda i, _stats: i == request
    ):
        qtbot.keyClick(page.input, Qt.Key.Key_Escape)  # Esc: stop
    qtbot.waitUntil(lambda: page.request_id is None, timeout=30_000)
    assert "Stopped" in page.status.text()
