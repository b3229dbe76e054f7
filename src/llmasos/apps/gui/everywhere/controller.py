"""Answers the single-instance requests inside the running app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QWidget

from llmasos.apps.gui.everywhere.instance import InstanceServer, hand_over
from llmasos.apps.gui.everywhere.selection import has_selection_support, read_selection

if TYPE_CHECKING:
    from llmasos.apps.gui.everywhere.popup import ActionPopup
    from llmasos.kernel.kernel import Kernel


__all__ = ["Everywhere", "hand_over", "serve"]


class Everywhere(QObject):
    """The app's side of ``llmasos`` (second start) and ``llmasos do``."""

    def __init__(
        self,
        window: QWidget,
        kernel: Kernel,
        open_model: Callable[[Path], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.kernel = kernel
        self._open_model = open_model
        self._popup: ActionPopup | None = None
        self.handled: list[str] = []  # the commands answered so far (``state`` reports them)
        self.server = InstanceServer(self.handle, self)

    @property
    def popup(self) -> ActionPopup:
        if self._popup is None:  # built on first use: start-up stays light
            from llmasos.apps.gui.everywhere.popup import ActionPopup

            self._popup = ActionPopup(self.kernel)
        return self._popup

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one (valid) request; the work itself runs after the reply is sent."""
        cmd = request["cmd"]
        if cmd == "state":
            state = self._popup.state() if self._popup is not None else {"visible": False}
            info = self.kernel.model_info
            model = info.display_name if info is not None else None
            return {"ok": True, "popup": state, "model": model, "handled": self.handled}
        self.handled.append(cmd)
        if cmd == "show":
            QTimer.singleShot(0, self.show_window)
        elif cmd == "open_model":
            path = Path(request["path"])
            QTimer.singleShot(0, lambda: self._show_and_open(path))
        elif cmd == "do":
            action = str(request["action"])
            to, tone = str(request.get("to") or ""), str(request.get("tone") or "formal")
            # read the selection now, while it is still the one the person made
            text = read_selection()
            QTimer.singleShot(0, lambda: self.run_action(action, text, to, tone))
        return {"ok": True}

    def _show_and_open(self, path: Path) -> None:
        self.show_window()
        self._open_model(path)

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def run_action(self, action: str, text: str, to: str = "", tone: str = "formal") -> None:
        """Open the popup on ``text``; say why when there is nothing to work on."""
        popup = self.popup
        popup.run(action, text, to, tone)
        if not text and not has_selection_support():
            popup.status.setText(
                QCoreApplication.translate(
                    "Everywhere", "This desktop has no text selection LLMasOS can read."
                )
            )

    def close(self) -> None:
        self.server.close()
        if self._popup is not None:
            self._popup.close()
            self._popup.deleteLater()
            self._popup = None


def serve(window: QWidget, kernel: Kernel, open_model: Callable[[Path], None]) -> Everywhere:
    """Start answering requests of later ``llmasos`` starts and ``llmasos do``."""
    everywhere = Everywhere(window, kernel, open_model, parent=window)
    everywhere.server.listen()
    return everywhere
