"""The Translate page: two panes, streaming, translate-as-you-type, glossary, history.

The page runs :func:`llmasos.services.translation.service.translate` as a kernel job.
Typing restarts a 600 ms timer; when it fires, the running translation (if any)
is cancelled and a new one starts ("exclusive", as Textual calls it). Streamed
text is a preview: each finished chunk's cleaned and repaired text replaces it.
All methods run on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.flow import FlowLayout
from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.common.language_names import language_name, notice_value
from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.common.notices import notices_text
from llmasos.apps.gui.common.tool_pages import ToolPage, button, editor
from llmasos.apps.gui.translate.widgets import AUTO, GlossaryDialog, HistoryPanel, LanguagePicker
from llmasos.errors import LLMasOSError
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.text.language import find_language
from llmasos.services.translation.service import (
    DEFAULT_SAMPLING,
    ChunkTranslated,
    TranslationDone,
    TranslationRequest,
    TranslationResult,
    TranslationStarted,
    alternate_target,
    resolve_languages,
    translate,
)
from llmasos.services.translation.store import HistoryEntry, TranslationStore

DEBOUNCE_MS = 600
FORMALITY = (
    (QT_TRANSLATE_NOOP("TranslatePage", "Default register"), ""),
    (QT_TRANSLATE_NOOP("TranslatePage", "Formal"), "formal"),
    (QT_TRANSLATE_NOOP("TranslatePage", "Informal"), "informal"),
)


class TranslatePage(ToolPage):
    """Translate between two panes, as you type or on demand."""

    tool = "translate"

    def __init__(
        self, kernel: Kernel, params: Callable[[], SamplingParams], parent: QWidget | None = None
    ) -> None:
        super().__init__(kernel, params, parent)
        self.store = TranslationStore()
        self._done_text = ""
        self._last_source = "en"  # the person's last choice, for unsure detection
        self.last_result: TranslationResult | None = None
        self.source = editor(self.tr("Source text"), self.tr("Type or paste text to translate."))
        self.result = editor(
            self.tr("Translation"), self.tr("The translation appears here."), read_only=True
        )
        self.source_lang = LanguagePicker(self.tr("Source language"), with_auto=True)
        self.target_lang = LanguagePicker(self.tr("Target language"))
        self.target_lang.set_code("zh-Hans")
        self.formality = QComboBox()
        self.formality.setAccessibleName(self.tr("Formality"))
        for label, value in FORMALITY:
            self.formality.addItem(self.tr(label), value)
        self.detected = QLabel()
        self.detected.setAccessibleName(self.tr("Detected language"))
        self.as_you_type = QCheckBox(self.tr("Translate as you t&ype"))
        self.as_you_type.setChecked(True)
        self.history = HistoryPanel(self.store)
        self.history.chosen.connect(self.show_history_entry)
        self.history.hide()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.run)
        self._build_layout()
        self.source.textChanged.connect(self._on_source_edited)
        kernel.yielded.connect(self._on_event)
        self.busy_changed.connect(lambda busy: self.stop_button.setEnabled(busy))

    def _build_layout(self) -> None:
        self.run_button = button(self.tr("T&ranslate"), self.tr("Translate"), self.run, "translate")
        self.stop_button = button(self.tr("S&top"), self.tr("Stop"), self.stop, "stop")
        self.stop_button.setEnabled(False)
        swap = button("", self.tr("Swap languages"), self.swap, "swap")
        swap.setToolTip(self.tr("Swap languages (Ctrl+Shift+S)"))
        swap.setMaximumWidth(swap.iconSize().width() * 3)
        # rows that wrap: the page can sit in a window half a screen wide
        langs = FlowLayout()
        row: tuple[QWidget, ...] = (
            self.source_lang,
            swap,
            self.target_lang,
            self.formality,
            self.as_you_type,
        )
        for widget in row:
            langs.addWidget(widget)
        actions = FlowLayout()
        buttons = (
            self.run_button,
            self.stop_button,
            button(self.tr("&Copy"), self.tr("Copy translation"), self.copy_result, "copy"),
            button(
                self.tr("Translate c&lipboard"),
                self.tr("Translate clipboard"),
                self.translate_clipboard,
                "paste",
            ),
            button(self.tr("Gl&ossary…"), self.tr("Glossary"), self.edit_glossary, "glossary"),
            button(self.tr("Hi&story"), self.tr("History"), self.toggle_history, "history"),
        )
        for widget in buttons:
            actions.addWidget(widget)
        notes = QHBoxLayout()
        notes.addWidget(self.detected)
        notes.addWidget(self.status, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        for pane in (self.source, self.result, self.history):
            split.addWidget(pane)
        layout = QVBoxLayout(self)
        layout.addLayout(langs)
        layout.addLayout(actions)
        layout.addLayout(notes)
        layout.addWidget(split, 1)
        # Tab follows the rows top to bottom (the panes were created first)
        chain = (*row, *buttons, self.source, self.result, self.history.search, self.history.list)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.run)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, self.swap)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.stop)

    # -- translating -------------------------------------------------------------
    def _on_source_edited(self) -> None:
        if self.as_you_type.isChecked() and self.source.toPlainText().strip():
            self.timer.start()

    def build_request(self) -> TranslationRequest:
        """The request for the current text and choices, with the pair's glossary.

        Raises:
            LLMasOSError: a language typed into a picker is unknown.
        """
        source, target = self.source_lang.code(), self.target_lang.code()
        request = TranslationRequest(
            text=self.source.toPlainText(),
            target=target,
            source=source,
            fallback_source=self._last_source,
            alternate_target=alternate_target(self._last_source, target),
            formality=str(self.formality.currentData() or ""),
            params=self._sampling(),
        )
        src, tgt, detection = resolve_languages(request)
        self.detected.setText(_detection_text(detection))
        if src is None:
            return request
        return replace(request, glossary=self.store.glossary(src.code, tgt.code))

    def _sampling(self) -> SamplingParams:
        """Translation sampling, with the app's seed and answer-length cap."""
        app = self._params()
        return replace(DEFAULT_SAMPLING, seed=app.seed, max_tokens=app.max_tokens)

    def run(self) -> None:
        """Translate the source text, cancelling a translation still running."""
        self.timer.stop()
        if not self.source.toPlainText().strip():
            return
        if self.request_id is not None:
            self.kernel.cancel(self.request_id)  # exclusive: the newest text wins
        try:
            request = self.build_request()
        except LLMasOSError as exc:
            self.status.setText(error_text(exc))
            return
        self._done_text = ""
        self.last_result = None
        self.result.clear()
        self.request_id = self.kernel.submit(
            lambda engine, cancel: translate(engine, request, cancel),
            owner=self.owner,
            priority=self.priority(),
        )
        self.status.setText(self.tr("Waiting for the model…"))
        self.busy_changed.emit(True)

    def append_output(self, text: str) -> None:
        cursor = self.result.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def _on_event(self, request_id: int, event: object) -> None:
        if not self._mine(request_id):
            return
        if isinstance(event, TranslationStarted):
            self.detected.setText(_detection_text(event.detection, event.source))
        elif isinstance(event, ChunkTranslated):
            self._done_text += event.text
            self.result.setPlainText(self._done_text)
            self.result.moveCursor(QTextCursor.MoveOperation.End)
            if event.total > 1:
                self.status.setText(
                    self.tr("Translated part {n} of {total}…").format(
                        n=event.index + 1, total=event.total
                    )
                )
        elif isinstance(event, TranslationDone):
            self._finish(event.result)

    def _finish(self, result: TranslationResult) -> None:
        self.last_result = result
        self.result.setPlainText(result.text)
        if result.detection is not None and result.detection.is_confident:
            self._last_source = result.source
        if result.text.strip() and not result.cancelled:
            self.store.add(result.source, result.target, self.source.toPlainText(), result.text)
            if self.history.isVisible():
                self.history.refresh()

    def _on_finished(self, request_id: int, stats: object) -> None:
        if not self._mine(request_id):
            return
        super()._on_finished(request_id, stats)
        problems = self.last_result.problems if self.last_result else ()
        if problems:
            self.status.setText(
                self.tr("{status} Check: {problems}").format(
                    status=self.status.text(), problems=notices_text(problems, notice_value)
                )
            )

    def cancel_all(self) -> None:
        """Stop the typing timer and cancel this page's requests (its window is closing)."""
        self.timer.stop()
        super().cancel_all()

    # -- actions -----------------------------------------------------------------
    def swap(self) -> None:
        """Swap the languages (a detected source counts as chosen) and the texts."""
        source = self.source_lang.code()
        if source == AUTO:
            source = self.last_result.source if self.last_result else self._last_source
        target = self.target_lang.code()
        if find_language(source) is None:
            return
        self.target_lang.set_code(source)
        self.source_lang.set_code(target)
        self._last_source = target
        translated = self.result.toPlainText()
        if translated.strip():
            self.source.setPlainText(translated)

    def copy_result(self) -> None:
        QApplication.clipboard().setText(self.result.toPlainText())
        self.status.setText(self.tr("Copied the translation."))

    def translate_clipboard(self) -> None:
        """Put the clipboard's text in the source pane and translate it."""
        text = QApplication.clipboard().text()
        if text.strip():
            self.source.setPlainText(text)
            self.run()

    def edit_glossary(self) -> None:
        source = self.source_lang.code()
        if source == AUTO:
            source = self._last_source
        GlossaryDialog(self.store, source, self.target_lang.code(), self).open()

    def toggle_history(self) -> None:
        self.history.setVisible(not self.history.isVisible())
        if self.history.isVisible():
            self.history.refresh()
            self.history.search.setFocus()

    def show_history_entry(self, entry: HistoryEntry) -> None:
        """Show a past translation (without translating again)."""
        self.timer.blockSignals(True)
        self.source.blockSignals(True)
        self.source.setPlainText(entry.source)
        self.source.blockSignals(False)
        self.timer.blockSignals(False)
        self.source_lang.set_code(entry.source_lang)
        self.target_lang.set_code(entry.target_lang)
        self.result.setPlainText(entry.result)

    def take_text(self, text: str, answer: str = "", to: str = "") -> None:
        """Hold ``text`` from elsewhere (the Everywhere popup) for translation into ``to``;
        with a finished ``answer`` it is shown as is, else the text is translated."""
        self.stop()
        target = find_language(to) if to else None
        if target is not None:
            self.target_lang.set_code(target.code)
        self.timer.blockSignals(True)  # no translate-as-you-type over the answer
        self.source.blockSignals(True)
        self.source.setPlainText(text)
        self.source.blockSignals(False)
        self.timer.blockSignals(False)
        self.result.setPlainText(answer)
        if not answer and text.strip():
            self.run()


def _detection_text(detection: object, used: str | None = None) -> str:
    """ "Detected: French (92%)", or what was used when detection was unsure."""
    lang_code = getattr(detection, "lang", None)
    if lang_code is None:
        return ""
    lang = find_language(used or lang_code)
    name = language_name(lang.name) if lang else lang_code
    confidence = getattr(detection, "confidence", 0.0)
    if getattr(detection, "is_confident", False):
        return QCoreApplication.translate(
            "TranslatePage", "Detected: {language} ({confidence:.0%})"
        ).format(language=name, confidence=confidence)
    return QCoreApplication.translate(
        "TranslatePage", "Unsure ({confidence:.0%}); using {language}"
    ).format(language=name, confidence=confidence)
