"""The main window: a sidebar of tools, the pages, the status bar, tool windows.

Start-up cost is what a person waits for, so the window is built in two parts: the
frame (sidebar, menus, status bar) and the page on show are built before ``show()``;
every other page is built the first time it is shown (:class:`Pages`), and the API
server's modules load only when it is switched on. Nothing here imports llama.cpp,
numpy or the Hub's libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QTimer
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
from llmasos.apps.gui.common.tool_names import TOOL_NAMES, TOOL_TITLES
from llmasos.apps.gui.shell.status import StatusBar
from llmasos.foundation.platform.paths import app_paths
from llmasos.foundation.settings.store import AppSettings, SettingsStore
from llmasos.kernel.kernel import Kernel

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from llmasos.apps.api import ApiServerController
    from llmasos.apps.gui.models.page import ModelsPage
    from llmasos.apps.gui.settings.page import SettingsPage
    from llmasos.apps.gui.shell.home_pages import WelcomePage
    from llmasos.apps.gui.shell.shortcuts import ShortcutsDialog
    from llmasos.apps.gui.shell.tools import ToolWindow
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.foundation.gguf.model_info import ModelInfo

PAGES = ("chat", "write", "translate", "models", "settings")
PAGE_TITLES = {
    **TOOL_TITLES,
    "models": QT_TRANSLATE_NOOP("MainWindow", "Models"),
    "settings": QT_TRANSLATE_NOOP("MainWindow", "Settings"),
}
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
    """The LLMasOS main window. Owns the tool windows; shares the one kernel."""

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
        self.api_server: ApiServerController | None = None
        self._welcome: WelcomePage | None = None
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
        kernel.unexpected.connect(lambda details: show_unexpected(details, self))
        self._restore_state()
        model = initial_model or (Path(settings.default_model) if settings.default_model else None)
        if model is not None:
            self.stack.setCurrentWidget(self.pages["chat"])  # shows the load, then the chat
            self.sidebar.setCurrentRow(0)
            QTimer.singleShot(0, lambda: self.open_model(model))
        else:
            self._show_welcome_if_needed()

    # -- construction ------------------------------------------------------------
    def sampling(self) -> SamplingParams:
        """Default sampling from the current settings (called on the GUI thread)."""
        return self.settings.to_sampling_params()

    def _build_pages(self) -> None:
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName(self.tr("Tools"))
        self.sidebar.setAccessibleDescription(
            self.tr("Switch between Chat, Write, Translate, Models and Settings (Ctrl+1 to Ctrl+5)")
        )
        self.sidebar.addItems([page_title(p) for p in PAGES])
        # wide enough for the longest title in the current language and font size
        widest = max(self.sidebar.fontMetrics().horizontalAdvance(page_title(p)) for p in PAGES)
        self.sidebar.setFixedWidth(max(150, widest + 40))
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
        elif name == "models":
            from llmasos.apps.gui.models.page import ModelsPage

            page = ModelsPage(self.kernel, settings=lambda: self.settings)
            page.open_requested.connect(self.open_model)
            page.default_changed.connect(self._on_default_changed)
        else:
            from llmasos.apps.gui.settings.page import SettingsPage

            page = SettingsPage(self.store)
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
            self.stack.addWidget(self._welcome)
        return self._welcome

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self._action(file_menu, self.tr("&New chat"), "Ctrl+N", self.new_chat)
        self._action(file_menu, self.tr("&Open a GGUF file…"), "Ctrl+O", self.choose_model_file)
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
        page = self.welcome if needs_model and not self.kernel.is_busy else self.pages[name]
        self.stack.setCurrentWidget(page)
        row = PAGES.index(name)
        if self.sidebar.currentRow() != row:
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(row)
            self.sidebar.blockSignals(False)

    def current_page(self) -> QWidget | None:
        """The page on show."""
        return self.stack.currentWidget()

    def _show_welcome_if_needed(self) -> None:
        self.show_page("chat")

    def open_tool_window(self, tool: str) -> ToolWindow:
        """Open ``tool`` in a top-level window of its own."""
        from llmasos.apps.gui.shell.tools import ToolWindow

        window = ToolWindow(tool, self.kernel, self.sampling)
        window.closed.connect(self._forget_window)
        self.tool_windows.append(window)
        window.show()
        return window

    def _forget_window(self, window: ToolWindow) -> None:
        if window in self.tool_windows:
            self.tool_windows.remove(window)

    # -- models ------------------------------------------------------------------
    def choose_model_file(self) -> None:
        """Ask for a GGUF file and open it."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a GGUF model"),
            str(Path.home()),
            self.tr("GGUF models (*.gguf);;All files (*)"),
        )
        if path:
            self.open_model(Path(path))

    def open_model(self, path: Path) -> None:
        """Validate and load ``path`` on the worker thread (the window stays live)."""
        self.kernel.load_model(path, self.settings.to_engine_settings())

    def _reload_model(self, _engine_settings: object) -> None:
        info = self.kernel.model_info
        if info is not None:
            self.open_model(info.path)

    def _on_loaded(self, info: ModelInfo) -> None:
        if self.stack.currentWidget() is self.welcome:
            self.show_page("chat")

    def _on_load_failed(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(self, self.tr("Could not open the model"), message)
        models = self.pages.built().get("models")
        if models is not None:
            models.show_message(message)  # type: ignore[attr-defined]
        if self.kernel.model_info is None and (
            models is None or self.stack.currentWidget() is not models
        ):
            self.stack.setCurrentWidget(self.welcome)
            self.welcome.show_message(message)

    def _show_get_models(self) -> None:
        self.show_page("models")
        self.models_page.tabs.setCurrentIndex(1)

    def _on_default_changed(self, path: str) -> None:
        from dataclasses import replace

        self.settings = replace(self.settings, default_model=path)

    def _on_settings_applied(self, settings: AppSettings) -> None:
        self.settings = settings
        self._apply_api(settings)

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
        chat = self.pages["chat"]
        if self.stack.currentWidget() is chat:
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
            if tool in TOOL_NAMES:
                self.open_tool_window(tool)

    def save_state(self) -> None:
        """Remember geometry and which tool windows are open."""
        self._qsettings().setValue("geometry", self.saveGeometry())
        open_tools = tuple(w.tool for w in self.tool_windows)
        if open_tools != self.settings.open_windows:
            from dataclasses import replace

            self.settings = replace(self.settings, open_windows=open_tools)
            self.store.save(self.settings)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save state, close tool windows, cancel work, stop the engine, then close."""
        self.save_state()
        for window in list(self.tool_windows):
            window.close()
        for name, page in self.pages.built().items():
            if name in TOOL_NAMES:
                page.cancel_all()  # type: ignore[attr-defined]
            elif name == "models":
                page.shutdown()  # type: ignore[attr-defined]
        if self.api_server is not None:
            self.api_server.stop()
        self.kernel.shutdown(timeout_s=10.0)
        event.accept()


__all__ = ["MainWindow"]
