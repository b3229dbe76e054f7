"""One place for unexpected errors: a log file, and a dialog with "Copy details"."""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from llmasos.foundation.paths import app_paths

log = logging.getLogger("llmasos")


def setup_logging() -> Path:
    """Log to ``llmasos.log`` in the logs folder (rotated at 1 MB); return its path."""
    folder = app_paths().logs
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "llmasos.log"
    if not any(isinstance(h, RotatingFileHandler) for h in log.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def show_unexpected(details: str, parent: QWidget | None = None) -> None:
    """Log ``details`` and show them in a dialog the person can copy from (GUI thread)."""
    log.error("Unexpected error:\n%s", details)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("ErrorDialog", "LLMasOS — unexpected error"))
    box.setText(QCoreApplication.translate(
        "ErrorDialog", "Something went wrong inside LLMasOS. Your text is kept. The details "
        "are saved in the log file ({log}); please report them.").format(log=setup_logging()))
    box.setDetailedText(details)
    copy = box.addButton(QCoreApplication.translate("ErrorDialog", "&Copy details"),
                         QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.open()


def install_excepthook() -> None:
    """Route uncaught exceptions on the GUI thread to :func:`show_unexpected`."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, exc, tb))
        if QApplication.instance() is None:
            sys.__excepthook__(kind, exc, tb)
            return
        show_unexpected(details)

    sys.excepthook = hook
