"""The welcome page (no model loaded yet), and the catalog recommendation it shares with
the Models page."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from llmasos.foundation.models.fit import SpeedProfile

from llmasos.apps.gui.common.i18n import ui_language
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import error_text
from llmasos.errors import LLMasOSError
from llmasos.foundation.models.catalog import CatalogEntry, load_catalog
from llmasos.foundation.platform import memory

# Q4_K_M weighs about 0.6 bytes per parameter; keep a third of RAM for the system and the cache
_BYTES_PER_PARAM = 0.6
_RAM_SHARE = 0.66


def recommend_entry(
    entries: tuple[CatalogEntry, ...], available_ram: int, speed: SpeedProfile | None = None
) -> CatalogEntry | None:
    """The largest catalog model whose Q4 weights fit comfortably in ``available_ram``
    and, with this machine's ``speed`` known, whose estimated decode speed is pleasant
    (:data:`~llmasos.foundation.models.fit.PLEASANT_TOKENS_PER_S`); when no fitting model
    is pleasant, the fastest (smallest) one that fits."""
    budget = available_ram * _RAM_SHARE
    fitting = [e for e in entries if e.params_b * 1e9 * _BYTES_PER_PARAM < budget]
    if speed is None or not fitting:
        return max(fitting, key=lambda e: e.params_b, default=None)
    from llmasos.foundation.models import fit

    pleasant = [e for e in fitting if fit.is_pleasant(speed.tokens_per_s(e.approx_size))]
    if pleasant:
        return max(pleasant, key=lambda e: e.params_b)
    return min(fitting, key=lambda e: e.approx_size)


def speed_text(tokens_per_s: float) -> str:
    """The estimate shown next to a fit badge, e.g. "~12 tok/s" ("~1.8 tok/s" below 10)."""
    n = f"{tokens_per_s:.1f}" if tokens_per_s < 10 else f"{tokens_per_s:.0f}"
    return QCoreApplication.translate("WelcomePage", "~{n} tok/s").format(n=n)


def speed_tooltip() -> str:
    """What the speed estimate means."""
    from llmasos.foundation.models import fit

    return QCoreApplication.translate(
        "WelcomePage",
        "Estimated answer speed on this computer, from its memory bandwidth and the model's "
        "size, corrected by the speed of models run here; pleasant from {n} tokens/s.",
    ).format(n=f"{fit.PLEASANT_TOKENS_PER_S:g}")


MEASURE_DELAY_MS = 500  # after the first frame (start-up is ~0.1-0.3 s)


_PATH_ROLE = 0x0100  # Qt.ItemDataRole.UserRole (the Qt namespace costs ~13 ms to build)


class SpeedMeasurer(QObject):
    """Measures this machine's memory bandwidth once, on a thread of its own (never the
    GUI thread), and announces the speed profile; the result is cached per CPU."""

    measured = Signal(object)  # SpeedProfile, delivered on the GUI thread

    def __init__(self) -> None:
        super().__init__()
        self._thread: threading.Thread | None = None

    def ensure(self) -> SpeedProfile | None:
        """The cached profile; None while it is being measured (``measured`` follows)."""
        from llmasos.foundation.models import fit

        cached = fit.cached_speed_profile()
        if cached is None and (self._thread is None or not self._thread.is_alive()):
            self._thread = threading.Thread(
                target=self._measure, name="llmasos-bandwidth", daemon=True
            )
            self._thread.start()
        return cached

    def _measure(self) -> None:  # worker thread
        try:
            from llmasos.foundation.models import fit

            profile = fit.speed_profile()
        except (OSError, MemoryError):
            return  # no estimate then; the recommendation goes by memory alone
        self.measured.emit(profile)


_measurer: SpeedMeasurer | None = None


def speed_measurer() -> SpeedMeasurer:
    """The app's one :class:`SpeedMeasurer` (created on first use, on the GUI thread)."""
    global _measurer
    if _measurer is None:
        _measurer = SpeedMeasurer()
    return _measurer


class WelcomePage(QWidget):
    """Shown while no model is loaded: a recommendation, Download and Open buttons, the
    recent models; under them, once the window is up, the Chat page (:meth:`set_chat`),
    so the conversations stay in view."""

    open_file = Signal()
    download = Signal()
    open_recent = Signal(str)  # the path of a recent model to load

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
        measurer = speed_measurer()
        measurer.measured.connect(self._on_speed_measured)
        self.recommendation = QLabel(self._recommendation_text(None))
        # the speed estimate (cached, or measured) once the window is up: on 2 cores even
        # reading it (a CPU fingerprint) would delay the first frame
        QTimer.singleShot(MEASURE_DELAY_MS, self, self._load_speed)
        self.recommendation.setWordWrap(True)
        self.recommendation.setAccessibleName(self.tr("Recommended model"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.message.setStyleSheet("color: palette(highlight);")
        self.message.hide()
        download = QPushButton(self.tr("&Download a model…"))
        download.setAccessibleName(self.tr("Download a model"))
        download.setAccessibleDescription(self.tr("Go to Models → Get models"))
        download.clicked.connect(self.download)
        download.setIcon(ui_icon("download"))
        open_button = QPushButton(self.tr("&Open a GGUF file…"))
        open_button.setAccessibleName(self.tr("Open a GGUF file"))
        open_button.clicked.connect(self.open_file)
        open_button.setIcon(ui_icon("folder"))
        buttons = QHBoxLayout()
        buttons.addWidget(download)
        buttons.addWidget(open_button)
        buttons.addStretch(1)
        self.recent = QListWidget()
        self.recent.setAccessibleName(self.tr("Recent models"))
        self.recent.setAccessibleDescription(
            self.tr("Models opened before; Enter or a click loads the selected one")
        )
        self.recent.itemClicked.connect(self._on_recent)
        self.recent.itemActivated.connect(self._on_recent)
        self.recent_label = QLabel(self.tr("Recent &models:"))
        self.recent_label.setBuddy(self.recent)
        self.chat_area = QWidget()
        self._chat_layout = QVBoxLayout(self.chat_area)
        self._chat_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        for widget in (title, intro, self.recommendation):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent)
        layout.addWidget(self.chat_area, 1)  # the Chat page, or the room left
        self.show_recent(())

    def _load_speed(self) -> None:
        self.recommendation.setToolTip(speed_tooltip())
        profile = speed_measurer().ensure()
        if profile is not None:
            self._on_speed_measured(profile)

    # -- recent models -----------------------------------------------------------------
    def show_recent(self, paths: Sequence[str]) -> None:
        """List ``paths`` (the latest first); a file no longer there is greyed and marked."""
        self.recent.clear()
        from PySide6.QtGui import QPalette  # only with recent models: keeps start-up light

        missing_color = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for text in paths:
            path = Path(text)
            item = QListWidgetItem(
                self.tr("{name} — {folder}").format(name=path.name, folder=path.parent)
            )
            item.setData(_PATH_ROLE, text)
            item.setToolTip(text)
            if not path.is_file():
                item.setText(self.tr("{name} — not found").format(name=path.name))
                item.setForeground(missing_color)
                item.setToolTip(self.tr("{path} is no longer there").format(path=text))
            self.recent.addItem(item)
        shown = bool(paths)
        self.recent_label.setVisible(shown)
        self.recent.setVisible(shown)
        if shown:
            self.recent.setCurrentRow(0)
            rows = min(len(paths), 5)
            row = max(self.recent.sizeHintForRow(0), self.fontMetrics().height())
            self.recent.setMaximumHeight(rows * row + 2 * self.recent.frameWidth() + 4)

    def recent_paths(self) -> list[str]:
        """The paths listed under Recent models, in order."""
        return [str(self.recent.item(i).data(_PATH_ROLE)) for i in range(self.recent.count())]

    def _on_recent(self, item: QListWidgetItem) -> None:
        self.open_recent.emit(str(item.data(_PATH_ROLE)))

    # -- the Chat page below -------------------------------------------------------------
    @property
    def chat(self) -> QWidget | None:
        """The page shown under the welcome (the Chat page), if any."""
        item = self._chat_layout.itemAt(0)
        return item.widget() if item is not None else None

    def set_chat(self, page: QWidget) -> None:
        """Show ``page`` under the welcome (it leaves the layout it was in)."""
        if self.chat is not page:
            self._chat_layout.addWidget(page)
        page.show()

    def _on_speed_measured(self, profile: SpeedProfile) -> None:
        self.recommendation.setText(self._recommendation_text(profile))

    def _recommendation_text(self, speed: SpeedProfile | None) -> str:
        try:
            entries = load_catalog()
        except LLMasOSError as exc:
            return error_text(exc)
        ram = memory.available_ram()
        best = recommend_entry(entries, ram, speed)
        if best is None:
            return self.tr(
                "This computer has little free memory; pick the smallest model you can find."
            )
        if speed is not None:
            return self.tr(
                "Recommended for this computer ({free:.1f} GB free): <b>{repo}</b> "
                "({quant}, {params:g}B, {speed}) — {description}"
            ).format(
                free=ram / 2**30,
                repo=best.repo,
                quant=best.quant,
                params=best.params_b,
                speed=speed_text(speed.tokens_per_s(best.approx_size)),
                description=best.describe(ui_language()),
            )
        return self.tr(
            "Recommended for this computer ({free:.1f} GB free): <b>{repo}</b> "
            "({quant}, {params:g}B) — {description}"
        ).format(
            free=ram / 2**30,
            repo=best.repo,
            quant=best.quant,
            params=best.params_b,
            description=best.describe(ui_language()),
        )

    def show_message(self, text: str) -> None:
        """Show ``text`` under the buttons (hidden while empty)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
