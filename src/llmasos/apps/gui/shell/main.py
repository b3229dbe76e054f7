"""Start the desktop app: settings, one QApplication, one kernel, the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Qt-free, and loaded here, before PySide6 is (the launcher and `llmasos` import this
# module first): PySide's import hook reads the source of every module imported after it
# (to look for "PySide6"); these bring ~30 modules (dataclasses, json, platformdirs, …)
# that then skip that read, ~3 ms of start-up
from llmasos.foundation.engine.factory import RemoteTarget, open_engine
from llmasos.foundation.settings.store import SettingsStore

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from llmasos.apps.gui.everywhere.controller import Everywhere
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.kernel.kernel import Kernel


_qt_handler: Any = None  # the installed Qt message handler, kept alive
# the Everywhere side starts right after the first frame; a window not painted by then
# (shown on another desktop) gets it anyway after this long
EVERYWHERE_AT_LATEST_MS = 1000


def route_qt_messages() -> None:
    """Send Qt's own messages (``qt.qpa.fonts: …`` and the like) to the log, not stderr.

    They go to the ``llmasos.qt`` logger, so into the log file; on stderr only where a
    stderr handler takes them (``llmasos --debug``).
    """
    global _qt_handler
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("llmasos.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        category = context.category if context.category not in (None, "", "default") else ""
        text = f"{category}: {message}" if category else message
        qt_log.log(levels.get(kind, logging.WARNING), "%s", text)

    _qt_handler = handler
    qInstallMessageHandler(handler)


def _setup_logging() -> None:
    """The log file takes the app's records, huggingface_hub's and Qt's; stderr stays quiet.

    Only what the command line sets up writes to stderr (``llmasos --debug``: everything).
    """
    from llmasos.apps.gui.common.errors import RotatingLog, setup_logging

    setup_logging()
    files = [h for h in logging.getLogger("llmasos").handlers if isinstance(h, RotatingLog)]
    hub_log = logging.getLogger("huggingface_hub")  # its retries and warnings
    for handler in files:
        if handler not in hub_log.handlers:
            hub_log.addHandler(handler)
    route_qt_messages()


class Started:
    """What :func:`start_app` made: the application, the kernel and the shown main window."""

    __slots__ = ("app", "kernel", "window")

    def __init__(self, app: QApplication, kernel: Kernel, window: MainWindow) -> None:
        self.app, self.kernel, self.window = app, kernel, window


def start_app(model: Path | None = None, argv: list[str] | None = None) -> Started:
    """Create the app and show the main window (``bench/gui.py`` times exactly this).

    Only what the first frame needs is imported here: llama.cpp loads on the kernel's
    worker with the first model, other pages and the API server when first used.
    """
    from PySide6.QtWidgets import QApplication

    from llmasos import __version__
    from llmasos.apps.gui.common.errors import install_excepthook
    from llmasos.apps.gui.common.icons import APP_ID, app_icon
    from llmasos.apps.gui.common.theme import apply_theme
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.kernel.kernel import Kernel

    _setup_logging()  # before the application: Qt warns about fonts while it starts
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("LLMasOS")
    app.setOrganizationName("LLMasOS")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)  # lets Wayland match windows to the .desktop file
    install_excepthook()
    from llmasos.kernel.collector import pin_to_gui_thread

    pin_to_gui_thread(app)  # before the kernel's worker can run the cycle collector
    store = SettingsStore()
    settings, warning = store.load()
    apply_theme(app, settings.ui.theme)
    from llmasos.apps.gui.common.i18n import install_translator

    install_translator(app, settings.ui.language)  # before any window reads its texts
    server = settings.remote
    opened = open_engine(
        model=model,
        configured_remote=RemoteTarget(server.url, server.key, server.model),
        default_model=settings.default_model,
    )
    if opened.is_remote:  # the worker asks the server for its model list, off the GUI thread
        model = Path(opened.target or "")
    kernel = Kernel(make_engine=opened.make)
    window = MainWindow(kernel, store, settings, initial_model=model)
    window.show()
    if warning:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(window, QCoreApplication.translate("MainWindow", "Settings"), warning)
    return Started(app, kernel, window)


def _serve_everywhere(started: Started) -> Everywhere:
    """Hotkeys, tray, ``llmasos do``: wired to the main window and its settings."""
    from dataclasses import replace

    from llmasos.apps.gui.common.icons import app_icon
    from llmasos.apps.gui.everywhere import controller
    from llmasos.errors import SettingsError

    window = started.window
    everywhere = controller.serve(
        window,
        started.kernel,
        window.open_model,
        window.settings.everywhere,
        app_icon(),
        open_text=window.open_text,
        open_chat=window.open_chat,
        model_loading=window.loading_model is not None,  # the start-up load came first
    )
    window.settings_changed.connect(lambda s: everywhere.apply_settings(s.everywhere))
    everywhere.hotkeys_reported.connect(window.show_hotkey_problems)
    window.show_hotkey_problems(everywhere.hotkeys.problems())
    window.close_to_tray = everywhere.keeps_running_on_close

    def remember_tray_explained() -> None:
        settings = window.settings
        window.settings = replace(
            settings, everywhere=replace(settings.everywhere, tray_explained=True)
        )
        try:
            window.store.save(window.settings)
        except (SettingsError, OSError) as exc:
            logging.getLogger(__name__).warning("settings not saved: %s", exc)

    everywhere.on_tray_explained = remember_tray_explained
    return everywhere


def _serve_when_shown(started: Started) -> list[Everywhere]:
    """Start the Everywhere side (:func:`_serve_everywhere`) once the main window's first
    frame is out, or after :data:`EVERYWHERE_AT_LATEST_MS` when it has not been painted
    by then; not for a window closed before. The list holds it once started.

    Its modules (the single-instance server, the global shortcuts, the tray, the popup)
    and its X11 and D-Bus connections are then no part of the first frame.
    """
    from PySide6.QtCore import QTimer

    served: list[Everywhere] = []

    def serve() -> None:
        if not served and started.window.isVisible():
            served.append(_serve_everywhere(started))

    started.window.first_frame_shown.connect(serve)
    QTimer.singleShot(EVERYWHERE_AT_LATEST_MS, started.window, serve)
    return served


def run_app(model: Path | None = None, argv: list[str] | None = None) -> int:
    """Start the app (:func:`start_app`), run the event loop; return the exit status.

    When this user's app already runs, it gets the request (show, or open ``model``)
    and this start ends at once with status 0. The single-instance server, the global
    shortcuts and the tray start right after the first frame (:func:`_serve_when_shown`).
    """
    from llmasos.apps.gui.everywhere.instance import hand_over

    if hand_over(model):
        return 0
    started = start_app(model, argv)
    everywhere = _serve_when_shown(started)
    from llmasos.apps.gui.shell.smoke import maybe_schedule_smoke_quit

    maybe_schedule_smoke_quit(started.window)
    status = int(started.app.exec())
    for served in everywhere:
        served.close()
    started.kernel.shutdown(timeout_s=10.0)
    return status


def main() -> int:
    """Entry point of the ``llmasos-gui`` launcher."""
    return run_app()
