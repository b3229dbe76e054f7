"""Read the text the person selected, without touching the clipboard.

On X11 (and Wayland compositors with primary selection) selecting text sets the PRIMARY
selection; reading it leaves the CLIPBOARD exactly as it was. Where the platform has
no selection there is nothing to read: the caller says so.
"""

from __future__ import annotations

from PySide6.QtGui import QClipboard, QGuiApplication


def has_selection_support() -> bool:
    """Whether this platform has a PRIMARY selection at all."""
    return QGuiApplication.clipboard().supportsSelection()


def read_selection() -> str:
    """The PRIMARY selection's text ("" when nothing, or no support)."""
    board = QGuiApplication.clipboard()
    if not board.supportsSelection():
        return ""
    return board.text(QClipboard.Mode.Selection)
