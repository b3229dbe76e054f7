"""The app icon, from ``resources/icons`` in a checkout, a wheel or a PyInstaller bundle.

The icons follow the freedesktop ``hicolor`` layout (``<size>x<size>/apps/<id>.png``
plus ``scalable/apps/<id>.svg``) so the same tree can be copied into
``/usr/share/icons`` or an AppImage unchanged. The interface icons (sidebar, buttons)
are in ``ui/``: :func:`ui_icon` draws them in the theme's text colour. They are found the way
:mod:`llmasos.foundation.models.catalog` finds the catalog: as package data under
``llmasos/resources`` (``src/llmasos/resources`` is a symlink to the top-level
``resources/``), else in the source checkout's ``resources/``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)

log = logging.getLogger(__name__)

APP_ID = "io.github.llmasos.LLMasOS"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
_REPO_ICONS = Path(__file__).resolve().parents[5] / "resources" / "icons"


@lru_cache(maxsize=1)  # asked once per icon: nine times before the first frame
def icons_dir() -> Path | None:
    """The ``icons`` folder holding the ``hicolor`` tree, or None when it is missing."""
    packaged = resources.files("llmasos").joinpath("resources").joinpath("icons")
    candidates = [Path(str(packaged)), _REPO_ICONS]
    for folder in candidates:
        if (folder / "hicolor").is_dir():
            return folder
    return None


def icon_files(folder: Path) -> list[tuple[Path, int | None]]:
    """The icon files in ``folder`` with their pixel size (None for the SVG), if present."""
    hicolor = folder / "hicolor"
    found: list[tuple[Path, int | None]] = []
    for size in ICON_SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        if png.is_file():
            found.append((png, size))
    svg = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    if svg.is_file():
        found.append((svg, None))
    return found


def app_icon() -> QIcon:
    """The LLMasOS icon with every PNG size (crisp at each); the SVG only without them.

    Once a PNG is in, the icon is Qt's pixmap engine, which would rasterise the SVG once
    at its own size (256, a PNG size already: never picked) — 1 ms of start-up for
    nothing. Returns an empty ``QIcon`` (Qt then shows its default) when the files are
    missing, which only a damaged installation causes; that is logged, not raised.
    """
    icon = QIcon()
    folder = icons_dir()
    if folder is None:
        log.warning("app icon files not found; reinstall LLMasOS to get them back")
        return icon
    files = icon_files(folder)
    pngs = [(path, size) for path, size in files if size is not None]
    for path, size in pngs or files:
        if size is None:
            icon.addFile(str(path))  # drawn at any size by Qt's SVG icon engine, if present
        else:
            icon.addFile(str(path), QSize(size, size))
    return icon


_INK = 'stroke="#000000"'  # the stroke colour in the files, replaced by the theme's
_drawn: dict[tuple[str, int, int], QPixmap] = {}  # (file text's id, size, rgba) -> pixmap


class _InkIconEngine(QIconEngine):
    """Draws an outline SVG in the app palette's button-text colour *at paint time*, so
    the icons follow a switch between the light and the dark theme without rebuilding."""

    def __init__(self, svg: str) -> None:
        super().__init__()
        self._svg = svg

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            ink = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
        elif mode == QIcon.Mode.Selected:
            ink = palette.color(QPalette.ColorRole.HighlightedText)
        else:
            ink = palette.color(QPalette.ColorRole.ButtonText)
        side = max(1, min(size.width(), size.height()))
        key = (self._svg, side, ink.rgba())
        if key not in _drawn:
            _drawn[key] = _render(self._svg, ink, side)
        return _drawn[key]

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def clone(self) -> QIconEngine:
        return _InkIconEngine(self._svg)


def ui_icon(name: str) -> QIcon:
    """The interface icon ``name`` (``resources/icons/ui/<name>.svg``), drawn in the
    theme's text colour (greyed when disabled, highlighted-text when selected).

    The files are one hand-drawn outline set (``resources/icons/ui/LICENSE.md``).
    Returns an empty icon when the file is missing (a damaged installation; logged).
    """
    folder = icons_dir()
    path = folder / "ui" / f"{name}.svg" if folder is not None else None
    if path is None or not path.is_file():
        log.warning("interface icon %r not found; reinstall LLMasOS to get it back", name)
        return QIcon()
    return QIcon(_InkIconEngine(path.read_text(encoding="utf-8")))


def _render(svg: str, ink: QColor, size: int) -> QPixmap:
    """``svg`` drawn at ``size`` px with its strokes in ``ink``."""
    sized = svg.replace('width="24" height="24"', f'width="{size}" height="{size}"', 1)
    data = sized.replace(_INK, f'stroke="{ink.name()}"').encode("utf-8")
    pixmap = QPixmap()
    if not pixmap.loadFromData(data, "SVG"):
        log.warning("interface icon could not be drawn (Qt's SVG plugin missing?)")
    return pixmap


__all__ = [
    "APP_ID",
    "ICON_SIZES",
    "app_icon",
    "icon_files",
    "icons_dir",
    "ui_icon",
]
