"""The Models page's installed models: the table and Load, Set default, Remove, Import, Open.

Each row says where the model came from (``publisher/repo``, "Imported from …"); a file
name two installed models share is shown as the qualified name (``publisher/repo/file``).
Reading the store (an index file and a folder listing) is quick and happens on the GUI
thread; importing a file copies gigabytes, so it runs on the page's background runner.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox, QVBoxLayout, QWidget

from llmasos.apps.gui.common.background import BackgroundRunner
from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.models.common import cell, fill_row, gb, make_button, make_table, tr
from llmasos.errors import LLMasOSError, ModelFileError
from llmasos.foundation.models.store import InstalledModel, ModelStore
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel

COLUMNS = (
    QT_TRANSLATE_NOOP("ModelsPage", "Name"),
    QT_TRANSLATE_NOOP("ModelsPage", "Size"),
    QT_TRANSLATE_NOOP("ModelsPage", "Quantization"),
    QT_TRANSLATE_NOOP("ModelsPage", "Context"),
    QT_TRANSLATE_NOOP("ModelsPage", "In use"),
    QT_TRANSLATE_NOOP("ModelsPage", "Default"),
    QT_TRANSLATE_NOOP("ModelsPage", "Origin"),
)
IMPORTED_FROM = QT_TRANSLATE_NOOP("ModelsPage", "Imported from {path}")
ADDED_BY_HAND = QT_TRANSLATE_NOOP("ModelsPage", "Added by hand")


def origin_text(model: InstalledModel) -> str:
    """Where ``model`` came from, in the UI's language."""
    if model.repo:
        return model.origin_label
    if model.imported_from:
        return tr(IMPORTED_FROM).format(path=model.imported_from)
    return tr(ADDED_BY_HAND)


def shown_names(models: list[InstalledModel]) -> dict[str, str]:
    """Qualified name → the name to show: the file name, unless another model has it too."""
    counts: dict[str, int] = {}
    for m in models:
        counts[m.name.lower()] = counts.get(m.name.lower(), 0) + 1
    return {
        m.qualified_name: m.name if counts[m.name.lower()] == 1 else m.qualified_name
        for m in models
    }


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _problem_tip(problem: str | None) -> str:
    """Why a listed file cannot be used (the store keeps a ModelFileError's message), in
    the UI's language, with the original English under it when they differ."""
    if not problem:
        return ""
    shown = error_text(ModelFileError(problem))
    return shown if shown == problem else f"{shown}\n\n{problem}"


class InstalledPanel(QWidget):
    """The installed models and what can be done with them."""

    open_requested = Signal(object)  # Path of a model to load
    open_file_requested = Signal()  # "Open a GGUF file…" (the window shows the dialog)
    default_changed = Signal(str)  # path of the new default model, "" for none
    message = Signal(str)

    def __init__(
        self,
        kernel: Kernel,
        store: ModelStore,
        runner: BackgroundRunner,
        settings_store: SettingsStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kernel, self.store, self._runner = kernel, store, runner
        self._settings_store = settings_store
        self.models: list[InstalledModel] = []
        self.table = make_table(self.tr("Installed models"), [tr(c) for c in COLUMNS])
        self.table.itemActivated.connect(lambda _item: self.load_selected())
        self.import_button = make_button(
            self.tr("&Import a GGUF file…"),
            self.tr("Import a GGUF file"),
            self.choose_import,
            "import",
        )
        buttons = QHBoxLayout()
        for widget in (
            make_button(
                self.tr("&Load"), self.tr("Load the selected model"), self.load_selected, "load"
            ),
            make_button(
                self.tr("Set &default"),
                self.tr("Make the selected model the default"),
                self.set_default_selected,
                "star",
            ),
            make_button(
                self.tr("&Remove…"),
                self.tr("Remove the selected model"),
                self.remove_selected,
                "delete",
            ),
            self.import_button,
            make_button(
                self.tr("&Open a GGUF file…"),
                self.tr("Open a GGUF file"),
                self.open_file_requested.emit,
                "folder",
            ),
            make_button(
                self.tr("Re&fresh"),
                self.tr("Refresh the installed models"),
                self.refresh,
                "regenerate",
            ),
        ):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        kernel.loaded.connect(lambda _info: self.refresh())
        kernel.unloaded.connect(self.refresh)

    def refresh(self) -> None:
        """Re-read the store (files added or removed by hand are noticed)."""
        try:
            self.models = self.store.models()
            default = self.store.default()
        except (LLMasOSError, OSError) as exc:
            self.message.emit(
                self.tr("Could not read the models folder: {error}").format(error=error_text(exc))
            )
            return
        info = self.kernel.model_info
        selected = self.selected()
        names = shown_names(self.models)
        self.table.setRowCount(len(self.models))
        for row, m in enumerate(self.models):
            in_use = info is not None and _same_file(m.path, info.path)
            state = (
                self.tr("in use") if in_use else (self.tr("cannot be used") if m.problem else "")
            )
            origin = origin_text(m)
            problem = _problem_tip(m.problem)
            tip = problem or self.tr("{path}\nFrom: {source}").format(path=m.path, source=origin)
            is_default = default is not None and default.qualified_name == m.qualified_name
            fill_row(
                self.table,
                row,
                (
                    cell(names[m.qualified_name], tip),
                    cell(gb(m.size), align_right=True),
                    cell(m.quantization or "?"),
                    cell(f"{m.context_length:,}" if m.context_length else "?", align_right=True),
                    cell(state, problem),
                    cell(self.tr("default") if is_default else ""),
                    cell(origin, str(m.path)),
                ),
            )
            if selected is not None and m.qualified_name == selected.qualified_name:
                self.table.selectRow(row)

    def selected(self) -> InstalledModel | None:
        """The selected model, if any."""
        row = self.table.currentRow()
        return self.models[row] if 0 <= row < len(self.models) else None

    def row_of(self, name: str) -> int:
        """The table row of the model called ``name`` (its file name, the first such, or its
        qualified name); -1 when it is not listed."""
        return next(
            (i for i, m in enumerate(self.models) if name in (m.name, m.qualified_name)), -1
        )

    def load_selected(self) -> None:
        """Ask the window to load the selected model."""
        model = self.selected()
        if model is None:
            self.message.emit(self.tr("Select a model first."))
        elif model.problem:
            self.message.emit(error_text(ModelFileError(model.problem)))
        else:
            self.open_requested.emit(model.path)

    def set_default_selected(self) -> None:
        """Make the selected model the one the app opens at start."""
        model = self.selected()
        if model is None:
            self.message.emit(self.tr("Select a model first."))
            return
        try:
            self.store.set_default(model.qualified_name)
            self._save_default(str(model.path))
        except (LLMasOSError, OSError) as exc:
            self.message.emit(error_text(exc))
            return
        self.refresh()
        self.default_changed.emit(str(model.path))
        self.message.emit(self.tr("{name} opens when LLMasOS starts.").format(name=model.name))

    def _save_default(self, path: str) -> None:
        settings, _ = self._settings_store.load()
        if settings.default_model != path:
            self._settings_store.save(replace(settings, default_model=path))

    def remove_selected(self) -> None:
        """Delete the selected model's files, after asking."""
        model = self.selected()
        if model is None:
            self.message.emit(self.tr("Select a model first."))
            return
        info = self.kernel.model_info
        note = (
            self.tr(" It is loaded now and stays loaded until another model is opened.")
            if info is not None and _same_file(model.path, info.path)
            else ""
        )
        answer = QMessageBox.question(
            self,
            self.tr("Remove model"),
            self.tr("Delete {name} ({size}) from {folder}?").format(
                name=model.qualified_name, size=gb(model.size), folder=self.store.folder
            )
            + note,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.remove(model.qualified_name)
            settings, _ = self._settings_store.load()
            if settings.default_model and _same_file(Path(settings.default_model), model.path):
                self._save_default("")
                self.default_changed.emit("")
        except (LLMasOSError, OSError) as exc:
            self.message.emit(error_text(exc))
        else:
            self.message.emit(self.tr("Removed {name}.").format(name=model.name))
        self.refresh()

    def choose_import(self) -> None:
        """Ask for a GGUF file, then validate and copy it into the store."""
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a GGUF model"),
            str(Path.home()),
            self.tr("GGUF models (*.gguf);;All files (*)"),
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Validate and copy ``path`` into the store on a worker thread."""
        store = self.store
        self.import_button.setEnabled(False)
        self.message.emit(self.tr("Importing {name}…").format(name=path.name))
        task = self._runner.run(lambda ctx: store.import_file(path))
        task.succeeded.connect(
            lambda m: self.message.emit(
                self.tr("Imported {name} ({size}).").format(name=m.name, size=gb(m.size))
            )
        )
        task.failed.connect(self.message)
        task.finished.connect(self._import_ended)

    def _import_ended(self) -> None:
        self.import_button.setEnabled(True)
        self.refresh()
