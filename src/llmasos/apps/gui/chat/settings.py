"""Chat helpers: the message box, the per-conversation settings dialog, file dialogs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from llmasos.foundation.engine.settings import SamplingParams
from llmasos.services.chat.conversations import Conversation
from llmasos.services.chat.export import export_file_name

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ChatInput(QPlainTextEdit):
    """Multi-line message box: Enter sends and Shift+Enter breaks the line (or the
    other way round when ``enter_sends`` is off); Ctrl+Enter always sends."""

    send_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enter_sends = True
        self.setAccessibleName(self.tr("Message"))
        self.setMaximumHeight(120)
        self._update_placeholder()

    def set_enter_sends(self, on: bool) -> None:
        """Choose whether plain Enter sends."""
        self.enter_sends = on
        self._update_placeholder()

    def _update_placeholder(self) -> None:
        if self.enter_sends:
            text = self.tr("Type a message. Enter sends, Shift+Enter starts a new line, Esc stops.")
        else:
            text = self.tr("Type a message. Ctrl+Enter sends, Enter starts a new line, Esc stops.")
        self.setPlaceholderText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS:
            mods = event.modifiers()
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            if ctrl or (self.enter_sends and not shift):
                self.send_requested.emit()
                return
            if shift or not self.enter_sends:
                self.insertPlainText("\n")
                return
        super().keyPressEvent(event)


class ConversationSettingsDialog(QDialog):
    """System prompt and sampling for one conversation (or the app's defaults)."""

    def __init__(
        self, conv: Conversation, defaults: SamplingParams, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings — {title}").format(title=conv.title))
        params = conv.sampling or defaults
        self.system_prompt = QPlainTextEdit(conv.system_prompt)
        self.system_prompt.setAccessibleName(self.tr("System prompt"))
        self.save_persona = QCheckBox(
            self.tr("Also save as the “{persona}” persona").format(persona=conv.persona)
        )
        self.save_persona.setVisible(bool(conv.persona))
        self.use_defaults = QCheckBox(self.tr("Use the app's sampling settings"))
        self.use_defaults.setChecked(conv.sampling is None)
        self.temperature = _spin(QDoubleSpinBox(), 0.0, 2.0, params.temperature, 0.05)
        self.top_p = _spin(QDoubleSpinBox(), 0.0, 1.0, params.top_p, 0.05)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 32768)
        self.max_tokens.setValue(params.max_tokens)
        self._defaults = params
        form = QFormLayout(self)
        form.addRow(self.tr("System prompt"), self.system_prompt)
        form.addRow("", self.save_persona)
        form.addRow("", self.use_defaults)
        form.addRow(self.tr("Temperature"), self.temperature)
        form.addRow(self.tr("Top-p"), self.top_p)
        form.addRow(self.tr("Answer length (tokens)"), self.max_tokens)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def sampling(self) -> SamplingParams | None:
        """The chosen sampling (None: the app's defaults)."""
        if self.use_defaults.isChecked():
            return None
        return replace(
            self._defaults,
            temperature=self.temperature.value(),
            top_p=self.top_p.value(),
            max_tokens=self.max_tokens.value(),
        )


def _spin(box: QDoubleSpinBox, lo: float, hi: float, value: float, step: float) -> QDoubleSpinBox:
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def ask_save_path(parent: QWidget, title: str, suffix: str) -> Path | None:
    """A file to export to (None when the person cancelled)."""
    caption = QCoreApplication.translate("ChatPage", "Export conversation")
    suggested = Path.home() / export_file_name(title, suffix)
    path, _ = QFileDialog.getSaveFileName(parent, caption, str(suggested), f"*{suffix}")
    return Path(path) if path else None


def ask_open_path(parent: QWidget) -> Path | None:
    """A JSON export to import (None when the person cancelled)."""
    caption = QCoreApplication.translate("ChatPage", "Import conversation")
    kinds = QCoreApplication.translate("ChatPage", "Conversation exports (*.json)")
    path, _ = QFileDialog.getOpenFileName(parent, caption, str(Path.home()), kinds)
    return Path(path) if path else None
