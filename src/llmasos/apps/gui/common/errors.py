"""One place for unexpected errors: a log file, and a dialog with "Copy details"."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from llmasos.foundation.platform.paths import app_paths

log = logging.getLogger("llmasos")
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3


class RotatingLog(logging.FileHandler):
    """A log file that is renamed to ``.1`` (``.1`` to ``.2``, …) when it passes a size.

    What :class:`logging.handlers.RotatingFileHandler` does for us, without importing
    that module (sockets, pickle, queues: ~9 ms of every start-up).
    """

    def __init__(
        self, path: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS
    ) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:
        """Format the record once, rotate first if it would pass the size, then write it."""
        try:
            text = self.format(record) + self.terminator
            if self.stream is None:
                self.stream = self._open()
            size = self.stream.tell()
            if size and size + len(text.encode("utf-8")) > self.max_bytes:
                self._rotate()
                self.stream = self._open()
            self.stream.write(text)
            self.flush()
        except Exception:
            self.handleError(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]  # emit opens the new file
        base = Path(self.baseFilename)
        for i in range(self.backups - 1, 0, -1):
            older = base.with_name(f"{base.name}.{i}")
            if older.exists():
                older.replace(base.with_name(f"{base.name}.{i + 1}"))
        if self.backups > 0:
            base.replace(base.with_name(f"{base.name}.1"))
        else:
            base.unlink(missing_ok=True)


def setup_logging() -> Path:
    """Log to ``llmasos.log`` in the logs folder (rotated at 1 MB); return its path."""
    folder = app_paths().logs
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "llmasos.log"
    if not any(isinstance(h, RotatingLog) for h in log.handlers):
        handler = RotatingLog(path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def show_unexpected(details: str, parent: QWidget | None = None) -> None:
    """Log ``details`` and show them in a dialog the person can copy from (GUI thread)."""
    log.error("Unexpected error:\n%s", details)
    from PySide6.QtWidgets import QMessageBox  # its enums cost start-up time; errors are rare

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("ErrorDialog", "LLMasOS — unexpected error"))
    box.setText(
        QCoreApplication.translate(
            "ErrorDialog",
            "Something went wrong inside LLMasOS. Your text is kept. The details "
            "are saved in the log file ({log}); please report them.",
        ).format(log=setup_logging())
    )
    box.setDetailedText(details)
    copy = box.addButton(
        QCoreApplication.translate("ErrorDialog", "&Copy details"),
        QMessageBox.ButtonRole.ActionRole,
    )
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
