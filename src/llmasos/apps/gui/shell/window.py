"""The main window: a sidebar of tools, the pages, the status bar, tool windows.

Start-up cost is what a person waits for, so the window is built in two parts: the
frame (sidebar, menus, status bar) and the page on show are built before ``show()``;
every other page is built the first time it is shown (:class:`Pages`), and the API
server's modules load only when it is switched on. Nothing here imports llama.cpp,
numpy or the Hub's libraries.

Until a model is loaded the welcome page stands in for the tools; once the first frame
is on screen the Chat page is placed under it, so the conversations stay in view. Every
model file opened is remembered (Settings ``models.recent``: File › Open Recent, the
welcome page's list), listed under Models › Installed (a link, nothing is copied), and
the last one loads at the next start when no other model is asked for.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from llmasos import __version__
from llmasos.apps.gui.common.errors import show_unexpected
from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.common.tool_names import TOOL_NAMES, TOOL_TITLES
from llmasos.apps.gui.shell.status import StatusBar
from llmasos.errors import SettingsError
from llmasos.foundation.platform.paths import app_paths
from llmasos.foundation.settings.store import (
    AppSettings,
    SettingsStore,
    forget_model,
    remember_model,
)
from llmasos.kernel.kernel import Kernel

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from llmasos.apps.api import ApiServerController
    from llmasos.apps.gui.common.background import BackgroundRunner
    from llmasos.apps.gui.knowledge.service import KnowledgeService
    from llmasos.apps.gui.models.page import ModelsPage
    from llmasos.apps.gui.settings.page import SettingsPage
    from llmasos.apps.gui.shell.home_pages import WelcomePage
    from llmasos.apps.gui.shell.shortcuts import ShortcutsDialog
    from llmasos.apps.gui.shell.tools import ToolWindow
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.foundation.gguf.model_info import ModelInfo
    from llmasos.foundation.models.store import InstalledModel, ModelStore

log = logging.getLogger(__name__)

PAGES = ("chat", "write", "translate", "knowledge", "models", "settings")
PAGE_TITLES = {
    **TOOL_TITLES,
    "knowledge": QT_TRANSLATE_NOOP("MainWindow", "Knowledge"),
    "models": QT_TRANSLATE_NOOP("MainWindow", "Models"),
    "settings": QT_TRANSLATE_NOOP("MainWindow", "Settings"),
}
FIRST_FRAME_DELAY_MS = 50  # after the first paint, before the Chat page joins the welcome
# after the first frame, before collections are re-checked (when there are any): the
# indexer's modules (numpy, SQLite FTS) are no part of the start
KNOWLEDGE_START_MS = 3000
# what the About box lists; the models people download keep their own licences
BUNDLED_LICENCES = (
    ("Qt 6 / PySide6", "LGPLv3"),
    ("llama.cpp", "MIT"),
    ("llama-cpp-python", "MIT"),
    ("huggingface_hub", "Apache-2.0"),
    ("py3langid", "BSD"),
)


def page_title(name: str) -> str:
    """The translated sidebar and menu title of page ``name``."""
    return QCoreApplication.translate("MainWindow", PAGE_TITLES[name])


class Pages(Mapping[str, QWidget]):
    """The window's pages by name, each built the first time it is asked for.

    Looking a page up builds it (and adds it to the stack); iterating goes over every
    page name, so it builds them all. :meth:`built` gives the ones that exist, for
    work that only concerns pages a person has opened (stop, close).
    """

    def __init__(self, build: Callable[[str], QWidget]) -> None:
        self._build = build
        self._pages: dict[str, QWidget] = {}

    def __getitem__(self, name: str) -> QWidget:
        page = self._pages.get(name)
        if page is None:
            if name not in PAGES:
                raise KeyError(name)
            page = self._pages[name] = self._build(name)
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(PAGES)

    def __len__(self) -> int:
        return len(PAGES)

    def built(self) -> dict[str, QWidget]:
        """The pages built so far."""
        return dict(self._pages)


class MainWindow(QMainWindow):
    """The LLMasOS main window. Owns the tool windows; shares the one kernel.

    Signals (GUI thread):
        settings_changed: the new :class:`AppSettings` after Settings › Apply.
        first_frame_shown: once, right after the window was first painted.
    """

    settings_changed = Signal(object)
    first_frame_shown = Signal()

    def __init__(
        self,
        kernel: Kernel,
        store: SettingsStore,
        settings: AppSettings,
        initial_model: Path | None = None,
    ) -> None:
        super().__init__()
        self.kernel, self.store, self.settings = kernel, store, settings
        self.tool_windows: list[ToolWindow] = []
        self.hotkey_problems: list[str] = []  # global shortcuts that do not work here
        # asked on close: True keeps the app running in the tray (set by the tray's owner)
        self.close_to_tray: Callable[[], bool] | None = None
        self.api_server: ApiServerController | None = None
        self._welcome: WelcomePage | None = None
        self._first_frame = False  # the window has been painted once
        self._first_frame_queued = False
        self._loading: tuple[int, Path] | None = None  # the load asked for and its file
        self._model_store: ModelStore | None = None
        self._runner: BackgroundRunner | None = None
        self._knowledge: KnowledgeService | None = None
        self._closed = False
        self.setWindowTitle(self.tr("LLMasOS"))
        self.setAccessibleName(self.tr("LLMasOS main window"))
        self._build_pages()
        self._build_menus()
        self.status = StatusBar(kernel, self)
        self.setStatusBar(self.status)
        self.status.stop_requested.connect(self.stop_all_pages)
        self._apply_api(settings)
        kernel.loaded.connect(self._on_loaded)
        kernel.load_failed.connect(self._on_load_failed)
        for ended in (kernel.finished, kernel.failed, kernel.cancelled):
            ended.connect(self._on_request_ended)
        kernel.unexpected.connect(lambda details: show_unexpected(details, self))
        self._restore_state()
        model, note = self._model_at_start(initial_model)
        if model is not None:
            self.sidebar.blockSignals(True)  # not the welcome page: the load shows, then the chat
            self.sidebar.setCurrentRow(PAGES.index("chat"))
            self.sidebar.blockSignals(False)
            self._show(self.pages["chat"])
            QTimer.singleShot(0, lambda: self._load_at_start(model))
        else:
            self._show_welcome_if_needed()
            if note:
                self.welcome.show_message(note)

    def _load_at_start(self, model: Path) -> None:
        if not self._closed:  # closed before the event loop ran (tests, a quick quit)
            self.open_model(model)

    def _model_at_start(self, given: Path | None) -> tuple[Path | None, str]:
        """The model to load at start: the one given, else the default, else (when
        Settings say so) the one opened last; and a note when that one is gone."""
        if given is not None:
            return given, ""
        if self.settings.default_model:
            return Path(self.settings.default_model), ""
        recent = self.settings.models.recent
        if not (self.settings.models.load_last and recent):
            return None, ""
        last = Path(recent[0])
        if last.is_file():
            return last, ""
        self._forget_recent(recent[0])
        return None, self.tr(
            "The model opened last, {name}, is no longer in {folder}, so it was not loaded "
            "and was removed from the recent models. Open it from its new place, or pick "
            "another model."
        ).format(name=last.name, folder=last.parent)

    # -- construction ------------------------------------------------------------
    def sampling(self) -> SamplingParams:
        """Default sampling from the current settings (called on the GUI thread)."""
        return self.settings.to_sampling_params()

    def _build_pages(self) -> None:
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName(self.tr("Tools"))
        self.sidebar.setAccessibleDescription(
            self.tr(
                "Switch between Chat, Write, Translate, Knowledge, Models and Settings "
                "(Ctrl+1 to Ctrl+6)"
            )
        )
        self.sidebar.addItems([page_title(p) for p in PAGES])
        for row, name in enumerate(PAGES):  # one outline icon set (resources/icons/ui)
            self.sidebar.item(row).setIcon(ui_icon(name))
        # wide enough for the longest title in the current language and font size
        widest = max(self.sidebar.fontMetrics().horizontalAdvance(page_title(p)) for p in PAGES)
        icon = self.sidebar.fontMetrics().height() + 6  # icons a little taller than text
        self.sidebar.setIconSize(QSize(icon, icon))
        self.sidebar.setSpacing(2)
        self.sidebar.setFixedWidth(max(150, widest + icon + 48))
        self.stack = QStackedWidget()
        self.pages = Pages(self._build_page)
        self.sidebar.currentRowChanged.connect(lambda row: self.show_page(PAGES[row]))
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)

    def _build_page(self, name: str) -> QWidget:
        """Create page ``name`` (its modules load now), wire it and put it on the stack."""
        page: QWidget
        if name in TOOL_NAMES:
            from llmasos.apps.gui.shell.tools import tool_page

            page = tool_page(name, self.kernel, self.sampling)
            self._offer_knowledge(page)
        elif name == "models":
            from llmasos.apps.gui.models.page import ModelsPage

            page = ModelsPage(self.kernel, settings=lambda: self.settings, store=self.model_store())
            page.open_requested.connect(self.open_model)
            page.default_changed.connect(self._on_default_changed)
        elif name == "knowledge":
            from llmasos.apps.gui.knowledge.page import KnowledgePage

            page = KnowledgePage(self.knowledge())
        else:
            from llmasos.apps.gui.settings.page import SettingsPage

            page = SettingsPage(self.store)
            page.show_hotkey_problems(self.hotkey_problems)
            page.applied.connect(self._on_settings_applied)
            page.reload_requested.connect(self._reload_model)
        self.stack.addWidget(page)
        return page

    @property
    def models_page(self) -> ModelsPage:
        """The Models page (built on first use)."""
        return self.pages["models"]  # type: ignore[return-value]

    @property
    def settings_page(self) -> SettingsPage:
        """The Settings page (built on first use)."""
        return self.pages["settings"]  # type: ignore[return-value]

    @property
    def welcome(self) -> WelcomePage:
        """The first-run page that stands in for the tools while no model is loaded."""
        if self._welcome is None:
            from llmasos.apps.gui.shell.home_pages import WelcomePage

            self._welcome = WelcomePage()
            self._welcome.open_file.connect(self.choose_model_file)
            self._welcome.download.connect(self._show_get_models)
            self._welcome.open_recent.connect(self.open_recent)
            self._welcome.show_recent(self.settings.models.recent)
            self.stack.addWidget(self._welcome)
            # no model yet: one the probe has not seen is likely next (after the first
            # frame, so the spare child's start-up does not delay it)
            QTimer.singleShot(1500, self, self.kernel.expect_new_model)
        return self._welcome

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self._action(file_menu, self.tr("&New chat"), "Ctrl+N", self.new_chat)
        self._action(file_menu, self.tr("&Open a GGUF file…"), "Ctrl+O", self.choose_model_file)
        self.recent_menu = file_menu.addMenu(self.tr("Open &Recent"))
        self.recent_menu.menuAction().setStatusTip(self.tr("Load a model opened before"))
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), "Ctrl+Q", self.close)
        go = self.menuBar().addMenu(self.tr("&Go"))
        for i, name in enumerate(PAGES, start=1):
            self._action(
                go, page_title(name), f"Ctrl+{i}", lambda _=False, n=name: self.show_page(n)
            )
        windows = self.menuBar().addMenu(self.tr("&Window"))
        for i, name in enumerate(TOOL_NAMES, start=1):
            self._action(
                windows,
                self.tr("New {tool} window").format(tool=page_title(name)),
                f"Ctrl+Shift+{i}",
                lambda _=False, n=name: self.open_tool_window(n),
            )
        self._action(
            windows,
            self.tr("New {tool} window").format(tool=page_title("knowledge")),
            f"Ctrl+Shift+{len(TOOL_NAMES) + 1}",
            lambda _=False: self.open_tool_window("knowledge"),
        )
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Keyboard shortcuts"), "F1", self.show_shortcuts)
        self._action(help_menu, self.tr("&About LLMasOS"), "", self._about)

    def _action(self, menu: object, text: str, shortcut: str, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut:
            # the list overload: setShortcut() makes PySide build all ~100 enums of the Qt
            # namespace first (~12 ms of start-up); this does the same without that
            action.setShortcuts([QKeySequence(shortcut)])
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        self.addAction(action)
        return action

    # -- navigation ----------------------------------------------------------------
    def show_page(self, name: str) -> None:
        """Switch to a page (the welcome page stands in for tools until a model loads)."""
        needs_model = name in TOOL_NAMES and self.kernel.model_info is None
        # while a model loads the tool shows (its progress is in the status bar); other
        # work of the kernel, such as indexing documents, does not bring a model
        if needs_model and self._loading is None:
            self._show_welcome(name)
        else:
            self._show(self.pages[name])
        row = PAGES.index(name)
        if self.sidebar.currentRow() != row:
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(row)
            self.sidebar.blockSignals(False)

    def open_text(self, tool: str, text: str, answer: str, action: str, to: str, tone: str) -> None:
        """Bring the window forward on Write or Translate (``tool``) holding ``text`` and
        its ``answer`` from the Everywhere popup (``action`` with ``to`` or ``tone``)."""
        self.show_page(tool)
        page = self.pages[tool]
        if tool == "write":
            page.take_text(text, answer, action, tone)  # type: ignore[attr-defined]
        elif tool == "translate":
            page.take_text(text, answer, to)  # type: ignore[attr-defined]
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def open_chat(self, title: str, prompt: str, answer: str) -> None:
        """Bring the window forward on Chat, in a new conversation ``title`` holding
        ``prompt`` and its ``answer`` (the Everywhere Ask box's *Continue in Chat*)."""
        self.show_page("chat")
        self.pages["chat"].take_exchange(title, prompt, answer)  # type: ignore[attr-defined]
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def current_page(self) -> QWidget | None:
        """The page on show."""
        return self.stack.currentWidget()

    def _show(self, page: QWidget) -> None:
        """Put ``page`` on show (the Chat page comes back from under the welcome)."""
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)

    def _show_welcome(self, tool: str) -> None:
        """The welcome page in place of ``tool``; for Chat, with the Chat page under it
        (once the first frame is up: its modules are not part of the start)."""
        welcome = self.welcome
        chat = self.pages.built().get("chat")
        if tool == "chat" and self._first_frame:
            welcome.set_chat(self.pages["chat"])
        elif chat is not None and welcome.chat is chat:
            self.stack.addWidget(chat)  # back to the stack, out of sight
        self.stack.setCurrentWidget(welcome)

    def _show_welcome_if_needed(self) -> None:
        self.show_page("chat")

    def _current_tool(self) -> str:
        """The tool the sidebar points at ("chat" when it points at another page)."""
        row = self.sidebar.currentRow()
        name = PAGES[row] if 0 <= row < len(PAGES) else "chat"
        return name if name in TOOL_NAMES else "chat"

    def paintEvent(self, event: QPaintEvent) -> None:
        """On the first paint, queue what waits for the first frame."""
        super().paintEvent(event)
        if not self._first_frame_queued:
            self._first_frame_queued = True
            QTimer.singleShot(0, self, self.first_frame_shown.emit)  # once the frame is out
            QTimer.singleShot(FIRST_FRAME_DELAY_MS, self, self._after_first_frame)

    def _after_first_frame(self) -> None:
        """The window is on screen: put the Chat page under the welcome page on show;
        collections, if any, are re-checked a little later."""
        self._first_frame = True
        QTimer.singleShot(KNOWLEDGE_START_MS, self, self._start_knowledge)
        welcome = self._welcome
        if welcome is not None and self.stack.currentWidget() is welcome:
            self._show_welcome(self._current_tool())

    def open_tool_window(self, tool: str) -> ToolWindow:
        """Open ``tool`` (or Knowledge) in a top-level window of its own."""
        from llmasos.apps.gui.shell.tools import ToolWindow

        page = None
        if tool == "knowledge":
            from llmasos.apps.gui.knowledge.page import KnowledgePage

            page = KnowledgePage(self.knowledge())
        window = ToolWindow(tool, self.kernel, self.sampling, page)
        self._offer_knowledge(window.page)
        window.closed.connect(self._forget_window)
        self.tool_windows.append(window)
        window.show()
        return window

    def _forget_window(self, window: ToolWindow) -> None:
        if window in self.tool_windows:
            self.tool_windows.remove(window)

    # -- knowledge ---------------------------------------------------------------
    def knowledge(self) -> KnowledgeService:
        """The app's Knowledge (index, background indexing, folder watching), made and
        started on first use."""
        if self._knowledge is None:
            from llmasos.apps.gui.knowledge.service import KnowledgeService

            self._knowledge = KnowledgeService(self.kernel, self.settings, parent=self)
            self._knowledge.start()
        return self._knowledge

    def _offer_knowledge(self, page: QWidget) -> None:
        """Let a Chat page answer from the knowledge collections (the index is made when
        the page first needs it)."""
        use = getattr(page, "use_knowledge", None)
        if use is not None:
            use(lambda: self.knowledge().indexer)

    def _start_knowledge(self) -> None:
        """Re-check the collections and watch their folders, when there are any."""
        if not self._closed and (app_paths().data / "knowledge.sqlite3").exists():
            self.knowledge()

    # -- models ------------------------------------------------------------------
    def choose_model_file(self) -> None:
        """Ask for a GGUF file and open it."""
        from PySide6.QtWidgets import QFileDialog

        self.kernel.expect_new_model()
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a GGUF model"),
            str(Path.home()),
            self.tr("GGUF models (*.gguf);;All files (*)"),
        )
        if path:
            self.open_model(Path(path))

    def open_model(self, path: Path) -> None:
        """Validate and load ``path`` on the worker thread (the window stays live).

        Asking again for the file being loaded (a double click) does nothing.
        """
        path = Path(path)
        if self._loading is not None and self._loading[1] == path:
            return
        request = self.kernel.load_model(path, self.settings.to_engine_settings())
        self._loading = (request, path)

    @property
    def loading_model(self) -> Path | None:
        """The model file asked for and not loaded (or failed) yet; None when none."""
        return self._loading[1] if self._loading is not None else None

    def open_recent(self, path: str) -> None:
        """Load a recent model; one whose file is gone is reported and forgotten."""
        if Path(path).is_file():
            self.open_model(Path(path))
            return
        from PySide6.QtWidgets import QMessageBox

        self._forget_recent(path)
        message = self.tr(
            "{name} is no longer in {folder}. It was removed from the recent models."
        ).format(name=Path(path).name, folder=Path(path).parent)
        if self._welcome is not None:
            self._welcome.show_message(message)
        QMessageBox.warning(self, self.tr("Model not found"), message)

    def _on_request_ended(self, request_id: int, _result: object) -> None:
        if self._loading is not None and self._loading[0] == request_id:
            self._loading = None

    # -- recent models -------------------------------------------------------------
    def recent_models(self) -> tuple[str, ...]:
        """The model files opened lately, the latest first."""
        return self.settings.models.recent

    def clear_recent_models(self) -> None:
        """File › Open Recent › Clear: forget every recent model (the files stay)."""
        self._save_recent(forget_model(self.settings))

    def _remember(self, path: Path) -> None:
        self._save_recent(remember_model(self.settings, path))

    def _forget_recent(self, path: str | Path) -> None:
        self._save_recent(forget_model(self.settings, path))

    def _save_recent(self, settings: AppSettings) -> None:
        """Keep ``settings`` (only the recent models differ) and show the new list."""
        if settings == self.settings:
            return
        self.settings = settings
        try:
            self.store.save(settings)
        except (SettingsError, OSError) as exc:  # kept for this run; the file is left as it was
            log.warning("recent models not saved: %s", exc)
        self._fill_recent_menu()
        if self._welcome is not None:
            self._welcome.show_recent(settings.models.recent)

    def _fill_recent_menu(self) -> None:
        """(Re)build File › Open Recent: one entry per recent model, then Clear."""
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.models.recent
        for i, text in enumerate(recent, start=1):
            path = Path(text)
            label = path.name
            if not path.is_file():
                label = self.tr("{name} (not found)").format(name=path.name)
            prefix = f"&{i % 10} " if i <= 10 else ""
            action = menu.addAction(prefix + label.replace("&", "&&"))
            action.setToolTip(text)
            action.setStatusTip(text)
            action.triggered.connect(lambda _=False, p=text: self.open_recent(p))
        if not recent:
            menu.addAction(self.tr("No recent models")).setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction(self.tr("&Clear the list"))
        clear.setStatusTip(self.tr("Forget the recent models (their files are kept)"))
        clear.setEnabled(bool(recent))
        clear.triggered.connect(self.clear_recent_models)

    # -- the model store -----------------------------------------------------------
    def model_store(self) -> ModelStore:
        """The model store this window and its Models page share (made on first use)."""
        if self._model_store is None:
            from llmasos.foundation.models.store import ModelStore

            self._model_store = ModelStore()
        return self._model_store

    def _list_in_store(self, path: Path) -> None:
        """List an opened file under Models › Installed (a link; on a worker thread)."""
        store = self.model_store()
        if store.qualified_name(path) is not None:
            return  # in the models folder: listed already
        if self._runner is None:
            from llmasos.apps.gui.common.background import BackgroundRunner

            self._runner = BackgroundRunner(self, max_threads=1)
            self._runner.unexpected.connect(lambda details: show_unexpected(details, self))
        task = self._runner.run(lambda _ctx: store.link_opened(path))
        task.succeeded.connect(self._on_listed)
        task.failed.connect(lambda message: log.info("not listed in the store: %s", message))

    def _on_listed(self, model: InstalledModel | None) -> None:
        models = self.pages.built().get("models")
        if model is not None and models is not None:
            models.refresh()  # type: ignore[attr-defined]

    def _reload_model(self, _engine_settings: object) -> None:
        info = self.kernel.model_info
        if info is not None:
            self.open_model(info.path)

    def _on_loaded(self, info: ModelInfo) -> None:
        self._loading = None
        if not info.is_remote:
            path = Path(info.path)
            if path.is_symlink() and self.model_store().qualified_name(path) is not None:
                path = path.parent / os.readlink(path)  # listed by a link: the file it stands for
            self._remember(path)
            self._list_in_store(path)
        if self._welcome is not None and self.stack.currentWidget() is self._welcome:
            self.show_page(self._current_tool())

    def _on_load_failed(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        failed, self._loading = self._loading, None
        if failed is not None and not failed[1].exists():
            self._forget_recent(failed[1])  # a recent model whose file is gone
        error = self.kernel.last_load_error
        if failed is not None and error is not None:  # in the UI's language
            message = self.tr("Could not open {name}: {error}").format(
                name=failed[1].name, error=error_text(error)
            )
        QMessageBox.warning(self, self.tr("Could not open the model"), message)
        models = self.pages.built().get("models")
        if models is not None:
            models.show_message(message)  # type: ignore[attr-defined]
        if self.kernel.model_info is None and (
            models is None or self.stack.currentWidget() is not models
        ):
            self.show_page(self._current_tool())
            self.welcome.show_message(message)

    def _show_get_models(self) -> None:
        self.show_page("models")
        self.models_page.tabs.setCurrentIndex(1)

    def _on_default_changed(self, path: str) -> None:
        self.settings = replace(self.settings, default_model=path)

    def _on_settings_applied(self, settings: AppSettings) -> None:
        """Settings › Apply saved ``settings`` (over the file as it was, so the recent
        models this window saved are in them)."""
        self.settings = settings
        self._apply_api(settings)
        if self._knowledge is not None:
            self._knowledge.apply_settings(settings)
        self.settings_changed.emit(settings)

    def show_hotkey_problems(self, problems: list[str]) -> None:
        """Say which global shortcuts do not work (Settings, and the status bar once)."""
        self.hotkey_problems = list(problems)
        page = self.pages.built().get("settings")
        if page is not None:
            page.show_hotkey_problems(self.hotkey_problems)  # type: ignore[attr-defined]
        if problems:
            self.status.showMessage(problems[0], 30_000)

    def _apply_api(self, settings: AppSettings) -> None:
        """Start, restart or stop the local API server; its modules load when first on."""
        if self.api_server is None:
            if not settings.api.enabled:
                return
            from llmasos.apps.api import ApiServerController

            self.api_server = ApiServerController(self.kernel, self)
            self.api_server.status_changed.connect(self.status.showMessage)
        self.api_server.apply(settings)

    def stop_all_pages(self) -> None:
        """Stop what the windows asked for (the Stop button); API clients are left alone."""
        pages = [p for n, p in self.pages.built().items() if n in TOOL_NAMES]
        pages += [w.page for w in self.tool_windows]
        for page in pages:
            page.cancel_all()  # type: ignore[attr-defined]

    def new_chat(self) -> None:
        """Start a new conversation on the Chat page (Ctrl+N) and put the cursor in it."""
        self.show_page("chat")
        chat = self.pages.built().get("chat")
        shown = self.stack.currentWidget()
        if chat is not None and (shown is chat or (shown is self._welcome and chat.isVisible())):
            chat.new_conversation()  # type: ignore[attr-defined]
            chat.input.setFocus()  # type: ignore[attr-defined]

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help → Keyboard shortcuts (F1): the table of shortcuts, non-modal."""
        from PySide6.QtCore import Qt

        from llmasos.apps.gui.shell.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def about_text(self) -> str:
        """The About box's text: version, backend, data folder, licences (rich text)."""
        import html

        from llmasos.foundation.platform import hardware

        try:
            backend = hardware.backend_name()
        except (ImportError, OSError) as exc:  # llama.cpp's libraries did not load
            backend = self.tr("unavailable ({error})").format(error=exc)
        licences = "".join(
            f"<li>{html.escape(name)}: {licence}</li>" for name, licence in BUNDLED_LICENCES
        )
        return "".join(
            (
                f"<h3>LLMasOS {__version__}</h3>",
                "<p>",
                self.tr(
                    "An offline assistant that runs a language model on this "
                    "computer with llama.cpp."
                ),
                "</p><p>",
                self.tr("llama.cpp backend: {backend}").format(backend=html.escape(backend)),
                "<br>",
                self.tr("Data folder (models, conversations): {folder}").format(
                    folder=html.escape(str(app_paths().data))
                ),
                "</p><p>",
                self.tr("Bundled libraries and their licences:"),
                f"</p><ul>{licences}</ul>",
                "<p>",
                self.tr(
                    "The models you download keep their own licences; the catalog "
                    "shows each one (Models → Get models)."
                ),
                "</p>",
            )
        )

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, self.tr("About LLMasOS"), self.about_text())

    # -- state -------------------------------------------------------------------
    def _qsettings(self) -> QSettings:
        return QSettings(str(app_paths().config / "window.ini"), QSettings.Format.IniFormat)

    def _restore_state(self) -> None:
        geometry = self._qsettings().value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        for tool in self.settings.open_windows:
            if tool in TOOL_NAMES or tool == "knowledge":
                self.open_tool_window(tool)

    def save_state(self) -> None:
        """Remember geometry and which tool windows are open (when the settings file
        cannot be written, e.g. a full disk, the app still closes: they are not kept)."""
        self._qsettings().setValue("geometry", self.saveGeometry())
        open_tools = tuple(w.tool for w in self.tool_windows)
        if open_tools != self.settings.open_windows:
            self.settings = replace(self.settings, open_windows=open_tools)
            try:
                self.store.save(self.settings)
            except (SettingsError, OSError) as exc:  # the file is left as it was
                log.warning("open windows not saved: %s", exc)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save state, close tool windows, cancel work, stop the engine, then close.

        When :attr:`close_to_tray` says so, only hide: the app goes on in the tray.
        """
        if self.close_to_tray is not None and self.close_to_tray():
            self.save_state()
            event.ignore()
            self.hide()
            return
        self._closed = True
        self.save_state()
        for window in list(self.tool_windows):
            if window.tool == "knowledge":
                window.page.shutdown()  # its folder scans; the indexing is the app's
            window.close()
        for name, page in self.pages.built().items():
            if name in TOOL_NAMES:
                page.cancel_all()  # type: ignore[attr-defined]
            elif name in ("models", "knowledge"):
                page.shutdown()  # type: ignore[attr-defined]
        if self.api_server is not None:
            self.api_server.stop()
        if self._runner is not None:
            self._runner.shutdown()
        if self._knowledge is not None:
            self._knowledge.shutdown()  # before the kernel: its model closes on the worker
        self.kernel.shutdown(timeout_s=10.0)
        if self._knowledge is not None:
            self._knowledge.store.close()
        event.accept()


__all__ = ["MainWindow"]
