"""The app icon, from ``resources/icons`` in a checkout, a wheel or a PyInstaller bundle.

The icons follow the freedesktop ``hicolor`` layout (``<size>x<size>/apps/<id>.png``
plus ``scalable/apps/<id>.svg``) so the same tree can be copied into
``/usr/share/icons`` or an AppImage unchanged. They are found the way
:mod:`llmasos.foundation.models.catalog` finds the catalog: as package data under
``llmasos/resources`` (``src/llmasos/resources`` is a symlink to the top-level
``resources/``), else in the source checkout's ``resources/``.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

APP_ID = "io.github.llmasos.LLMasOS"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
_REPO_ICONS = Path(__file__).resolve().parents[5] / "resources" / "icons"


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
    """The LLMasOS icon with every PNG size (crisp at each) and the SVG for other sizes.

    Returns an empty ``QIcon`` (Qt then shows its default) when the files are missing,
    which only a damaged installation causes; that is logged, not raised.
    """
    icon = QIcon()
    folder = icons_dir()
    if folder is None:
        log.warning("app icon files not found; reinstall LLMasOS to get them back")
        return icon
    for path, size in icon_files(folder):
        if size is None:
            icon.addFile(str(path))  # drawn at any size by Qt's SVG icon engine, if present
        else:
            icon.addFile(str(path), QSize(size, size))
    return icon


__all__ = ["APP_ID", "ICON_SIZES", "app_icon", "icon_files", "icons_dir"]
