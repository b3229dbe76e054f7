"""The first-run welcome page, and the catalog recommendation it shares with the Models page."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llmasos.errors import LLMasOSError
from llmasos.foundation.models.catalog import CatalogEntry, load_catalog
from llmasos.foundation.platform import hardware

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
        title = QLabel("<h2>{}</h2>".format(self.tr("Welcome to LLMasOS")))
        intro = QLabel(
            self.tr(
                "LLMasOS runs a language model on this computer. Nothing you "
                "write leaves it. To start, get a model:"
            )
        )
        intro.setWordWrap(True)
        self.recommendation = QLabel(self._recommendation_text())
        self.recommendation.setWordWrap(True)
        self.recommendation.setAccessibleName(self.tr("Recommended model"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.message.setStyleSheet("color: palette(highlight);")
        download = QPushButton(self.tr("&Download a model…"))
        download.setAccessibleName(self.tr("Download a model"))
        download.setAccessibleDescription(self.tr("Go to Models → Get models"))
        download.clicked.connect(self.download)
        open_button = QPushButton(self.tr("&Open a GGUF file…"))
        open_button.setAccessibleName(self.tr("Open a GGUF file"))
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

    def _recommendation_text(self) -> str:
        try:
            entries = load_catalog()
        except LLMasOSError as exc:
            return str(exc)
        ram = hardware.available_ram()
        best = recommend_entry(entries, ram)
        if best is None:
            return self.tr(
                "This computer has little free memory; pick the smallest model you can find."
            )
        return self.tr(
            "Recommended for this computer ({free:.1f} GB free): <b>{repo}</b> "
            "({quant}, {params:g}B) — {description}"
        ).format(
            free=ram / 2**30,
            repo=best.repo,
            quant=best.quant,
            params=best.params_b,
            description=best.description,
        )

    def show_message(self, text: str) -> None:
        self.message.setText(text)
