"""Small pieces the Models page's panels share: tables, number formats, fit badges, jobs.

The ``*_job`` functions and the frozen dataclasses they return are plain Python: they
run on a :class:`~llmasos.apps.gui.common.background.BackgroundRunner` worker thread and never
touch a widget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.foundation.hub.types import GgufEntry
from llmasos.foundation.models.fit import FitEstimate, estimate_for_entry, recommend
from llmasos.foundation.platform import hardware

if TYPE_CHECKING:
    from llmasos.foundation.hub.client import HubClient

ClientFactory = Callable[[], "HubClient"]  # called on a worker thread
FIT_LABELS = {
    "fits": QT_TRANSLATE_NOOP("ModelsPage", "fits"),
    "tight": QT_TRANSLATE_NOOP("ModelsPage", "tight"),
    "too_big": QT_TRANSLATE_NOOP("ModelsPage", "too big"),
}
FIT_COLOURS = {"fits": "#2e7d32", "tight": "#ef6c00", "too_big": "#c62828"}
RECOMMENDED = QT_TRANSLATE_NOOP("ModelsPage", "★ recommended")


def tr(text: str) -> str:
    """``text`` (marked in the "ModelsPage" context) in the UI's language."""
    return QCoreApplication.translate("ModelsPage", text)


def gb(n: int) -> str:
    """Bytes as gigabytes (MB below one GB), e.g. ``4.68 GB``."""
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB"


def duration(seconds: float | None) -> str:
    """``m:ss`` (or ``h:mm:ss``); ``--:--`` when unknown."""
    if seconds is None:
        return "--:--"
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def make_button(text: str, name: str, slot: Callable[[], None], icon: str = "") -> QPushButton:
    """A push button with an accessible name (``icon``: an interface icon's name)."""
    widget = QPushButton(text)
    widget.setAccessibleName(name)
    if icon:
        widget.setIcon(ui_icon(icon))
    widget.clicked.connect(slot)
    return widget


def make_table(name: str, headers: Sequence[str]) -> QTableWidget:
    """A read-only table that selects whole rows, one at a time."""
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def selected_row(table: QTableWidget) -> int:
    """The selected row of a one-row-at-a-time table, or -1 when none is selected."""
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else -1


def make_busy(name: str) -> QProgressBar:
    """A small "working…" bar with no percentage, hidden until a network wait shows it."""
    bar = QProgressBar()
    bar.setAccessibleName(name)
    bar.setRange(0, 0)  # indeterminate: it moves while nothing is known of the progress
    bar.setTextVisible(False)
    bar.setMaximumWidth(120)
    bar.hide()
    return bar


def cell(text: str, tooltip: str = "", *, align_right: bool = False) -> QTableWidgetItem:
    """A table cell with optional tooltip."""
    item = QTableWidgetItem(text)
    if tooltip:
        item.setToolTip(tooltip)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def fit_cell(fit: FitEstimate) -> QTableWidgetItem:
    """A fit badge: the verdict in its colour, the numbers as tooltip."""
    item = cell(tr(FIT_LABELS[fit.verdict]), fit.describe())
    item.setForeground(QColor(FIT_COLOURS[fit.verdict]))
    item.setData(Qt.ItemDataRole.AccessibleTextRole, fit.describe())
    return item


def languages_cell(languages: Sequence[str], shown: int = 3) -> QTableWidgetItem:
    """The first ``shown`` language codes and how many more ("zh, en, fr +10"), all of
    them in the tooltip: a model's dozen codes made the catalog wider than its pane,
    and the column was cut at its edge."""
    more = len(languages) - shown
    text = ", ".join(languages[:shown]) + (f" +{more}" if more > 0 else "")
    whole = ", ".join(languages)
    item = cell(text, whole if more > 0 else "")
    item.setData(Qt.ItemDataRole.AccessibleTextRole, whole)
    return item


def fill_row(table: QTableWidget, row: int, items: Sequence[QTableWidgetItem]) -> None:
    """Put ``items`` into ``row``, one per column."""
    for column, item in enumerate(items):
        table.setItem(row, column, item)


@dataclass(frozen=True)
class FileChoice:
    """One downloadable model of a repository, with its fit on this machine."""

    entry: GgufEntry
    fit: FitEstimate
    is_recommended: bool


@dataclass(frozen=True)
class RepoFiles:
    """A repository's GGUF models, as listed for the files table."""

    repo: str
    choices: tuple[FileChoice, ...]


def list_files_job(make_client: ClientFactory, repo: str, context: int) -> RepoFiles:
    """List ``repo``'s GGUF models with fit estimates (worker thread)."""
    entries = make_client().list_gguf(repo)
    available, vram = hardware.available_ram(), hardware.gpu_memory()  # once per listing
    best = recommend(entries, context, repo_id=repo, available=available, vram=vram)
    return RepoFiles(
        repo,
        tuple(
            FileChoice(
                e,
                estimate_for_entry(e, context, repo_id=repo, available=available, vram=vram),
                e is best,
            )
            for e in entries
        ),
    )
