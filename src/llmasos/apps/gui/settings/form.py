"""The Settings page's fields: one group box per part of :class:`AppSettings`.

:class:`SettingsForm` builds the widgets (their names, tooltips and ranges); the
ranges come from the settings schema (:data:`~llmasos.foundation.settings.schema.FIELDS`),
the words from :data:`FIELD_TEXTS`, keyed by the same names;
:class:`~llmasos.apps.gui.settings.page.SettingsPage` fills them from the settings,
reads them back, and checks and saves them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.settings.layout import text_width
from llmasos.foundation.settings.schema import FIELDS


def _bounds(key: str) -> tuple[float, float]:
    """The schema's range of ``key``."""
    lo, hi = FIELDS[key].lo, FIELDS[key].hi
    if lo is None or hi is None:
        raise ValueError(f"{key} has no range")
    return lo, hi


# the spin boxes' minimum, one below the schema's, shows "Auto" / "Random" and means None
THREADS_AUTO = int(_bounds("engine.n_threads")[0]) - 1
GPU_LAYERS_AUTO = int(_bounds("engine.n_gpu_layers")[0]) - 1
SEED_RANDOM = int(_bounds("sampling.seed")[0]) - 1
# The form's words for the schema's fields: (accessible name, label with its mnemonic
# ("" when the row has another), tooltip with "{range}" filled from the schema).
# Translated where shown; the schema's own English label and help are the CLI's.
FIELD_TEXTS: dict[str, tuple[str, str, str]] = {
    "engine.n_threads": (
        QT_TRANSLATE_NOOP("SettingsForm", "Threads"),
        QT_TRANSLATE_NOOP("SettingsForm", "T&hreads:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm",
            "CPU threads for the model ({range}). Auto: every core this process may use "
            "(at most 16), minus the cores other programs keep busy, checked before each "
            "request.",
        ),
    ),
    "engine.n_ctx": (
        QT_TRANSLATE_NOOP("SettingsForm", "Context length"),
        QT_TRANSLATE_NOOP("SettingsForm", "&Context length:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm",
            "Tokens the model can keep in mind ({range}). More uses more memory; it is "
            "capped at what the model was trained for.",
        ),
    ),
    "engine.n_gpu_layers": (
        QT_TRANSLATE_NOOP("SettingsForm", "GPU layers"),
        QT_TRANSLATE_NOOP("SettingsForm", "&GPU layers:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm",
            "Layers to run on the GPU. Auto: all of them when this build can use a GPU; "
            "-1: all; 0: CPU only.",
        ),
    ),
    "engine.n_batch": (
        QT_TRANSLATE_NOOP("SettingsForm", "Batch size"),
        QT_TRANSLATE_NOOP("SettingsForm", "&Batch size:"),
        QT_TRANSLATE_NOOP("SettingsForm", "Prompt tokens evaluated per step ({range})."),
    ),
    "engine.flash_attn": (
        QT_TRANSLATE_NOOP("SettingsForm", "Flash attention"),
        QT_TRANSLATE_NOOP("SettingsForm", "&Flash attention"),
        QT_TRANSLATE_NOOP(
            "SettingsForm",
            "Faster attention with less memory, wherever llama.cpp supports it (CPUs, most GPUs).",
        ),
    ),
    "sampling.temperature": (
        QT_TRANSLATE_NOOP("SettingsForm", "Temperature"),
        QT_TRANSLATE_NOOP("SettingsForm", "Te&mperature:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm", "Randomness ({range}). 0 always picks the likeliest word."
        ),
    ),
    "sampling.top_p": (
        QT_TRANSLATE_NOOP("SettingsForm", "Top-p"),
        QT_TRANSLATE_NOOP("SettingsForm", "Top-&p:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm",
            "Sample only from the likeliest words that add up to this probability ({range}).",
        ),
    ),
    "sampling.top_k": (
        QT_TRANSLATE_NOOP("SettingsForm", "Top-k"),
        QT_TRANSLATE_NOOP("SettingsForm", "Top-&k:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm", "Sample only from this many likeliest words ({range}; 0: no limit)."
        ),
    ),
    "sampling.min_p": (
        QT_TRANSLATE_NOOP("SettingsForm", "Min-p"),
        QT_TRANSLATE_NOOP("SettingsForm", "M&in-p:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm", "Drop words less likely than this share of the likeliest ({range})."
        ),
    ),
    "sampling.repeat_penalty": (
        QT_TRANSLATE_NOOP("SettingsForm", "Repeat penalty"),
        QT_TRANSLATE_NOOP("SettingsForm", "&Repeat penalty:"),
        QT_TRANSLATE_NOOP("SettingsForm", "Above 1 discourages repeating words ({range})."),
    ),
    "sampling.seed": (
        QT_TRANSLATE_NOOP("SettingsForm", "Seed"),
        QT_TRANSLATE_NOOP("SettingsForm", "&Seed:"),
        QT_TRANSLATE_NOOP(
            "SettingsForm",
            "Random: a new seed each time. A number gives the same answer to the same prompt.",
        ),
    ),
    "sampling.max_tokens": (
        QT_TRANSLATE_NOOP("SettingsForm", "Max tokens"),
        QT_TRANSLATE_NOOP("SettingsForm", "Ma&x tokens:"),
        QT_TRANSLATE_NOOP("SettingsForm", "Longest answer, in tokens ({range})."),
    ),
    "api.port": (
        QT_TRANSLATE_NOOP("SettingsForm", "API port"),
        "",  # on the "Serve on:" row
        QT_TRANSLATE_NOOP("SettingsForm", "Port to listen on ({range})."),
    ),
}
# spin box steps, where one click should move more than 1 (or less, for fractions)
STEPS: dict[str, float] = {
    "engine.n_ctx": 256,
    "sampling.temperature": 0.05,
    "sampling.top_p": 0.05,
    "sampling.min_p": 0.01,
    "sampling.repeat_penalty": 0.05,
}
THEME_CHOICES = (
    ("system", QT_TRANSLATE_NOOP("SettingsPage", "Same as the system")),
    ("light", QT_TRANSLATE_NOOP("SettingsPage", "Light")),
    ("dark", QT_TRANSLATE_NOOP("SettingsPage", "Dark")),
)
# each language is named in itself, so people find theirs whatever the UI shows now
LANGUAGE_CHOICES = (
    ("system", QT_TRANSLATE_NOOP("SettingsPage", "Same as the system")),
    ("en", "English"),
    ("zh_CN", "简体中文 (Simplified Chinese)"),
)
_NATIVE_NAMES = frozenset({"en", "zh_CN"})


class _WheelOnlyWhenFocused(QObject):
    """Lets a spin box or combo box take mouse-wheel turns only once it has the keyboard
    focus; otherwise the turn goes on to the page, which scrolls (a turn meant to scroll
    the form no longer changes the field under the pointer)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        wheel = event.type() == QEvent.Type.Wheel
        if wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()  # unaccepted: Qt passes it to the parent widgets
            return True
        return super().eventFilter(watched, event)


def _guard_wheel(widget: QAbstractSpinBox | QComboBox) -> None:
    """No focus from the wheel, and no wheel changes before a click or Tab focuses it."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_WheelOnlyWhenFocused(widget))


def _describe(widget: QWidget, name: str, tip: str) -> None:
    """Give ``widget`` its screen-reader name and tooltip (both already translated)."""
    widget.setAccessibleName(name)
    widget.setToolTip(tip)
    if isinstance(widget, QAbstractSpinBox):
        widget.lineEdit().setAccessibleName(name)  # its editor is what screen readers reach


def _spin(lo: int, hi: int, name: str, tip: str, special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setSpecialValueText(special)  # shown at the minimum
    box.setGroupSeparatorShown(True)
    box.setAccelerated(True)
    _describe(box, name, tip)
    _guard_wheel(box)
    return box


def _double(lo: float, hi: float, step: float, name: str, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(2)
    _describe(box, name, tip)
    _guard_wheel(box)
    return box


def _texts(key: str) -> tuple[str, str, str]:
    """The translated (name, label, tooltip) of the schema field ``key``."""
    name, label, tip = FIELD_TEXTS[key]
    span = FIELDS[key].span()
    return (
        QCoreApplication.translate("SettingsForm", name),
        QCoreApplication.translate("SettingsForm", label) if label else "",
        QCoreApplication.translate("SettingsForm", tip).format(range=span),
    )


def _setting_spin(key: str, special: str = "") -> QSpinBox:
    """A spin box over the schema's range of ``key``; with ``special``, one more step
    below it shows ``special`` and stands for None ("Auto", "Random")."""
    lo, hi = _bounds(key)
    name, _label, tip = _texts(key)
    box = _spin(int(lo) - (1 if special else 0), int(hi), name, tip, special)
    box.setSingleStep(int(STEPS.get(key, 1)))
    return box


def _setting_double(key: str) -> QDoubleSpinBox:
    """A two-decimal spin box over the schema's range of ``key``."""
    lo, hi = _bounds(key)
    name, _label, tip = _texts(key)
    return _double(lo, hi, STEPS.get(key, 0.1), name, tip)


def _setting_check(key: str) -> QCheckBox:
    """A check box for the on/off setting ``key``, its label as its text."""
    name, label, tip = _texts(key)
    box = QCheckBox(label)
    _describe(box, name, tip)
    return box


def _combo(choices: tuple[tuple[str, str], ...], name: str, tip: str) -> QComboBox:
    combo = QComboBox()
    for key, text in choices:
        shown = text if key in _NATIVE_NAMES else QCoreApplication.translate("SettingsPage", text)
        combo.addItem(shown, key)
    _describe(combo, name, tip)
    _guard_wheel(combo)
    return combo


def _row(form: QFormLayout, text: str, widget: QWidget) -> None:
    label = QLabel(text)
    label.setBuddy(widget)
    form.addRow(label, widget)


def _field_row(form: QFormLayout, widget: QWidget) -> None:
    """A row without a label whose widget (a check box, a note) starts where the fields
    do, not under the labels."""
    form.setWidget(form.rowCount(), QFormLayout.ItemRole.FieldRole, widget)


def _pair(first: QWidget, second: QWidget, shares: tuple[int, int] | None = (2, 1)) -> QWidget:
    """Two fields on one form row; the label's buddy is the first. They share the row's
    width by ``shares``; with None both keep their own widths."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(first, shares[0] if shares else 0)
    row.addWidget(second, shares[1] if shares else 0)
    if shares is None:
        row.addStretch(1)
    box.setFocusProxy(first)
    return box


class SettingsForm(QWidget):
    """The settings' input widgets, grouped; a base of ``SettingsPage``, which adds the
    Apply / Restore buttons and the saving. The widgets are attributes named after the
    settings they edit (``threads``, ``n_ctx``, ``temperature``, ``theme``, …)."""

    def _groups(self) -> list[QGroupBox]:
        """Build every group box, in the order they appear (and Tab visits them)."""
        return [
            self._engine_group(),
            self._sampling_group(),
            self._ui_group(),
            self._hub_group(),
            self._api_group(),
            self._remote_group(),
            self._everywhere_group(),
            self._knowledge_group(),
        ]

    def _engine_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Model && performance"))
        form = QFormLayout(group)
        self.threads = _setting_spin("engine.n_threads", self.tr("Auto"))
        self.n_ctx = _setting_spin("engine.n_ctx")
        self.gpu_layers = _setting_spin("engine.n_gpu_layers", self.tr("Auto"))
        self.n_batch = _setting_spin("engine.n_batch")
        self.flash_attn = _setting_check("engine.flash_attn")
        # every Alt+letter in the words is taken on this page: reached with Tab
        self.load_last_model = QCheckBox(self.tr("Load the last model at start"))
        _describe(
            self.load_last_model,
            self.tr("Load the last model at start"),
            self.tr(
                "When the app starts with no model given and no default model, load the "
                "model opened last (File › Open Recent lists the others)."
            ),
        )
        for key, widget in (
            ("engine.n_threads", self.threads),
            ("engine.n_ctx", self.n_ctx),
            ("engine.n_gpu_layers", self.gpu_layers),
            ("engine.n_batch", self.n_batch),
        ):
            _row(form, _texts(key)[1], widget)
        _field_row(form, self.flash_attn)
        _field_row(form, self.load_last_model)
        return group

    def _sampling_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Default sampling"))
        form = QFormLayout(group)
        self.temperature = _setting_double("sampling.temperature")
        self.top_p = _setting_double("sampling.top_p")
        self.top_k = _setting_spin("sampling.top_k")
        self.min_p = _setting_double("sampling.min_p")
        self.repeat_penalty = _setting_double("sampling.repeat_penalty")
        self.seed = _setting_spin("sampling.seed", self.tr("Random"))
        self.max_tokens = _setting_spin("sampling.max_tokens")
        for key, widget in (
            ("sampling.temperature", self.temperature),
            ("sampling.top_p", self.top_p),
            ("sampling.top_k", self.top_k),
            ("sampling.min_p", self.min_p),
            ("sampling.repeat_penalty", self.repeat_penalty),
            ("sampling.seed", self.seed),
            ("sampling.max_tokens", self.max_tokens),
        ):
            _row(form, _texts(key)[1], widget)
        return group

    def _ui_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Appearance"))
        form = QFormLayout(group)
        self.theme = _combo(
            THEME_CHOICES, self.tr("Theme"), self.tr("Light, dark, or follow the system.")
        )
        self.language = _combo(
            LANGUAGE_CHOICES,
            self.tr("Language"),
            self.tr("Language of menus and labels (after a restart)."),
        )
        self.enter_sends = QCheckBox(self.tr("E&nter sends the message"))
        _describe(
            self.enter_sends,
            self.tr("Enter sends the message"),
            self.tr("On: Enter sends and Shift+Enter starts a new line. Off: Ctrl+Enter sends."),
        )
        _row(form, self.tr("&Theme:"), self.theme)
        _row(form, self.tr("&Language:"), self.language)
        _field_row(form, self.enter_sends)
        return group

    def _hub_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Hugging Face Hub"))
        form = QFormLayout(group)
        self.endpoint = QLineEdit()
        self.endpoint.setPlaceholderText("https://huggingface.co")
        _describe(
            self.endpoint,
            self.tr("Hub endpoint"),
            self.tr(
                "Address models are downloaded from; a mirror such as https://hf-mirror.com "
                "works too. Must be https:// (http:// only for this computer)."
            ),
        )
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("Only needed for gated or private models"))
        _describe(
            self.token,
            self.tr("Hub token"),
            self.tr(
                "Your Hugging Face access token. It is saved unencrypted in the settings "
                "file, readable only by you."
            ),
        )
        _row(form, self.tr("&Endpoint:"), self.endpoint)
        _row(form, self.tr("T&oken:"), self.token)
        return group

    def _api_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("API server"))
        form = QFormLayout(group)
        self.api_enabled = QCheckBox(self.tr("Serve an OpenAI-compatible API to other programs"))
        _describe(
            self.api_enabled,
            self.tr("API server"),
            self.tr(
                "Other programs on this computer can use the loaded model through "
                "http://127.0.0.1:PORT/v1. Their requests wait behind yours."
            ),
        )
        self.api_host = QLineEdit()
        self.api_host.setPlaceholderText("127.0.0.1")
        self.api_host.setFixedWidth(text_width(self.api_host, "255.255.255.255"))
        _describe(
            self.api_host,
            self.tr("API address"),
            self.tr(
                "127.0.0.1: this computer only. 0.0.0.0 or another address lets other "
                "computers connect, and needs an API key."
            ),
        )
        self.api_port = _setting_spin("api.port")
        self.api_port.setGroupSeparatorShown(False)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText(self.tr("Optional on 127.0.0.1"))
        _describe(
            self.api_key,
            self.tr("API key"),
            self.tr(
                "Programs must send 'Authorization: Bearer KEY'. Saved unencrypted in the "
                "settings file, readable only by you."
            ),
        )
        self.api_cors = QLineEdit()
        self.api_cors.setPlaceholderText(self.tr("None (browser pages cannot call the API)"))
        _describe(
            self.api_cors,
            self.tr("Allowed web origins"),
            self.tr(
                "Web pages allowed to call the API, separated by commas, e.g. "
                "http://localhost:3000. Empty: none."
            ),
        )
        _field_row(form, self.api_enabled)
        _row(form, self.tr("Ser&ve on:"), _pair(self.api_host, self.api_port, None))
        _row(form, self.tr("API ke&y:"), self.api_key)
        _row(form, self.tr("&Web origins:"), self.api_cors)
        return group

    def _remote_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Remote engine"))
        form = QFormLayout(group)
        self.remote_url = QLineEdit()
        self.remote_url.setPlaceholderText(self.tr("Empty: use the local model"))
        _describe(
            self.remote_url,
            self.tr("Remote engine address"),
            self.tr(
                "An OpenAI-compatible server to use instead of a local model (llama.cpp "
                "server, vLLM, Ollama, a gateway), e.g. http://192.168.1.5:8080/v1."
            ),
        )
        self.remote_key = QLineEdit()
        self.remote_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.remote_key.setPlaceholderText(self.tr("Key, if the server needs one"))
        _describe(
            self.remote_key,
            self.tr("Remote engine key"),
            self.tr(
                "The server's API key. Saved unencrypted in the settings file, readable "
                "only by you."
            ),
        )
        self.remote_model = QLineEdit()
        self.remote_model.setPlaceholderText(self.tr("Empty: the server's first model"))
        _describe(self.remote_model, self.tr("Remote model"), self.tr("The server's model to use."))
        _row(
            form, self.tr("Server address (&URL):"), _pair(self.remote_url, self.remote_key, (3, 2))
        )
        _row(form, self.tr("Model to re&quest:"), self.remote_model)
        return group

    def _everywhere_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Everywhere (other applications)"))
        form = QFormLayout(group)
        tip = self.tr(
            "A system-wide shortcut: it works in any application (X11). Click, then press "
            "the keys; clear it for none."
        )
        self.hotkey_translate = _shortcut_edit(self.tr("Translate shortcut"), tip)
        self.hotkey_proofread = _shortcut_edit(self.tr("Improve shortcut"), tip)
        self.hotkey_ask = _shortcut_edit(self.tr("Ask shortcut"), tip)
        self.hotkey_ocr = _shortcut_edit(self.tr("OCR shortcut"), tip)
        self.translate_to = QLineEdit()
        self.translate_to.setPlaceholderText("en")
        self.translate_to.setMaximumWidth(text_width(self.translate_to, "zh-Hant-TW"))
        _describe(
            self.translate_to,
            self.tr("Translate into"),
            self.tr("The language the translate shortcut translates into: a code such as zh."),
        )
        self.keep_in_tray = QCheckBox(self.tr("Keep running in the tray when the window closes"))
        _describe(
            self.keep_in_tray,
            self.tr("Keep running in the tray"),
            self.tr(
                "Closing the main window leaves LLMasOS in the system tray, so the shortcuts "
                "keep working. Quit from the tray menu."
            ),
        )
        self.hotkey_status = QLabel()
        self.hotkey_status.setWordWrap(True)
        self.hotkey_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hotkey_status.setAccessibleName(self.tr("Shortcut problems"))
        self.hotkey_status.hide()
        # every Alt+letter is taken on this page: these rows are reached with Tab, their
        # labels without a buddy (a buddy label must carry a mnemonic)
        for text, widget in (
            (self.tr("Translate selection:"), self.hotkey_translate),
            (self.tr("Improve selection:"), self.hotkey_proofread),
            (self.tr("Ask box:"), self.hotkey_ask),
            (self.tr("OCR a screen region:"), self.hotkey_ocr),
            (self.tr("Translate into:"), self.translate_to),
        ):
            form.addRow(QLabel(text), widget)
        _field_row(form, self.keep_in_tray)
        _field_row(form, self.hotkey_status)
        return group

    def _knowledge_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Knowledge (your documents)"))
        form = QFormLayout(group)
        self.embedding_model = QLineEdit()
        self.embedding_model.setPlaceholderText(self.tr("None: full-text search only"))
        _describe(
            self.embedding_model,
            self.tr("Embedding model"),
            self.tr(
                "A GGUF embedding model (a file, or an installed model's name) that finds "
                "passages by meaning, also across Chinese and English. Changing it indexes "
                "your collections again in the background. Used by the Knowledge page, "
                "llmasos docs and ask, and the API server."
            ),
        )
        self.embedding_browse = QPushButton(self.tr("Choose a file…"))
        self.embedding_browse.setIcon(ui_icon("file"))
        _describe(
            self.embedding_browse,
            self.tr("Choose an embedding model file"),
            self.tr("Pick a .gguf embedding model, e.g. bge-m3 or multilingual-e5."),
        )
        self.embedding_browse.clicked.connect(lambda: _choose_embedder(self, self.embedding_model))
        # every Alt+letter is taken on this page: the row is reached with Tab
        form.addRow(
            QLabel(self.tr("Embedding model:")),
            _pair(self.embedding_model, self.embedding_browse, (1, 0)),
        )
        self.editor_command = QLineEdit()
        self.editor_command.setPlaceholderText(self.tr("None: the file's usual program"))
        _describe(
            self.editor_command,
            self.tr("Editor command"),
            self.tr(
                "Opens a cited text, Markdown or code file at the cited line: {file} and "
                "{line} are filled in, e.g. code --goto {file}:{line} or gvim +{line} {file}."
            ),
        )
        form.addRow(QLabel(self.tr("Editor command:")), self.editor_command)
        return group


def _choose_embedder(parent: QWidget, edit: QLineEdit) -> None:
    """Ask for a GGUF embedding model file and put its path in ``edit``."""
    from PySide6.QtWidgets import QFileDialog

    from llmasos.foundation.platform.paths import app_paths

    start = edit.text().strip() or str(app_paths().models)
    path, _ = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("SettingsForm", "Choose an embedding model"),
        start,
        QCoreApplication.translate("SettingsForm", "GGUF models (*.gguf);;All files (*)"),
    )
    if path:
        edit.setText(path)


def _shortcut_edit(name: str, tip: str) -> QKeySequenceEdit:
    """An editor for one key combination (no chords), with a clear button."""
    edit = QKeySequenceEdit()
    edit.setMaximumSequenceLength(1)
    edit.setClearButtonEnabled(True)
    _describe(edit, name, tip)
    inner = edit.findChild(QLineEdit)
    if inner is not None:  # what screen readers and Tab reach
        inner.setAccessibleName(name)
        inner.setToolTip(tip)
        clear = QCoreApplication.translate("SettingsForm", "Clear the shortcut")
        for button in inner.findChildren(QAbstractButton):
            _describe(button, clear, clear)
    return edit
