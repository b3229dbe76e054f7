"""Start the desktop app: one QApplication, the main window, the kernel."""

from __future__ import annotations

import sys
from pathlib import Path


def run_app(model: Path | None = None, argv: list[str] | None = None) -> int:
    """Create the app, show the main window, run the event loop; return the exit status."""
    from PySide6.QtWidgets import QApplication

    from llmasos import __version__
    from llmasos.apps.gui.window import MainWindow

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("LLMasOS")
    app.setOrganizationName("LLMasOS")
    app.setApplicationVersion(__version__)
    window = MainWindow(initial_model=model)
    window.show()
    return int(app.exec())


def main() -> int:
    """Entry point of the ``llmasos-gui`` launcher."""
    return run_app()
