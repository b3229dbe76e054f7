"""Every control can be named by a screen reader; text follows the system font size."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAccessible, QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTextEdit,
    QWidget,
)

from llmasos.apps.gui.common.tool_names import TOOL_NAMES
from llmasos.apps.gui.shell.tools import ToolWindow
from llmasos.apps.gui.shell.window import MainWindow
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel

INTERACTIVE = (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QAbstractItemView,
    QSlider,
    QTabBar,
)


def _is_part_of_another_control(widget: QWidget) -> bool:
    """Qt's own pieces of a compound control, which screen readers reach through it:
    a combo box's editor and popup list, a spin box's editor, a table's headers and
    corner button, a tab bar's scroll arrows, a line edit's clear button, the menu
    bar's overflow button."""
    parent = widget.parentWidget()
    if isinstance(widget, QHeaderView):
        return True
    if isinstance(widget, QAbstractButton) and widget.objectName().startswith("qt_"):
        return True
    ancestor = parent
    while ancestor is not None:
        if isinstance(ancestor, QComboBox):
            return True
        ancestor = ancestor.parentWidget()
    if isinstance(widget, QLineEdit) and isinstance(parent, (QComboBox, QAbstractSpinBox)):
        return True
    return isinstance(widget, QAbstractButton) and isinstance(parent, (QTabBar, QLineEdit))


def accessible_name(widget: QWidget) -> str:
    """What a screen reader announces as the control's name."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def unnamed_controls(root: QWidget) -> list[str]:
    """The interactive widgets under ``root`` a screen reader could not name."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or _is_part_of_another_control(widget):
            continue
        if not accessible_name(widget):
            path = []
            w: QWidget | None = widget
            while w is not None and w is not root:
                path.append(type(w).__name__ + (f"({w.objectName()})" if w.objectName() else ""))
                w = w.parentWidget()
            missing.append(" < ".join(path))
    return missing


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:
    store = SettingsStore()
    win = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def test_accessible_name_check_catches_a_nameless_control(qtbot) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    QLineEdit(box)
    assert len(unnamed_controls(box)) == 1


def test_every_control_of_every_page_has_a_name(qtbot, window: MainWindow) -> None:
    missing = unnamed_controls(window)
    for tool in TOOL_NAMES:
        tool_window = ToolWindow(tool, window.kernel, SamplingParams)
        qtbot.addWidget(tool_window)
        missing += [f"{tool} window: {m}" for m in unnamed_controls(tool_window)]
        tool_window.close()
    assert not missing, "controls without an accessible name:\n" + "\n".join(missing)


def test_every_page_is_named_and_tab_bars_are_named(window: MainWindow) -> None:
    for name, page in window.pages.items():
        for bar in page.findChildren(QTabBar):
            assert bar.accessibleName(), f"{name}: a tab bar has no name"
    assert window.sidebar.accessibleName() and window.sidebar.accessibleDescription()


def _pixel_fonts(root: QWidget) -> list[str]:
    """Widgets whose font or style sheet fixes a pixel size (it would not scale)."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if re.search(r"font(-size)?\s*:[^;]*\d+\s*px", widget.styleSheet()):
            found.append(f"{type(widget).__name__}: {widget.styleSheet()}")
        elif widget.font().pixelSize() > 0:
            found.append(f"{type(widget).__name__}: {widget.font().pixelSize()} px")
    return found


def test_text_follows_the_system_font_size(qtbot, qapp: QApplication) -> None:
    original = qapp.font()
    bigger = QFont(original)
    bigger.setPointSizeF(original.pointSizeF() * 1.5)
    qapp.setFont(bigger)
    try:
        store = SettingsStore()
        win = MainWindow(Kernel(), store, store.load()[0])
        qtbot.addWidget(win)
        try:
            assert not _pixel_fonts(win)
            checked = [
                win.sidebar,
                win.status.model,
                win.welcome.recommendation,
                win.settings_page.apply_button,
                win.settings_page.threads,
                win.pages["write"].source,
                win.pages["translate"].source,  # type: ignore[attr-defined]
                win.models_page.installed.table,
                win.menuBar(),
            ]
            for widget in checked:
                assert widget.font().pointSizeF() == pytest.approx(bigger.pointSizeF()), widget
            # the sidebar grows with its text instead of cutting it off
            assert win.sidebar.width() >= max(
                win.sidebar.fontMetrics().horizontalAdvance(win.sidebar.item(i).text())
                for i in range(win.sidebar.count())
            )
        finally:
            win.close()
    finally:
        qapp.setFont(original)


def test_tool_windows_are_main_windows_with_titles(qtbot) -> None:
    for tool in TOOL_NAMES:
        w = ToolWindow(tool, Kernel(), SamplingParams)
        qtbot.addWidget(w)
        assert isinstance(w, QMainWindow) and "LLMasOS" in w.windowTitle()
        w.page.kernel.shutdown()
        w.close()
