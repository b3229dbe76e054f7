"""The registry of tool pages, and the window that hosts one tool on its own."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow

from llmasos.apps.gui.tool_names import TOOL_TITLES
from llmasos.foundation.engine import SamplingParams
from llmasos.kernel.kernel import Kernel

from .chat_page import ChatPage
from .tool_pages import ToolPage
from .translate_page import TranslatePage
from .write_page import WritePage

TOOLS: dict[str, type[ToolPage]] = {"chat": ChatPage, "write": WritePage,
                                    "translate": TranslatePage}


def tool_page(tool: str, kernel: Kernel, params: Callable[[], SamplingParams]) -> ToolPage:
    """A new page of ``tool`` ("chat", "write" or "translate")."""
    return TOOLS[tool](kernel, params)


class ToolWindow(QMainWindow):
    """One tool in a top-level window of its own, sharing the app's kernel."""

    closed = Signal(object)

    def __init__(self, tool: str, kernel: Kernel, params: Callable[[], SamplingParams]) -> None:
        super().__init__()
        self.tool = tool
        self.page = tool_page(tool, kernel, params)
        self.setCentralWidget(self.page)
        title = QCoreApplication.translate("MainWindow", TOOL_TITLES[tool])
        self.setWindowTitle(self.tr("{tool} — LLMasOS").format(tool=title))
        self.resize(760, 560)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.page.cancel_all()
        self.closed.emit(self)
        super().closeEvent(event)
