"""The Settings page's fields: one group box per part of :class:`AppSettings`.

:class:`SettingsForm` builds the widgets (their names, tooltips and ranges);
:class:`~llmasos.apps.gui.settings.page.SettingsPage` fills them from the settings,
reads them back, and checks and saves them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.foundation.settings.rules import SEED_MAX

THREADS_AUTO = 0  # the spin boxes' minimum shows "Auto" / "Random" and means None
GPU_LAYERS_AUTO = -2
SEED_RANDOM = -1
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
    return box


def _double(lo: float, hi: float, step: float, name: str, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(2)
    _describe(box, name, tip)
    return box


def _combo(choices: tuple[tuple[str, str], ...], name: str, tip: str) -> QComboBox:
    combo = QComboBox()
    for key, text in choices:
        shown = text if key in _NATIVE_NAMES else QCoreApplication.translate("SettingsPage", text)
        combo.addItem(shown, key)
    _describe(combo, name, tip)
    return combo


def _row(form: QFormLayout, text: str, widget: QWidget) -> None:
    label = QLabel(text)
    label.setBuddy(widget)
    form.addRow(label, widget)


def _pair(first: QWidget, second: QWidget) -> QWidget:
    """Two fields on one form row; the label's buddy is the first."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(first, 2)
    row.addWidget(second, 1)
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
        ]

    def _engine_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Model && performance"))
        form = QFormLayout(group)
        self.threads = _spin(
            THREADS_AUTO,
            256,
            self.tr("Threads"),
            self.tr("CPU threads for the model (1–256). Auto: one per physical core."),
            self.tr("Auto"),
        )
        self.n_ctx = _spin(
            256,
            1_048_576,
            self.tr("Context length"),
            self.tr(
                "Tokens the model can keep in mind (256–1,048,576). More uses more "
                "memory; it is capped at what the model was trained for."
            ),
        )
        self.n_ctx.setSingleStep(256)
        self.gpu_layers = _spin(
            GPU_LAYERS_AUTO,
            1000,
            self.tr("GPU layers"),
            self.tr(
                "Layers to run on the GPU. Auto: all of them when this build "
                "can use a GPU; -1: all; 0: CPU only."
            ),
            self.tr("Auto"),
        )
        self.n_batch = _spin(
            1, 8192, self.tr("Batch size"), self.tr("Prompt tokens evaluated per step (1–8192).")
        )
        self.flash_attn = QCheckBox(self.tr("&Flash attention"))
        _describe(
            self.flash_attn,
            self.tr("Flash attention"),
            self.tr("Faster attention with less memory on GPUs that support it."),
        )
        _row(form, self.tr("T&hreads:"), self.threads)
        _row(form, self.tr("&Context length:"), self.n_ctx)
        _row(form, self.tr("&GPU layers:"), self.gpu_layers)
        _row(form, self.tr("&Batch size:"), self.n_batch)
        form.addRow(self.flash_attn)
        return group

    def _sampling_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Default sampling"))
        form = QFormLayout(group)
        self.temperature = _double(
            0,
            5,
            0.05,
            self.tr("Temperature"),
            self.tr("Randomness (0–5). 0 always picks the likeliest word."),
        )
        self.top_p = _double(
            0,
            1,
            0.05,
            self.tr("Top-p"),
            self.tr("Sample only from the likeliest words that add up to this probability (0–1)."),
        )
        self.top_k = _spin(
            0,
            1000,
            self.tr("Top-k"),
            self.tr("Sample only from this many likeliest words (0–1000; 0: no limit)."),
        )
        self.min_p = _double(
            0,
            1,
            0.01,
            self.tr("Min-p"),
            self.tr("Drop words less likely than this share of the likeliest (0–1)."),
        )
        self.repeat_penalty = _double(
            0.5,
            2.5,
            0.05,
            self.tr("Repeat penalty"),
            self.tr("Above 1 discourages repeating words (0.5–2.5)."),
        )
        self.seed = _spin(
            SEED_RANDOM,
            SEED_MAX,
            self.tr("Seed"),
            self.tr(
                "Random: a new seed each time. A number gives the same answer to the same prompt."
            ),
            self.tr("Random"),
        )
        self.max_tokens = _spin(
            1, 131_072, self.tr("Max tokens"), self.tr("Longest answer, in tokens (1–131,072).")
        )
        for text, widget in (
            (self.tr("Te&mperature:"), self.temperature),
            (self.tr("Top-&p:"), self.top_p),
            (self.tr("Top-&k:"), self.top_k),
            (self.tr("M&in-p:"), self.min_p),
            (self.tr("&Repeat penalty:"), self.repeat_penalty),
            (self.tr("&Seed:"), self.seed),
            (self.tr("Ma&x tokens:"), self.max_tokens),
        ):
            _row(form, text, widget)
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
        form.addRow(self.enter_sends)
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
        _describe(
            self.api_host,
            self.tr("API address"),
            self.tr(
                "127.0.0.1: this computer only. 0.0.0.0 or another address lets other "
                "computers connect, and needs an API key."
            ),
        )
        self.api_port = _spin(
            1, 65535, self.tr("API port"), self.tr("Port to listen on (1–65,535).")
        )
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
        form.addRow(self.api_enabled)
        _row(form, self.tr("Ser&ve on:"), _pair(self.api_host, self.api_port))
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
        _row(form, self.tr("Server address (&URL):"), _pair(self.remote_url, self.remote_key))
        _row(form, self.tr("Model to re&quest:"), self.remote_model)
        return group
