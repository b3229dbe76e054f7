"""The Models page: installed models, the catalog, Hub search, a repo's files, downloads.

Three tabs: *Installed* (:mod:`.models_installed`), *Get models* (the catalog and Hub
search beside the chosen repository's files, :mod:`.models_hub`) and *Downloads*
(:mod:`.models_downloads`). Every network call runs on the page's own
:class:`~.background.BackgroundRunner`, never on the GUI thread and never through the
inference kernel (a download must not wait behind, or hold up, a generation).

The Hub endpoint and token come from the settings file (Settings → Hub), read again
for each search, listing and download, so a token set after a "gated" error is used by
the next try.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from llmasos.apps.gui.common.background import BackgroundRunner
from llmasos.apps.gui.common.errors import show_unexpected
from llmasos.apps.gui.models.common import ClientFactory
from llmasos.apps.gui.models.downloads import DownloadQueue
from llmasos.apps.gui.models.hub import CatalogPanel, FilesPanel, SearchPanel
from llmasos.apps.gui.models.installed import InstalledPanel
from llmasos.errors import ModelExistsError
from llmasos.foundation.hub.download_parts import unfinished_downloads
from llmasos.foundation.hub.types import GgufEntry, resolve_endpoint
from llmasos.foundation.models.store import InstalledModel, ModelStore
from llmasos.foundation.settings.store import AppSettings, SettingsStore
from llmasos.kernel.kernel import Kernel

if TYPE_CHECKING:
    from llmasos.foundation.hub.client import HubClient

SettingsSource = Callable[[], AppSettings]


def _new_client(endpoint: str, token: str | None) -> HubClient:
    """A Hub client; the Hub's libraries load here, on the worker that first needs one."""
    from llmasos.foundation.hub.client import HubClient

    return HubClient(endpoint, token)


class ModelsPage(QWidget):
    """The model manager's window part.

    Args:
        kernel: For "in use" and to load a model (through the window's ``open_requested``).
        settings: Returns the current settings (default: read ``settings.json``).
        store: The model store (default: the data folder's).
    """

    open_requested = Signal(object)  # Path
    default_changed = Signal(str)  # path of the new default model, "" for none

    def __init__(
        self,
        kernel: Kernel,
        parent: QWidget | None = None,
        *,
        settings: SettingsSource | None = None,
        store: ModelStore | None = None,
        settings_store: SettingsStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.kernel = kernel
        self._settings_store = settings_store or SettingsStore()
        self._settings = settings or (lambda: self._settings_store.load()[0])
        self.store = store or ModelStore()
        self.runner = BackgroundRunner(self)
        self.runner.unexpected.connect(lambda details: show_unexpected(details, self))
        self._watched: QObject | None = None
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.installed = InstalledPanel(self.kernel, self.store, self.runner, self._settings_store)
        self.installed.open_requested.connect(self.open_requested)
        self.installed.open_file_requested.connect(self._open_file)
        self.installed.default_changed.connect(self.default_changed)
        self.installed.message.connect(self.show_message)
        self.catalog = CatalogPanel(self._context)
        self.search = SearchPanel(self.runner, self.client_factory)
        self.files = FilesPanel(self.runner, self.client_factory, self._context)
        self.downloads = DownloadQueue(self.runner, self.client_factory, self.store)
        self.downloads.restore(unfinished_downloads(self.store.folder))
        for panel in (self.catalog, self.search):
            panel.repo_chosen.connect(self.files.show_repo)
        self.files.download_requested.connect(self.download)
        self.downloads.installed.connect(self._on_installed)
        self.downloads.changed.connect(self._update_tab_titles)
        sources = QTabWidget()
        sources.setAccessibleName(self.tr("Where to find models"))
        sources.tabBar().setAccessibleName(self.tr("Where to find models"))
        sources.addTab(self.catalog, self.tr("&Catalog"))
        sources.addTab(self.search, self.tr("&Search the Hub"))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(sources)
        split.addWidget(self.files)
        # the catalog's nine columns need the room more than a repository's six
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Models sections"))
        self.tabs.tabBar().setAccessibleName(self.tr("Models sections"))
        self.tabs.addTab(self.installed, self.tr("Installed"))
        self.tabs.addTab(split, self.tr("Get models"))
        self.tabs.addTab(self.downloads, self.tr("Downloads"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)

    # -- settings ------------------------------------------------------------------
    def _context(self) -> int:
        return self._settings().engine.n_ctx

    def client_factory(self) -> ClientFactory:
        """A factory of Hub clients for the endpoint and token in Settings (GUI thread).

        Raises:
            InsecureEndpointError: The endpoint in Settings is not https (nor loopback).
        """
        hub = self._settings().hub
        endpoint = resolve_endpoint(hub.endpoint)
        return functools.partial(_new_client, endpoint, hub.token or None)

    # -- actions -------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the installed models."""
        self.installed.refresh()

    def download(self, repo: str, entry: GgufEntry) -> None:
        """Queue ``entry`` of ``repo`` for download and show the queue."""
        name = entry.name.rsplit("/", 1)[-1]
        if self.store.installed_from(repo, entry.parts[0].path) is not None:
            self.show_message(
                str(
                    ModelExistsError(
                        self.tr(
                            "'{name}' is already installed. Remove it first to download it again."
                        ).format(name=name)
                    )
                )
            )
            return
        if self.downloads.enqueue(repo, entry) is None:
            self.show_message(self.tr("{name} is already in the download queue.").format(name=name))
            return
        self._watch_window()
        self.tabs.setCurrentWidget(self.downloads)

    def _on_installed(self, model: InstalledModel) -> None:
        self.kernel.expect_new_model()  # it will be loaded next, most likely
        self.refresh()
        self.show_message(
            self.tr("Installed {name}. Select it under Installed and press Load.").format(
                name=model.name
            )
        )

    def _open_file(self) -> None:
        choose = getattr(self.window(), "choose_model_file", None)
        if choose is not None:
            choose()
        else:  # a page shown on its own (tests, previews)
            path, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Open a GGUF model"),
                str(Path.home()),
                self.tr("GGUF models (*.gguf);;All files (*)"),
            )
            if path:
                self.open_requested.emit(Path(path))

    def _update_tab_titles(self) -> None:
        n = self.downloads.active_count
        self.tabs.setTabText(
            self.tabs.indexOf(self.downloads),
            self.tr("Downloads ({n})").format(n=n) if n else self.tr("Downloads"),
        )

    def show_message(self, text: str) -> None:
        """Show ``text`` under the tabs (errors from loading, results of actions)."""
        self.message.setText(text)

    # -- lifetime ------------------------------------------------------------------
    def shutdown(self, timeout_s: float = 15.0) -> bool:
        """Pause downloads (their partial files are kept), stop searches, wait for workers."""
        return self.runner.shutdown(timeout_s)

    def _watch_window(self) -> None:
        """Shut the workers down when the window holding this page closes."""
        window = self.window()
        if window is not self and window is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Sees the top-level window's events; on Close, shut the workers down."""
        if watched is self._watched and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def showEvent(self, event: QShowEvent) -> None:
        """Start watching the window once the page is placed in one."""
        self._watch_window()
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """When shown on its own, closing the page stops its workers."""
        self.shutdown()
        super().closeEvent(event)
