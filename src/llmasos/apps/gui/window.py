"""The main window (the shell that hosts Chat, Write, Translate, Models, Settings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow


class MainWindow(QMainWindow):
    """The LLMasOS main window."""

    def __init__(self, initial_model: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("LLMasOS")
        self.resize(1100, 720)
        self.setCentralWidget(QLabel("LLMasOS"))
        self._initial_model = initial_model
