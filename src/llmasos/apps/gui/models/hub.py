"""The Models page's "Get models" panels: the catalog, Hub search, a repository's files.

Network work runs on the page's :class:`~llmasos.apps.gui.common.background.BackgroundRunner`
(each panel in an exclusive group: a new search supersedes the previous one), never on
the GUI thread and never through the inference kernel. A busy bar moves for as long as
a panel waits on the network, and a button is enabled only when pressing it can act.

The "★ recommended" badge has the first column of its table, so that a long model or
file name can never push it out of sight; in the catalog the recommended model also
comes first, selected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.background import BackgroundRunner, Task
from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP, ui_language
from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.models.common import (
    RECOMMENDED,
    ClientFactory,
    RepoFiles,
    cell,
    fill_row,
    fit_cell,
    gb,
    languages_cell,
    list_files_job,
    make_busy,
    make_button,
    make_table,
    selected_row,
    tr,
)
from llmasos.apps.gui.shell.home_pages import (
    recommend_entry,
    speed_measurer,
    speed_text,
    speed_tooltip,
)
from llmasos.errors import LLMasOSError
from llmasos.foundation.hub.types import GgufEntry, RepoSummary, SortKey
from llmasos.foundation.models import fit
from llmasos.foundation.models.catalog import CatalogEntry, load_catalog
from llmasos.foundation.models.fit import AUTO, FitEstimate, SpeedProfile, estimate_for_file
from llmasos.foundation.platform import hardware

SORT_KEYS = (
    (QT_TRANSLATE_NOOP("ModelsPage", "Most downloaded"), "downloads"),
    (QT_TRANSLATE_NOOP("ModelsPage", "Most liked"), "likes"),
)
SEARCH_LIMIT = 50


def _status_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


def catalog_fit(
    entry: CatalogEntry, context: int, available: int, vram: int | None = AUTO
) -> FitEstimate:
    """Fit of a catalog model before its files are listed: size from parameters × bits."""
    return estimate_for_file(
        entry.approx_size,
        context,
        name=f"{entry.params_b:g}B",
        quantization=entry.quant,
        available=available,
        vram=vram,
    )


def speed_cell(size: int, speed: SpeedProfile | None) -> QTableWidgetItem:
    """The estimated decode speed next to the fit badge ("~12 tok/s"); empty until this
    machine's bandwidth is known."""
    if speed is None:
        return cell("")
    tps = speed.tokens_per_s(size)
    return cell(speed_text(tps), speed_tooltip(), align_right=True)


def _show_busy_while(bar: QWidget, runner: BackgroundRunner, group: str, task: Task) -> None:
    """Show ``bar`` until ``group`` has no task running (a newer one keeps it shown)."""
    bar.show()
    task.finished.connect(lambda: bar.setVisible(runner.running(group) is not None))


class CatalogPanel(QWidget):
    """The curated models with fit badges, the recommended one first and selected.

    The selected model's files are listed (``repo_chosen``) while the panel is shown: a
    click or an arrow key lists them after a short pause, and the recommended model,
    selected when the catalog opens, has its files shown at once, as a click would.
    Nothing reaches the network while the panel is hidden (the app's start). "Show
    files" and Enter list them again (after an error, say).
    """

    repo_chosen = Signal(str)
    BADGE, MODEL, PARAMETERS, QUANTIZATION, FIT, SPEED, LANGUAGES = range(7)  # columns
    FOLLOW_MS = 250  # arrowing down the list lists only the row it stops on

    def __init__(self, context: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._shown_repo: str | None = None  # the last repository whose files it listed
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(self.FOLLOW_MS)
        self._follow.timeout.connect(self._show_selected_files)
        self.table = make_table(
            self.tr("Recommended models"),
            (
                "",
                self.tr("Model"),
                self.tr("Parameters"),
                self.tr("Quantization"),
                self.tr("Fit"),
                self.tr("Speed"),
                self.tr("Languages"),
                self.tr("Licence"),
                self.tr("Description"),
            ),
        )
        self.table.itemActivated.connect(lambda _item: self._choose())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemSelectionChanged.connect(self._follow.start)
        self.status = _status_label(self.tr("Catalog status"))
        self.show_button = make_button(
            self.tr("Show &files"),
            self.tr("Show the files of the selected model"),
            self._choose,
            "file",
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.show_button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        self.entries: tuple[CatalogEntry, ...] = ()
        speed_measurer().measured.connect(self._on_speed_measured)
        self.refresh()

    def _on_speed_measured(self, _profile: SpeedProfile) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-estimate fit against the memory available now; the recommended model first.

        The selected model stays selected; with none, the recommended one is.
        """
        was = self.selected()
        try:
            entries = load_catalog()
        except LLMasOSError as exc:
            self.status.setText(error_text(exc))
            self._update_buttons()
            return
        available, vram = hardware.available_ram(), hardware.gpu_memory()  # once per refresh
        speed = fit.cached_speed_profile()  # measured off the GUI thread by the welcome page
        best = recommend_entry(entries, available, speed)
        self.entries = tuple(sorted(entries, key=lambda e: e is not best))  # stable: best first
        context = self._context()
        self.table.setRowCount(len(self.entries))
        language = ui_language()
        for row, e in enumerate(self.entries):
            described = e.describe(language)
            fill_row(
                self.table,
                row,
                (
                    cell(tr(RECOMMENDED) if e is best else ""),
                    cell(e.repo, described),
                    cell(f"{e.params_b:g}B", align_right=True),
                    cell(e.quant),
                    fit_cell(catalog_fit(e, context, available, vram)),
                    speed_cell(e.approx_size, speed),
                    languages_cell(e.languages),
                    cell(e.licence),
                    cell(described, described),
                ),
            )
        repos = [e.repo for e in self.entries]
        keep = was.repo if was is not None else best.repo if best is not None else None
        if keep in repos:
            self.table.selectRow(repos.index(keep))
        self._update_buttons()
        self.status.setText(
            self.tr(
                "{n} recommended models. Fit is estimated for {context} "
                "tokens of context; hover a badge for the numbers."
            ).format(n=len(self.entries), context=context)
        )

    def selected(self) -> CatalogEntry | None:
        """The selected model's catalog entry."""
        row = selected_row(self.table)
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _update_buttons(self) -> None:
        self.show_button.setEnabled(self.selected() is not None)

    def _choose(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._shown_repo = entry.repo
            self.repo_chosen.emit(entry.repo)

    def _show_selected_files(self) -> None:
        """List the selected model's files, unless they are the ones listed already or
        the panel is hidden (its showEvent comes back here)."""
        entry = self.selected()
        if self.isVisible() and entry is not None and entry.repo != self._shown_repo:
            self._choose()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown: the selected model's files, the recommended one's when the catalog opens."""
        super().showEvent(event)
        self._follow.stop()
        self._show_selected_files()


class SearchPanel(QWidget):
    """Search the Hub for GGUF repositories, sorted by downloads or likes."""

    repo_chosen = Signal(str)

    def __init__(
        self,
        runner: BackgroundRunner,
        make_client: Callable[[], ClientFactory],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner, self._make_client = runner, make_client
        self.query = QLineEdit()
        self.query.setAccessibleName(self.tr("Search the Hub"))
        self.query.setPlaceholderText(self.tr("Search the Hugging Face Hub, e.g. qwen2.5 instruct"))
        self.query.returnPressed.connect(self.search)
        self.query.textChanged.connect(lambda _text: self._update_buttons())
        self.sort = QComboBox()
        self.sort.setAccessibleName(self.tr("Sort results by"))
        for label, key in SORT_KEYS:
            self.sort.addItem(tr(label), key)
        self.sort.currentIndexChanged.connect(lambda _i: self._resort())
        self.search_button = make_button(
            self.tr("&Search"), self.tr("Search"), self.search, "search"
        )
        self.results = make_table(
            self.tr("Search results"),
            (self.tr("Repository"), self.tr("Downloads"), self.tr("Likes"), self.tr("Access")),
        )
        self.results.itemActivated.connect(lambda _item: self._choose())
        self.results.itemSelectionChanged.connect(self._update_buttons)
        self.show_button = make_button(
            self.tr("Show f&iles"),
            self.tr("Show the files of the selected repository"),
            self._choose,
            "file",
        )
        self.busy = make_busy(self.tr("Searching the Hub"))
        self.status = _status_label(self.tr("Search status"))
        self.repos: list[RepoSummary] = []
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.sort)
        top.addWidget(self.search_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.show_button)
        bottom.addWidget(self.busy)
        bottom.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        layout.addLayout(bottom)
        self._update_buttons()

    def sort_key(self) -> SortKey:
        """The chosen order: "downloads" or "likes"."""
        return cast(SortKey, self.sort.currentData())

    def search(self) -> None:
        """Search for the query on a worker thread (a new search replaces a running one)."""
        text, key = self.query.text().strip(), self.sort_key()
        if not text:
            self.status.setText(self.tr("Type part of a model's name first."))
            return
        try:
            factory = self._make_client()
        except LLMasOSError as exc:
            self.status.setText(error_text(exc))
            return
        self.status.setText(self.tr("Searching for “{query}”…").format(query=text))
        task = self._runner.run(
            lambda ctx: factory().search(text, sort=key, limit=SEARCH_LIMIT), group="search"
        )
        task.succeeded.connect(lambda repos: self._show(text, repos))
        task.failed.connect(self.status.setText)
        _show_busy_while(self.busy, self._runner, "search", task)

    def _resort(self) -> None:
        if self.query.text().strip() and self.repos:
            self.search()

    def _show(self, text: str, repos: list[RepoSummary]) -> None:
        self.repos = list(repos)
        self.results.clearSelection()  # a row of the old results is another repository now
        self.results.setRowCount(len(self.repos))
        for row, r in enumerate(self.repos):
            fill_row(
                self.results,
                row,
                (
                    cell(r.repo_id),
                    cell(f"{r.downloads:,}", align_right=True),
                    cell(f"{r.likes:,}", align_right=True),
                    cell(self.tr("gated: needs a token") if r.gated else self.tr("open")),
                ),
            )
        self.status.setText(
            self.tr("{n} repositories with GGUF files match “{query}”.").format(
                n=len(repos), query=text
            )
            if repos
            else self.tr("No GGUF repositories match “{query}”.").format(query=text)
        )
        self._update_buttons()

    def selected(self) -> RepoSummary | None:
        """The selected search result."""
        row = selected_row(self.results)
        return self.repos[row] if 0 <= row < len(self.repos) else None

    def _update_buttons(self) -> None:
        self.search_button.setEnabled(bool(self.query.text().strip()))
        self.show_button.setEnabled(self.selected() is not None)

    def _choose(self) -> None:
        repo = self.selected()
        if repo is not None:
            self.repo_chosen.emit(repo.repo_id)


class FilesPanel(QWidget):
    """A repository's GGUF models: size, quantization, fit, the recommended one; Download."""

    download_requested = Signal(str, object)  # repo, GgufEntry
    BADGE, FILE, QUANTIZATION, SIZE, FIT, SPEED = range(6)  # columns

    def __init__(
        self,
        runner: BackgroundRunner,
        make_client: Callable[[], ClientFactory],
        context: Callable[[], int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner, self._make_client, self._context = runner, make_client, context
        self.title = QLabel(self.tr("<b>Files</b>"))
        self.table = make_table(
            self.tr("Model files"),
            (
                "",
                self.tr("File"),
                self.tr("Quantization"),
                self.tr("Size"),
                self.tr("Fit"),
                self.tr("Speed"),
            ),
        )
        self.table.itemActivated.connect(lambda _item: self.download_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.download_button = make_button(
            self.tr("&Download"),
            self.tr("Download the selected file"),
            self.download_selected,
            "download",
        )
        self.busy = make_busy(self.tr("Listing the files"))
        self.status = _status_label(self.tr("Files status"))
        self.status.setText(self.tr("Choose a model in the catalog or the search results."))
        self.files: RepoFiles | None = None
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.busy)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._update_buttons()

    def show_repo(self, repo: str) -> None:
        """List ``repo``'s files on a worker thread."""
        try:
            factory = self._make_client()
        except LLMasOSError as exc:
            self.status.setText(error_text(exc))
            return
        context = self._context()
        self.title.setText("<b>{}</b>".format(self.tr("Files of {repo}").format(repo=repo)))
        self.files = None
        self.table.setRowCount(0)
        self._update_buttons()
        self.status.setText(self.tr("Listing the files of {repo}…").format(repo=repo))
        task = self._runner.run(lambda ctx: list_files_job(factory, repo, context), group="files")
        task.succeeded.connect(self._show)
        task.failed.connect(self.status.setText)
        _show_busy_while(self.busy, self._runner, "files", task)

    def _show(self, files: RepoFiles) -> None:
        self.files = files
        self.table.setRowCount(len(files.choices))
        best = 0
        speed = fit.cached_speed_profile()
        for row, c in enumerate(files.choices):
            parts = self.tr(" ({n} parts)").format(n=len(c.entry.parts)) if c.entry.is_split else ""
            fill_row(
                self.table,
                row,
                (
                    cell(tr(RECOMMENDED) if c.is_recommended else ""),
                    cell(c.entry.name + parts),
                    cell(c.entry.quantization or "?"),
                    cell(gb(c.entry.size), align_right=True),
                    fit_cell(c.fit),
                    speed_cell(c.entry.size, speed),
                ),
            )
            best = row if c.is_recommended else best
        if files.choices:
            self.table.selectRow(best)
        self._update_buttons()
        self.status.setText(
            self.tr("{n} GGUF models.").format(n=len(files.choices))
            if files.choices
            else self.tr("{repo} has no GGUF files.").format(repo=files.repo)
        )

    def selected(self) -> GgufEntry | None:
        """The selected file's entry."""
        row = selected_row(self.table)
        if self.files is None or not 0 <= row < len(self.files.choices):
            return None
        return self.files.choices[row].entry

    def _update_buttons(self) -> None:
        self.download_button.setEnabled(self.selected() is not None)

    def download_selected(self) -> None:
        """Queue the selected file for download."""
        entry = self.selected()
        if self.files is not None and entry is not None:
            self.download_requested.emit(self.files.repo, entry)
