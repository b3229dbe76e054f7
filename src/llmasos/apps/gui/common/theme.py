"""Light, dark or the system's colours, applied to the whole app at once."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

_FALLBACK = "llmasos_theme_fallback"  # app property: a palette of ours is in use

# Fusion's dark colours, for platforms that cannot switch the scheme themselves
_DARK: tuple[tuple[QPalette.ColorRole, str], ...] = (
    (QPalette.ColorRole.Window, "#2d2d2d"),
    (QPalette.ColorRole.WindowText, "#e6e6e6"),
    (QPalette.ColorRole.Base, "#1e1e1e"),
    (QPalette.ColorRole.AlternateBase, "#2a2a2a"),
    (QPalette.ColorRole.ToolTipBase, "#3a3a3a"),
    (QPalette.ColorRole.ToolTipText, "#e6e6e6"),
    (QPalette.ColorRole.PlaceholderText, "#8c8c8c"),
    (QPalette.ColorRole.Text, "#e6e6e6"),
    (QPalette.ColorRole.Button, "#353535"),
    (QPalette.ColorRole.ButtonText, "#e6e6e6"),
    (QPalette.ColorRole.BrightText, "#ff5555"),
    (QPalette.ColorRole.Link, "#6ab0ff"),
    (QPalette.ColorRole.Highlight, "#3d7bd9"),
    (QPalette.ColorRole.HighlightedText, "#ffffff"),
)


def dark_palette() -> QPalette:
    """Return the dark palette used where the platform cannot switch to dark itself."""
    palette = QPalette()
    for role, color in _DARK:
        palette.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f7f7f"))
    return palette


def apply_theme(app: QApplication, theme: str) -> None:
    """Switch every window to ``theme`` ("system", "light" or "dark") now.

    Asks Qt for the colour scheme (``QStyleHints.setColorScheme``, Qt ≥ 6.8), so the
    platform's own light or dark look is used. Where the platform cannot switch (some
    Linux desktops, the offscreen platform), falls back to the Fusion style with a
    light or dark palette. Runs on the GUI thread.
    """
    hints = app.styleHints()
    if theme not in ("light", "dark"):  # "system" (and anything unknown)
        hints.unsetColorScheme()
        if app.property(_FALLBACK):
            app.setProperty(_FALLBACK, False)
            app.setPalette(app.style().standardPalette())
        return
    # the Qt namespace costs ~13 ms to import; "system", the default, never needs it
    from PySide6.QtCore import Qt

    scheme = Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light
    hints.setColorScheme(scheme)
    if hints.colorScheme() == scheme and not app.property(_FALLBACK):
        return
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None and app.style().name().lower() != "fusion":
        app.setStyle(fusion)
    light = app.style().standardPalette()
    app.setPalette(dark_palette() if scheme == Qt.ColorScheme.Dark else light)
    app.setProperty(_FALLBACK, True)


def is_dark(app: QApplication) -> bool:
    """Return whether the app's windows currently have light text on a dark background."""
    palette = app.palette()
    return (
        palette.color(QPalette.ColorRole.Window).lightness()
        < palette.color(QPalette.ColorRole.WindowText).lightness()
    )
