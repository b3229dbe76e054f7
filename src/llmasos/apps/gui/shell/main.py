"""Start the desktop app: settings, one QApplication, one kernel, the main window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.kernel.kernel import Kernel


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
    from llmasos.apps.gui.common.errors import install_excepthook, setup_logging
    from llmasos.apps.gui.common.icons import APP_ID, app_icon
    from llmasos.apps.gui.common.theme import apply_theme
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("LLMasOS")
    app.setOrganizationName("LLMasOS")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)  # lets Wayland match windows to the .desktop file
    setup_logging()
    install_excepthook()
    store = SettingsStore()
    settings, warning = store.load()
    apply_theme(app, settings.ui.theme)
    from llmasos.apps.gui.common.i18n import install_translator

    install_translator(app, settings.ui.language)  # before any window reads its texts
    from llmasos.foundation.engine.factory import RemoteTarget, open_engine

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


def run_app(model: Path | None = None, argv: list[str] | None = None) -> int:
    """Start the app (:func:`start_app`), run the event loop; return the exit status."""
    started = start_app(model, argv)
    from llmasos.apps.gui.shell.smoke import maybe_schedule_smoke_quit

    maybe_schedule_smoke_quit(started.window)
    status = int(started.app.exec())
    started.kernel.shutdown(timeout_s=10.0)
    return status


def main() -> int:
    """Entry point of the ``llmasos-gui`` launcher."""
    return run_app()
