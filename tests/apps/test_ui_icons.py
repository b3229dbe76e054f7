"""One outline icon set for the interface, drawn in the theme's text colour."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.common.icons import icons_dir, ui_icon
from llmasos.apps.gui.common.theme import apply_theme

SVG = "{http://www.w3.org/2000/svg}"


def ui_files() -> list[Path]:
    folder = icons_dir()
    assert folder is not None
    return sorted((folder / "ui").glob("*.svg"))


def _ink(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> QColor:
    """The darkest or lightest drawn pixel's colour: the stroke colour."""
    image = icon.pixmap(48, mode).toImage()
    drawn = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert drawn, "nothing drawn"
    return drawn[0]


def test_the_set_is_consistent_and_licensed() -> None:
    files = ui_files()
    names = {p.stem for p in files}
    assert {"chat", "write", "translate", "models", "settings", "knowledge"} <= names
    for path in files:
        root = ET.parse(path).getroot()
        assert root.get("viewBox") == "0 0 24 24", path.name
        assert root.get("fill") == "none" and root.get("stroke") == "#000000", path.name
        assert root.get("stroke-width") == "1.8", path.name
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'(fill|stroke)="#(?!000000)', text), path.name  # one ink
    licence = (files[0].parent / "LICENSE.md").read_text(encoding="utf-8")
    assert all(p.stem in licence for p in files)


def test_icons_follow_the_theme(qapp: QApplication) -> None:
    icon = ui_icon("chat")
    try:
        apply_theme(qapp, "light")
        assert _ink(icon).lightness() < 80
        apply_theme(qapp, "dark")
        assert _ink(icon).lightness() > 180  # the same icon, redrawn light on dark
        assert _ink(icon, QIcon.Mode.Disabled).lightness() < _ink(icon).lightness()
    finally:
        apply_theme(qapp, "system")


def test_a_missing_icon_is_empty_not_an_error() -> None:
    assert ui_icon("no-such-icon").isNull()


def test_the_sidebar_and_tool_buttons_have_icons(qtbot) -> None:
    from llmasos.apps.gui.shell.window import PAGES, MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    try:
        rows = [window.sidebar.item(i) for i in range(window.sidebar.count())]
        assert len(rows) == len(PAGES) and all(not r.icon().isNull() for r in rows)
        chat = window.pages["chat"]
        assert not chat.send_button.icon().isNull()  # type: ignore[attr-defined]
        assert not chat.files_button.icon().isNull()  # type: ignore[attr-defined]
    finally:
        window.close()


def test_every_button_on_every_page_has_an_icon(qtbot) -> None:
    from PySide6.QtWidgets import QPushButton

    from llmasos.apps.gui.shell.window import PAGES, MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    try:
        pages = [("welcome", window.welcome)]
        for name in PAGES:
            window._show(window.pages[name])
            pages.append((name, window.pages[name]))
        bare = [
            f"{name}: {b.text()!r}"
            for name, page in pages
            for b in page.findChildren(QPushButton)
            if b.text() and b.icon().isNull()
        ]
        assert not bare, bare
        # the words stay: an icon is added to a label, never put in its place
        labelled = [b for _, page in pages for b in page.findChildren(QPushButton) if b.text()]
        assert len(labelled) > 30
    finally:
        window.close()
