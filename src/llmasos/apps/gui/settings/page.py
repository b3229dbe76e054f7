"""The Settings page: every setting in one form, checked before it is saved.

The fields themselves are built by :class:`~llmasos.apps.gui.settings.form.SettingsForm`.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP, translate_in
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.common.theme import apply_theme
from llmasos.apps.gui.settings.form import (
    GPU_LAYERS_AUTO,
    LANGUAGE_CHOICES,
    SEED_RANDOM,
    THEME_CHOICES,
    THREADS_AUTO,
    SettingsForm,
    _describe,
)
from llmasos.apps.gui.settings.layout import lay_out_groups
from llmasos.errors import SettingsError
from llmasos.foundation.settings.schema import FIELDS
from llmasos.foundation.settings.store import (
    ApiConfig,
    AppSettings,
    EngineConfig,
    HubConfig,
    KnowledgeConfig,
    RemoteConfig,
    SamplingConfig,
    SettingsStore,
    UiConfig,
    needs_model_reload,
)

RELOAD_NOTE = QT_TRANSLATE_NOOP("SettingsPage", "The model will reload with the new settings.")
RESTART_NOTE = QT_TRANSLATE_NOOP("SettingsPage", "Restart LLMasOS to change the language.")


def _shortcut_text(sequence: QKeySequence) -> str:
    """The portable text of a one-key sequence (``"Ctrl+Alt+T"``; "" for none)."""
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def _optional(box: QSpinBox, auto_value: int) -> int | None:
    return None if box.value() == auto_value else box.value()


class SettingsPage(SettingsForm):
    """Edits :class:`AppSettings`; Apply (Ctrl+S) checks and saves them.

    Signals (emitted on the GUI thread after a successful save):
        applied: the new :class:`AppSettings`.
        reload_requested: the new ``EngineSettings``, when the model must reload.
    """

    applied = Signal(object)
    reload_requested = Signal(object)

    def __init__(self, store: SettingsStore, parent: QWidget | None = None) -> None:
        """Read the settings from ``store`` and show them; a load warning is shown inline."""
        super().__init__(parent)
        self._store = store
        self._saved, warning = store.load()
        self._build()
        self.set_form(self._saved)
        if warning:
            self._show_error(warning)

    @property
    def saved(self) -> AppSettings:
        """The settings as last loaded or applied."""
        return self._saved

    # --- building --------------------------------------------------------------------

    def _build(self) -> None:
        groups = self._groups()
        width = lay_out_groups(groups)
        sheet = QWidget()  # the groups, one column no wider than they need
        sheet.setMaximumWidth(width)
        column = QVBoxLayout(sheet)
        column.setContentsMargins(0, 0, 0, 0)
        for group in groups:
            column.addWidget(group)
        column.addStretch(1)
        content = QWidget()
        row = QHBoxLayout(content)
        row.addWidget(sheet, 1)
        row.addStretch(0)  # the room left at the right of a wide window stays empty
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        # the messages and buttons under the form, Apply under the form's right edge
        margins = row.contentsMargins()
        foot = QWidget()
        foot.setMaximumWidth(margins.left() + width + margins.right())
        below = QVBoxLayout(foot)
        below.setContentsMargins(margins.left(), 0, margins.right(), 0)
        below.addWidget(self._messages())
        below.addLayout(self._buttons())
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(foot)

    def _messages(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #d32f2f; font-weight: bold;")
        self.notice_label = QLabel()
        for label, name in (
            (self.error_label, self.tr("Error")),
            (self.notice_label, self.tr("Status")),
        ):
            label.setWordWrap(True)
            label.setAccessibleName(name)
            label.hide()
            column.addWidget(label)
        return box

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.restore_button = QPushButton(self.tr("Restore &defaults"))
        _describe(
            self.restore_button,
            self.tr("Restore defaults"),
            self.tr(
                "Put every setting back to its default (your Hub token is kept). "
                "Click Apply to save."
            ),
        )
        self.apply_button = QPushButton(self.tr("&Apply"))
        self.apply_button.setDefault(True)
        self.restore_button.setIcon(ui_icon("undo"))
        self.apply_button.setIcon(ui_icon("check"))
        _describe(
            self.apply_button, self.tr("Apply"), self.tr("Check and save the settings (Ctrl+S).")
        )
        self.restore_button.clicked.connect(self.restore_defaults)
        self.apply_button.clicked.connect(self.apply)
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self.save_shortcut.activated.connect(self.apply)
        row.addStretch(1)
        row.addWidget(self.restore_button)
        row.addWidget(self.apply_button)
        return row

    # --- form <-> settings ---------------------------------------------------------------

    def set_form(self, settings: AppSettings) -> None:
        """Show ``settings`` in the form (nothing is saved)."""
        e, s = settings.engine, settings.sampling
        self.threads.setValue(THREADS_AUTO if e.n_threads is None else e.n_threads)
        self.n_ctx.setValue(e.n_ctx)
        self.gpu_layers.setValue(GPU_LAYERS_AUTO if e.n_gpu_layers is None else e.n_gpu_layers)
        self.n_batch.setValue(e.n_batch)
        self.flash_attn.setChecked(e.flash_attn)
        self.temperature.setValue(s.temperature)
        self.top_p.setValue(s.top_p)
        self.top_k.setValue(s.top_k)
        self.min_p.setValue(s.min_p)
        self.repeat_penalty.setValue(s.repeat_penalty)
        self.seed.setValue(SEED_RANDOM if s.seed is None else s.seed)
        self.max_tokens.setValue(s.max_tokens)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.ui.theme)))
        self.language.setCurrentIndex(max(0, self.language.findData(settings.ui.language)))
        self.enter_sends.setChecked(settings.ui.enter_sends)
        self.endpoint.setText(settings.hub.endpoint)
        self.token.setText(settings.hub.token)
        api, remote = settings.api, settings.remote
        self.api_enabled.setChecked(api.enabled)
        self.api_host.setText(api.host)
        self.api_port.setValue(api.port)
        self.api_key.setText(api.api_key)
        self.api_cors.setText(", ".join(api.cors_origins))
        self.remote_url.setText(remote.url)
        self.remote_key.setText(remote.key)
        self.remote_model.setText(remote.model)
        where = settings.everywhere
        for edit, text in (
            (self.hotkey_translate, where.hotkey_translate),
            (self.hotkey_proofread, where.hotkey_proofread),
            (self.hotkey_ask, where.hotkey_ask),
            (self.hotkey_ocr, where.hotkey_ocr),
        ):
            edit.setKeySequence(QKeySequence(text))
        self.translate_to.setText(where.translate_to)
        self.keep_in_tray.setChecked(where.keep_in_tray)
        self.embedding_model.setText(settings.knowledge.embedding_model)
        self.editor_command.setText(settings.knowledge.editor_command)
        self.load_last_model.setChecked(settings.models.load_last)

    def form_settings(self, base: AppSettings | None = None) -> AppSettings:
        """Return the settings the form shows (not yet validated), over ``base`` (default:
        as last loaded or applied) for what the form does not show."""
        base = self._saved if base is None else base
        engine = EngineConfig(
            n_threads=_optional(self.threads, THREADS_AUTO),
            n_ctx=self.n_ctx.value(),
            n_gpu_layers=_optional(self.gpu_layers, GPU_LAYERS_AUTO),
            n_batch=self.n_batch.value(),
            flash_attn=self.flash_attn.isChecked(),
        )
        sampling = SamplingConfig(
            temperature=self.temperature.value(),
            top_p=self.top_p.value(),
            top_k=self.top_k.value(),
            min_p=self.min_p.value(),
            repeat_penalty=self.repeat_penalty.value(),
            seed=_optional(self.seed, SEED_RANDOM),
            max_tokens=self.max_tokens.value(),
        )
        ui = UiConfig(
            theme=str(self.theme.currentData()),
            language=str(self.language.currentData()),
            enter_sends=self.enter_sends.isChecked(),
        )
        hub = HubConfig(endpoint=self.endpoint.text().strip(), token=self.token.text().strip())
        api = ApiConfig(
            enabled=self.api_enabled.isChecked(),
            host=self.api_host.text().strip() or FIELDS["api.host"].default,
            port=self.api_port.value(),
            api_key=self.api_key.text().strip(),
            cors_origins=tuple(o.strip() for o in self.api_cors.text().split(",") if o.strip()),
        )
        remote = RemoteConfig(
            url=self.remote_url.text().strip(),
            key=self.remote_key.text().strip(),
            model=self.remote_model.text().strip(),
        )
        everywhere = replace(
            base.everywhere,
            hotkey_translate=_shortcut_text(self.hotkey_translate.keySequence()),
            hotkey_proofread=_shortcut_text(self.hotkey_proofread.keySequence()),
            hotkey_ask=_shortcut_text(self.hotkey_ask.keySequence()),
            hotkey_ocr=_shortcut_text(self.hotkey_ocr.keySequence()),
            translate_to=self.translate_to.text().strip()
            or FIELDS["everywhere.translate_to"].default,
            keep_in_tray=self.keep_in_tray.isChecked(),
        )
        return replace(
            base,
            models=replace(base.models, load_last=self.load_last_model.isChecked()),
            engine=engine,
            sampling=sampling,
            ui=ui,
            hub=hub,
            api=api,
            remote=remote,
            everywhere=everywhere,
            knowledge=KnowledgeConfig(
                embedding_model=self.embedding_model.text().strip(),
                editor_command=self.editor_command.text().strip(),
            ),
        )

    def show_hotkey_problems(self, problems: list[str]) -> None:
        """Show which global shortcuts do not work here, and what to do (empty: hide)."""
        self.hotkey_status.setText("\n\n".join(problems))
        self.hotkey_status.setAccessibleDescription(" ".join(problems))
        self.hotkey_status.setVisible(bool(problems))

    # --- actions -------------------------------------------------------------------------

    def restore_defaults(self) -> None:
        """Fill the form with the defaults, keeping the Hub token; Apply saves them."""
        defaults = AppSettings()
        token = self.token.text()
        self.set_form(replace(defaults, hub=replace(defaults.hub, token=token)))
        self._show_notice(self.tr("Defaults restored. Click Apply to save them."))

    def apply(self) -> bool:
        """Check the form and save it; return whether it was saved.

        An invalid value is shown inline and nothing is written.
        """
        new = self.form_settings(self._latest())
        try:
            self._store.save(new)
        except SettingsError as exc:
            self._show_error(error_text(exc))
            return False
        except OSError as exc:
            self._show_error(
                self.tr(
                    "The settings could not be saved to {path} ({error}). "
                    "Check that the folder is writable."
                ).format(path=self._store.path, error=exc.strerror or exc)
            )
            return False
        old, self._saved = self._saved, new
        self._after_save(old, new)
        return True

    def _latest(self) -> AppSettings:
        """The settings file as it is now: while this page is open, the main window saves
        what it owns (recent models, the default model, open windows), which the form
        neither shows nor may put back as they were (the file as loaded when damaged)."""
        latest, warning = self._store.load()
        return self._saved if warning else latest

    def _after_save(self, old: AppSettings, new: AppSettings) -> None:
        notes = [self.tr("Settings saved.")]
        if old.ui.theme != new.ui.theme:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, new.ui.theme)
        if old.ui.language != new.ui.language:
            notes += self._restart_notes(new.ui.language)
        reload = needs_model_reload(old, new)
        if reload:
            notes.append(self.tr(RELOAD_NOTE))
        self._show_notice(" ".join(notes))
        self.applied.emit(new)
        if reload:
            self.reload_requested.emit(new.to_engine_settings())

    def _restart_notes(self, language: str) -> list[str]:
        """The restart prompt in the UI's language and, when it differs, in the new one."""
        now = self.tr(RESTART_NOTE)
        chosen = translate_in(language, "SettingsPage", RESTART_NOTE)
        return [now] if chosen == now else [now, chosen]

    def _show_error(self, message: str) -> None:
        self.notice_label.hide()
        self.error_label.setText(message)
        self.error_label.setAccessibleDescription(message)
        self.error_label.show()
        # Screen readers announce an alert without the person moving focus there.
        QAccessible.updateAccessibility(QAccessibleEvent(self.error_label, QAccessible.Event.Alert))

    def _show_notice(self, message: str) -> None:
        self.error_label.hide()
        self.notice_label.setText(message)
        self.notice_label.setAccessibleDescription(message)
        self.notice_label.show()


__all__ = [
    "GPU_LAYERS_AUTO",
    "LANGUAGE_CHOICES",
    "RELOAD_NOTE",
    "RESTART_NOTE",
    "SEED_RANDOM",
    "THEME_CHOICES",
    "THREADS_AUTO",
    "SettingsPage",
]
