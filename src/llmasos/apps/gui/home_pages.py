"""The first-run welcome page and the Models page (installed models, open a file)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llmasos.errors import LLMasOSError
from llmasos.foundation import hardware
from llmasos.foundation.catalog import CatalogEntry, load_catalog
from llmasos.foundation.model_store import installed_models
from llmasos.kernel.kernel import Kernel

# Q4_K_M weighs about 0.6 bytes per parameter; keep a third of RAM for the system and the cache
_BYTES_PER_PARAM = 0.6
_RAM_SHARE = 0.66


def recommend_entry(entries: tuple[CatalogEntry, ...], available_ram: int) -> CatalogEntry | None:
    """The largest catalog model whose Q4 weights fit comfortably in ``available_ram``."""
    budget = available_ram * _RAM_SHARE
    fitting = [e for e in entries if e.params_b * 1e9 * _BYTES_PER_PARAM < budget]
    return max(fitting, key=lambda e: e.params_b, default=None)


class WelcomePage(QWidget):
    """Shown while no model is loaded: a recommendation, Download and Open buttons."""

    open_file = Signal()
    download = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h2>Welcome to LLMasOS</h2>")
        intro = QLabel("LLMasOS runs a language model on this computer. Nothing you write "
                       "leaves it. To start, get a model:")
        intro.setWordWrap(True)
        self.recommendation = QLabel(self._recommendation_text())
        self.recommendation.setWordWrap(True)
        self.recommendation.setAccessibleName("Recommended model")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.setStyleSheet("color: palette(highlight);")
        download = QPushButton("&Download a model…")
        download.setAccessibleName("Download a model")
        download.clicked.connect(self.download)
        open_button = QPushButton("&Open a GGUF file…")
        open_button.setAccessibleName("Open a GGUF file")
        open_button.clicked.connect(self.open_file)
        buttons = QHBoxLayout()
        buttons.addWidget(download)
        buttons.addWidget(open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (title, intro, self.recommendation):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)

    @staticmethod
    def _recommendation_text() -> str:
        try:
            entries = load_catalog()
        except LLMasOSError as exc:
            return str(exc)
        ram = hardware.snapshot().available_ram
        best = recommend_entry(entries, ram)
        if best is None:
            return "This computer has little free memory; pick the smallest model you can find."
        return (f"Recommended for this computer ({ram / 2**30:.1f} GB free): "
                f"<b>{best.repo}</b> ({best.quant}, {best.params_b:g}B) — {best.description}")

    def show_message(self, text: str) -> None:
        self.message.setText(text)


class ModelsPage(QWidget):
    """Installed models, with Load and Open a GGUF file."""

    open_requested = Signal(object)  # Path

    def __init__(self, kernel: Kernel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kernel = kernel
        self.installed = QListWidget()
        self.installed.setAccessibleName("Installed models")
        self.installed.itemActivated.connect(self._load_item)
        load = QPushButton("&Load")
        load.setAccessibleName("Load the selected model")
        load.clicked.connect(lambda: self._load_item(self.installed.currentItem()))
        open_button = QPushButton("Open a &GGUF file…")
        open_button.setAccessibleName("Open a GGUF file")
        open_button.clicked.connect(lambda: self.window().choose_model_file())  # type: ignore[attr-defined]
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        row = QHBoxLayout()
        row.addWidget(load)
        row.addWidget(open_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Installed models</b>"))
        layout.addWidget(self.installed, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the models folder."""
        self.installed.clear()
        for path in installed_models():
            item = QListWidgetItem(path.name)
            item.setData(256, str(path))
            self.installed.addItem(item)

    def _load_item(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_requested.emit(Path(item.data(256)))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
