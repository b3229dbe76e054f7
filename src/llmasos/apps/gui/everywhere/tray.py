"""The tray icon: LLMasOS stays reachable while its main window is closed.

Its menu: the selection actions, *Ask…*, *OCR a screen region…*, *Screenshot
translate…*, *Last answer*,
*Show LLMasOS*, *Quit*.
Closing the main window keeps the app in the tray when Settings say so and the desktop
has a tray; the first time, a tray message says where it went (see :func:`keep_in_tray`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon


def tray_available() -> bool:
    """Whether the desktop shows tray icons now (none under a bare X server)."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class Tray(QObject):
    """The tray icon and its menu.

    Signals (GUI thread):
        action_requested: a selection action from the menu (``"translate"``, ``"proofread"``,
            ``"summarize"``, ``"explain"``), ``"ocr"`` (pick a screen region and show its
            text) or ``"ocr-translate"`` (pick one and translate its text).
        ask_requested: *Ask…*.
        last_answer_requested: *Last answer* (the popup again, with its last answer).
        show_requested: *Show LLMasOS* or a click on the icon.
        quit_requested: *Quit*.
    """

    action_requested = Signal(str)
    ask_requested = Signal()
    last_answer_requested = Signal()
    show_requested = Signal()
    quit_requested = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.menu = QMenu()
        self.menu.setAccessibleName(self.tr("LLMasOS tray menu"))
        entries: list[tuple[str, Callable[[], None]]] = [
            (self.tr("&Translate selection"), lambda: self.action_requested.emit("translate")),
            (self.tr("&Improve selection"), lambda: self.action_requested.emit("proofread")),
            (self.tr("&Summarize selection"), lambda: self.action_requested.emit("summarize")),
            (self.tr("&Explain selection"), lambda: self.action_requested.emit("explain")),
            (self.tr("&Ask…"), self.ask_requested.emit),
            (self.tr("&OCR a screen region…"), lambda: self.action_requested.emit("ocr")),
            (
                self.tr("Screenshot t&ranslate…"),
                lambda: self.action_requested.emit("ocr-translate"),
            ),
            (self.tr("&Last answer"), self.last_answer_requested.emit),
        ]
        self.actions: list[QAction] = []
        for text, slot in entries:
            self.actions.append(self._add(text, slot))
        self.menu.addSeparator()
        self.actions.append(self._add(self.tr("Show &LLMasOS"), self.show_requested.emit))
        self.actions.append(self._add(self.tr("&Quit"), self.quit_requested.emit))
        self.icon = QSystemTrayIcon(icon, self)
        self.icon.setToolTip(self.tr("LLMasOS"))
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)

    def _add(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()

    def show(self) -> None:
        """Show the icon where the desktop has a tray."""
        if tray_available():
            self.icon.show()

    @property
    def is_shown(self) -> bool:
        return self.icon.isVisible()

    def explain(self) -> None:
        """Tell the person (once) that closing the window kept LLMasOS running."""
        self.icon.showMessage(
            self.tr("LLMasOS is still running"),
            self.tr(
                "It stays in the tray so the shortcuts keep working. Quit from the tray "
                "menu, or turn this off in Settings › Everywhere."
            ),
            QSystemTrayIcon.MessageIcon.Information,
            8000,
        )

    def close(self) -> None:
        self.icon.hide()
        self.menu.deleteLater()


def keep_running_without_windows() -> None:
    """Closing the last window no longer quits: the tray's Quit does."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setQuitOnLastWindowClosed(False)
