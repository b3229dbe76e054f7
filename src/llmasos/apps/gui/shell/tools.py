"""The registry of tool pages, and the window that hosts one tool on its own.

Each tool's module is imported when a page of it is first made, so opening the Chat
page does not load the writing assistant and the translator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.common.tool_names import TOOL_NAMES, TOOL_TITLES

# windows of pages that need no chat model (not among the tools the welcome page stands in for)
OTHER_TITLES = {"knowledge": QT_TRANSLATE_NOOP("MainWindow", "Knowledge")}

if TYPE_CHECKING:
    from llmasos.apps.gui.common.tool_pages import ToolPage
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.kernel.kernel import Kernel


def tool_class(tool: str) -> type[ToolPage]:
    """The page class of ``tool`` ("chat", "write" or "translate"), imported on demand."""
    if tool == "chat":
        from llmasos.apps.gui.chat.page import ChatPage

        return ChatPage
    if tool == "write":
        from llmasos.apps.gui.write.page import WritePage

        return WritePage
    if tool == "translate":
        from llmasos.apps.gui.translate.page import TranslatePage

        return TranslatePage
    raise KeyError(f"no tool called {tool!r}; the tools are {', '.join(TOOL_NAMES)}")


def tool_page(tool: str, kernel: Kernel, params: Callable[[], SamplingParams]) -> ToolPage:
    """A new page of ``tool``."""
    return tool_class(tool)(kernel, params)


class ToolWindow(QMainWindow):
    """One tool in a top-level window of its own, sharing the app's kernel."""

    closed = Signal(object)

    def __init__(
        self,
        tool: str,
        kernel: Kernel,
        params: Callable[[], SamplingParams],
        page: QWidget | None = None,
    ) -> None:
        """``page``: one built by the caller (a page that is not a :class:`ToolPage`,
        such as Knowledge, which shows the app's shared index); it needs ``cancel_all``."""
        super().__init__()
        self.tool = tool
        self.page: Any = page if page is not None else tool_page(tool, kernel, params)
        self.setCentralWidget(self.page)
        title = QCoreApplication.translate("MainWindow", {**TOOL_TITLES, **OTHER_TITLES}[tool])
        self.setWindowTitle(self.tr("{tool} — LLMasOS").format(tool=title))
        self.resize(760, 560)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.page.cancel_all()
        self.closed.emit(self)
        super().closeEvent(event)
