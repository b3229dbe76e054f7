"""The three tools' names and titles, without the pages' modules (for menus at start-up)."""

from __future__ import annotations

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP

TOOL_NAMES: tuple[str, ...] = ("chat", "write", "translate")
TOOL_TITLES = {
    "chat": QT_TRANSLATE_NOOP("MainWindow", "Chat"),
    "write": QT_TRANSLATE_NOOP("MainWindow", "Write"),
    "translate": QT_TRANSLATE_NOOP("MainWindow", "Translate"),
}

__all__ = ["TOOL_NAMES", "TOOL_TITLES"]
