"""The Models page's download queue: one download at a time, each row with progress.

Each row has a progress bar (bytes, speed, time left), Pause/Resume and Cancel.
Downloads run on the page's :class:`~llmasos.apps.gui.common.background.BackgroundRunner`
through :class:`~llmasos.foundation.hub.download.Downloader`, which keeps a paused
download's partial file so Resume (even after a restart) continues with HTTP Range.
A finished download is registered in the :class:`ModelStore` on the worker thread.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.background import BackgroundRunner, TaskContext
from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.models.common import ClientFactory, duration, gb, make_button
from llmasos.errors import LLMasOSError
from llmasos.foundation.hub.download import (
    DownloadControl,
    Downloader,
    DownloadProgress,
    DownloadResult,
)
from llmasos.foundation.hub.download_parts import Unfinished
from llmasos.foundation.hub.types import GgufEntry
from llmasos.foundation.models.store import InstalledModel, ModelStore

Phase = Literal[
    "queued", "running", "pausing", "paused", "failed", "cancelling", "cancelled", "done"
]
PROGRESS_INTERVAL_S = 0.1  # at most this often a progress report crosses to the GUI thread
BAR_STEPS = 1000  # QProgressBar holds an int: show permille, not bytes
_ACTIVE: frozenset[Phase] = frozenset(
    {"queued", "running", "pausing", "paused", "failed", "cancelling"}
)


@dataclass(frozen=True)
class DownloadOutcome:
    """What a download job ended with: the result, and the store entry when installed."""

    result: DownloadResult
    model: InstalledModel | None


def download_job(
    ctx: TaskContext,
    make_client: ClientFactory,
    store: ModelStore,
    repo: str,
    entry: GgufEntry,
    control: DownloadControl,
) -> DownloadOutcome:
    """Download, verify and register ``entry`` (worker thread); reports DownloadProgress."""
    last = [0.0]

    def progress(p: DownloadProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL_S or p.done >= p.total:
            last[0] = now
            ctx.report(p)

    result = Downloader(make_client(), store.folder).download(
        repo, entry, progress=progress, control=control
    )
    if not result.is_complete:
        return DownloadOutcome(result, None)
    model = store.register(
        result.paths[0],
        source=f"hf:{repo}",
        sha256=result.sha256[0],
        revision=result.revision,
        file=result.files[0],
    )
    return DownloadOutcome(result, model)


def discard_job(make_client: ClientFactory, store: ModelStore, entry: GgufEntry) -> None:
    """Delete the kept partial data of ``entry`` (worker thread)."""
    Downloader(make_client(), store.folder).discard_partial(entry)


def progress_text(p: DownloadProgress) -> str:
    """``120.5 MB of 1.20 GB · 12.3 MB/s · 1:32 left``."""
    return QCoreApplication.translate(
        "ModelsPage", "{done} of {total} · {speed:.1f} MB/s · {eta} left"
    ).format(done=gb(p.done), total=gb(p.total), speed=p.speed / 1e6, eta=duration(p.eta_s))


class DownloadRow(QFrame):
    """One queued download: name, progress bar, details, Pause/Resume and Cancel."""

    def __init__(self, repo: str, entry: GgufEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo, self.entry = repo, entry
        self.phase: Phase = "queued"
        self.control = DownloadControl()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        name = entry.name.rsplit("/", 1)[-1]
        self.setAccessibleName(self.tr("Download of {name}").format(name=name))
        title = QLabel(f"<b>{html.escape(name)}</b> — {html.escape(repo)} ({gb(entry.size)})")
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setAccessibleName(self.tr("Progress of {name}").format(name=name))
        self.detail = QLabel(self.tr("Waiting…"))
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName(self.tr("Status of {name}").format(name=name))
        self.pause_button = make_button(
            self.tr("&Pause"), self.tr("Pause {name}").format(name=name), lambda: None, "pause"
        )
        self.cancel_button = make_button(
            self.tr("&Cancel"), self.tr("Cancel {name}").format(name=name), lambda: None, "close"
        )
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.pause_button)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        self._name = name

    @property
    def is_active(self) -> bool:
        """Not yet finished, cancelled or given up on."""
        return self.phase in _ACTIVE

    def set_phase(self, phase: Phase, text: str) -> None:
        """Show a new state and enable the buttons that make sense in it."""
        self.phase = phase
        self.detail.setText(text)
        resumable = phase in ("paused", "failed")
        if phase == "failed":
            label, name = self.tr("&Retry"), self.tr("Retry {name}")
        elif resumable:
            label, name = self.tr("&Resume"), self.tr("Resume {name}")
        else:
            label, name = self.tr("&Pause"), self.tr("Pause {name}")
        self.pause_button.setText(label)
        self.pause_button.setAccessibleName(name.format(name=self._name))
        self.pause_button.setEnabled(phase in ("queued", "running", "paused", "failed"))
        self.cancel_button.setEnabled(phase in ("queued", "running", "pausing", "paused", "failed"))
        if phase == "done":
            self.bar.setValue(BAR_STEPS)

    def show_progress(self, p: DownloadProgress) -> None:
        """Move the bar and update bytes, speed and time left (GUI thread)."""
        if self.phase == "running":
            self.bar.setValue(int(p.fraction * BAR_STEPS))
            self.detail.setText(progress_text(p))


class DownloadQueue(QWidget):
    """The download queue. Runs one download at a time, in the order queued.

    Args:
        runner: Where downloads run.
        make_client: Called on the GUI thread when a download starts; returns a factory
            of Hub clients (endpoint and token from the current settings).
        store: Where finished downloads are registered.
    """

    installed = Signal(object)  # InstalledModel, on the GUI thread
    changed = Signal()  # a row was added, or one started or ended

    def __init__(
        self,
        runner: BackgroundRunner,
        make_client: Callable[[], ClientFactory],
        store: ModelStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner, self._make_client, self._store = runner, make_client, store
        self.rows: list[DownloadRow] = []
        self.running: DownloadRow | None = None
        self._box = QVBoxLayout()
        self._box.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setAccessibleName(self.tr("Download queue"))
        self.empty = QLabel(
            self.tr("No downloads yet. Choose a file under “Get models” and press Download.")
        )
        self.empty.setWordWrap(True)
        clear = make_button(
            self.tr("Clear &finished"),
            self.tr("Clear finished downloads"),
            self.clear_finished,
            "delete",
        )
        row = QHBoxLayout()
        row.addWidget(self.empty, 1)
        row.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(scroll, 1)

    def enqueue(self, repo: str, entry: GgufEntry) -> DownloadRow | None:
        """Add a download to the queue; None when the same file is already queued."""
        for existing in self.rows:
            if existing.is_active and (existing.repo, existing.entry) == (repo, entry):
                return None
        row = self._add_row(repo, entry)
        row.set_phase("queued", self.tr("Waiting for the downloads before it."))
        self.changed.emit()
        self._pump()
        return row

    def restore(self, unfinished: Sequence[Unfinished]) -> list[DownloadRow]:
        """Paused rows for downloads an earlier run left unfinished; Resume continues them."""
        rows = []
        for item in unfinished:
            row = self._add_row(item.repo, item.entry)
            row.bar.setValue(int(item.fraction * BAR_STEPS))
            row.set_phase(
                "paused",
                self.tr(
                    "Interrupted at {percent:.1f}% when LLMasOS last ran; Resume continues where "
                    "it stopped."
                ).format(percent=item.fraction * 100),
            )
            rows.append(row)
        if rows:
            self.changed.emit()
        return rows

    def _add_row(self, repo: str, entry: GgufEntry) -> DownloadRow:
        row = DownloadRow(repo, entry)
        row.pause_button.clicked.connect(lambda: self.toggle_pause(row))
        row.cancel_button.clicked.connect(lambda: self.cancel(row))
        self.rows.append(row)
        self._box.insertWidget(self._box.count() - 1, row)
        self._count_rows()
        return row

    def _pump(self) -> None:
        if self.running is not None:
            return
        waiting = next((r for r in self.rows if r.phase == "queued"), None)
        if waiting is not None:
            self._start(waiting)

    def _start(self, row: DownloadRow) -> None:
        try:
            factory = self._make_client()
        except LLMasOSError as exc:
            row.set_phase("failed", error_text(exc))
            return
        row.control = control = DownloadControl()
        row.set_phase("running", self.tr("Connecting…"))
        self.running = row
        store, repo, entry = self._store, row.repo, row.entry
        task = self._runner.run(
            lambda ctx: download_job(ctx, factory, store, repo, entry, control), stop=control.pause
        )
        task.progressed.connect(row.show_progress)
        task.succeeded.connect(lambda outcome: self._ended(row, outcome))
        task.failed.connect(lambda message: self._failed(row, message))
        task.cancelled.connect(
            lambda: row.set_phase("paused", self.tr("Paused; Resume continues where it stopped."))
        )
        task.finished.connect(lambda: self._finished(row))
        self.changed.emit()

    def _ended(self, row: DownloadRow, outcome: DownloadOutcome) -> None:
        status = outcome.result.status
        if status == "completed" and outcome.model is not None:
            row.set_phase(
                "done",
                self.tr("Installed {name} (SHA-256 verified).").format(name=outcome.model.name),
            )
            self.installed.emit(outcome.model)
        elif status == "cancelled":
            row.set_phase("cancelled", self.tr("Cancelled; the partial file was deleted."))
        elif row.control.discard:  # Cancel pressed while it was pausing
            self._discard(row)
        else:
            row.set_phase(
                "paused",
                self.tr("Paused at {percent:.1f}%; Resume continues where it stopped.").format(
                    percent=row.bar.value() / 10
                ),
            )

    def _failed(self, row: DownloadRow, message: str) -> None:
        if row.control.discard:
            self._discard(row)
        else:
            row.set_phase("failed", message)

    def _finished(self, row: DownloadRow) -> None:
        if self.running is row:
            self.running = None
        self.changed.emit()
        self._pump()

    def toggle_pause(self, row: DownloadRow) -> None:
        """Pause a queued or running download, or resume a paused or failed one."""
        if row.phase == "running":
            row.control.pause()
            row.set_phase("pausing", self.tr("Pausing…"))
        elif row.phase == "queued":
            row.set_phase("paused", self.tr("Paused before it started."))
        elif row.phase in ("paused", "failed"):
            row.set_phase("queued", self.tr("Waiting for the downloads before it."))
            self._pump()

    def cancel(self, row: DownloadRow) -> None:
        """Stop a download and delete its partial file."""
        if row is self.running:
            row.control.cancel()
            row.set_phase("cancelling", self.tr("Cancelling…"))
        elif row.is_active:
            self._discard(row)

    def _discard(self, row: DownloadRow) -> None:
        row.set_phase("cancelling", self.tr("Deleting the partial file…"))
        try:
            factory = self._make_client()
        except LLMasOSError as exc:
            row.set_phase("failed", error_text(exc))
            return
        store = self._store
        task = self._runner.run(lambda ctx: discard_job(factory, store, row.entry))
        task.succeeded.connect(
            lambda _r: row.set_phase(
                "cancelled", self.tr("Cancelled; the partial file was deleted.")
            )
        )
        task.failed.connect(lambda message: row.set_phase("failed", message))
        task.finished.connect(self.changed)

    def clear_finished(self) -> None:
        """Remove finished and cancelled downloads from the list."""
        for row in [r for r in self.rows if not r.is_active]:
            self.rows.remove(row)
            self._box.removeWidget(row)
            row.deleteLater()
        self._count_rows()
        self.changed.emit()

    def _count_rows(self) -> None:
        n = len(self.rows)
        if n == 1:
            self.empty.setText(self.tr("1 download."))
        else:
            self.empty.setText(
                self.tr("{n} downloads.").format(n=n) if n else self.tr("No downloads.")
            )

    @property
    def active_count(self) -> int:
        """Downloads queued, running or paused."""
        return sum(r.is_active for r in self.rows)
