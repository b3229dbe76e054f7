"""The popup: a small frameless window near the cursor that streams one action's answer.

Translate runs the translator (as the Translate window does; text already in the target
language goes into another, shown in the title and the picker), the other actions one chat
request each. Text from an image shows above the answer, editable: a misread word is
corrected there and Retry runs the action on the corrected text.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from llmasos.apps.gui.common.language_names import language_name
from llmasos.apps.gui.common.messages import error_text, failure_text
from llmasos.apps.gui.common.notices import notice_text, notices_text
from llmasos.apps.gui.common.tracked_changes import DiffView
from llmasos.apps.gui.everywhere.choices import (
    action_title,
    is_edit,
    language_box,
    language_code,
    opens_in,
    tone_box,
)
from llmasos.apps.gui.everywhere.progress import TranslationProgress, working_text
from llmasos.apps.gui.everywhere.recognized import RecognizedText
from llmasos.errors import LLMasOSError
from llmasos.kernel.kernel import JobFn, Kernel, Priority
from llmasos.services.everywhere.prompts import (
    action_messages,
    action_params,
    finish_answer,
    finish_translation,
    translation_request,
)
from llmasos.services.text.diff import diff_texts
from llmasos.services.text.language import find_language
from llmasos.services.translation.service import TranslationDone, translate

OWNER = "everywhere"
HEIGHT = 300  # the popup's height with the answer alone
SOURCE_HEIGHT = 420  # the popup's height with the recognized text above the answer


class ActionPopup(QFrame):
    """Runs an action on a text through the kernel and shows the answer as it streams.

    Signals (GUI thread):
        replace_requested: the answer, when the person asks to put it in place of the
            selection (Replace, Ctrl+Enter); offered only when :attr:`can_replace`.
    """

    replace_requested = Signal(str)
    open_requested = Signal(str, str, str)  # tool ("write"/"translate"), text, answer

    def __init__(self, kernel: Kernel) -> None:
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        super().__init__(None, flags)
        self.kernel = kernel
        self.setObjectName("everywherePopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setWindowTitle(self.tr("LLMasOS"))
        self.setAccessibleName(self.tr("LLMasOS answer"))
        self.resize(460, HEIGHT)
        self._request: int | None = None
        self._job: tuple[str, str, str, str] = ("", "", "", "")
        self._busy = False
        self._unusable = False  # the finished answer is not the work asked for
        self._attempt = 0  # Retry presses since the action was chosen (its sampling seed)
        self._chunks = 0  # token batches of the current answer
        self._last_source = "en"  # the language last translated from (text already in
        # the target language goes back into it, as in the Translate window)
        # the last finished answer, its job and whether its text was shown: closing or a
        # focus change never loses it
        self._last: tuple[tuple[str, str, str, str], str, bool] | None = None
        self.can_replace = False  # the window the text came from is known (X11)
        # wall-clock times (time.time(), comparable across processes) of the last run's
        # popup shown and first text, for bench/everywhere.py through ``state``
        self._shown_at = 0.0
        self._first_text_at = 0.0

        self.title = QLabel(self)
        self.title.setAccessibleName(self.tr("Action"))
        self.recognized = RecognizedText(self)  # the text an action ran on, from an image
        self.answer = QPlainTextEdit(self)
        self.answer.setReadOnly(True)
        self.answer.setAccessibleName(self.tr("Answer"))
        self.progress = TranslationProgress(self.answer)
        # an edit's finished answer shows as tracked changes; the toggle shows either
        self.changes = DiffView(self.tr("Changes to the selected text"), self)
        self.changes.hide()
        self.changes_button = QPushButton(self.tr("C&hanges"), self)
        self.changes_button.setCheckable(True)
        self.changes_button.setAccessibleName(self.tr("Show the changes to the selected text"))
        self.changes_button.setToolTip(
            self.tr("Switch between the changes and the result (Ctrl+D)")
        )
        self.changes_button.toggled.connect(self._show_changes)
        self.changes_button.hide()
        QShortcut(QKeySequence("Ctrl+D"), self, self.changes_button.toggle)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Status"))
        self.replace_button = QPushButton(self.tr("Re&place"), self)
        self.replace_button.setAccessibleName(self.tr("Replace the selection with the answer"))
        self.replace_button.setToolTip(
            self.tr("Paste the answer over the selected text (Ctrl+Enter); your clipboard is kept")
        )
        self.replace_button.clicked.connect(self.request_replace)
        self.replace_button.setEnabled(False)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.request_replace)
        self.copy_button = QPushButton(self.tr("&Copy"), self)
        self.copy_button.setAccessibleName(self.tr("Copy the answer"))
        self.copy_button.clicked.connect(self.copy)
        self.retry_button = QPushButton(self.tr("&Retry"), self)
        self.retry_button.setAccessibleName(self.tr("Run the action again"))
        self.retry_button.clicked.connect(self.retry)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.request_open)
        QShortcut(QKeySequence("Ctrl+O"), self, self.request_open)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setAccessibleName(self.tr("Close (Esc)"))
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        # pickers: another language or tone runs the action again on the same text
        self.language = language_box(self.tr("Target language"), self)
        self.language.activated.connect(self._rerun_in_language)
        self.tone = tone_box(self.tr("Tone"), self)
        self.tone.activated.connect(self._rerun_in_tone)
        self.translate_to = ""  # the translate target of the follow-up buttons
        self.follow_buttons = self._follow_buttons()

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons_in_order = (
            self.changes_button,
            self.replace_button,
            self.copy_button,
            self.open_button,
            self.retry_button,
            self.close_button,
        )
        for button in buttons_in_order:
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.recognized, 1)
        layout.addWidget(self.answer, 1)
        layout.addWidget(self.changes, 1)
        follow = QHBoxLayout()
        follow.addWidget(self.language)
        follow.addWidget(self.tone)
        follow.addStretch(1)
        for button in self.follow_buttons.values():
            follow.addWidget(button)
            button.hide()
        layout.addLayout(follow)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        kernel.tokens.connect(self._on_tokens)
        kernel.yielded.connect(self._on_event)
        kernel.finished.connect(self._on_finished)
        kernel.cancelled.connect(self._on_finished)
        kernel.failed.connect(self._on_failed)

    def _follow_buttons(self) -> dict[str, QPushButton]:
        """Translate / Improve / Explain on the shown text (after OCR)."""
        names = {
            "translate": (self.tr("&Translate"), self.tr("Translate the recognized text")),
            "proofread": (self.tr("&Improve"), self.tr("Improve the recognized text")),
            "explain": (self.tr("E&xplain"), self.tr("Explain the recognized text")),
        }
        buttons = {}
        for action, (text, name) in names.items():
            button = QPushButton(text, self)
            button.setAccessibleName(name)
            button.clicked.connect(lambda _checked=False, a=action: self._follow(a))
            buttons[action] = button
        return buttons

    def _follow(self, action: str) -> None:
        text = self.answer.toPlainText()  # as recognized, or as the person corrected it
        if text.strip():
            to = self.translate_to if action == "translate" else ""
            # the text came from an image: no Replace, and it stays in view
            self.run(action, text, to, can_replace=False, from_image=True)

    def _text(self) -> str:
        """The text to run the action on: the job's, or the recognized text as corrected."""
        return self.recognized.text_or(self._job[1])

    def _rerun_in_language(self) -> None:
        action, _text, _to, tone = self._job
        if action == "translate":
            self.run(action, self._text(), str(self.language.currentData()), tone)

    def _rerun_in_tone(self) -> None:
        action, _text, to, _tone = self._job
        if action == "rewrite":
            self.run(action, self._text(), to, str(self.tone.currentData()))

    @property
    def job(self) -> tuple[str, str, str, str]:
        """The action shown: its name, text, target language and tone."""
        return self._job

    def request_open(self) -> None:
        """Ask (through :attr:`open_requested`) to continue in the Write or Translate page."""
        tool = opens_in(self._job[0])
        if tool is None or not self._job[1].strip():
            return
        done = not self._busy and not self._unusable
        self.open_requested.emit(tool, self._job[1], self.answer.toPlainText() if done else "")

    def _show_pickers(self, action: str, to: str, tone: str) -> None:
        """The language picker for a translation, the tone picker for Rewrite, and the
        Open button for what the Write or Translate page can take."""
        tool = opens_in(action)
        self.open_button.setVisible(tool is not None)
        if tool == "translate":
            self.open_button.setText(self.tr("&Open in Translate"))
            self.open_button.setAccessibleName(self.tr("Continue in the Translate window"))
        else:
            self.open_button.setText(self.tr("&Open in Write"))
            self.open_button.setAccessibleName(self.tr("Continue in the Write window"))
        self.language.setVisible(action == "translate")
        self.tone.setVisible(action == "rewrite")
        self.language.setCurrentIndex(max(0, self.language.findData(language_code(to))))
        self.tone.setCurrentIndex(max(0, self.tone.findData(tone)))

    def _show_changes(self, shown: bool) -> None:
        """The tracked changes (``shown``) or the plain result in the popup's body."""
        shown = shown and self.changes.diff is not None
        self.changes.setVisible(shown)
        self.answer.setVisible(not shown)

    def _set_diff(self, source: str, answer: str) -> None:
        """Offer the changes from ``source`` to ``answer`` (empty ``answer``: none)."""
        if answer:
            self.changes.show_diff(diff_texts(source, answer))
        else:
            self.changes.clear()
        self.changes_button.setVisible(bool(answer))
        self.changes_button.setChecked(bool(answer))
        self._show_changes(bool(answer))

    def _show_follow(self, shown: bool) -> None:
        for button in self.follow_buttons.values():
            button.setVisible(shown)
        self.retry_button.setVisible(not shown)

    def _show_source(self, text: str | None) -> None:
        """Show ``text`` (from an image) above the answer, editable; None hides it."""
        self.recognized.show_text(text)
        height = HEIGHT if text is None else SOURCE_HEIGHT  # room for it and the answer
        if self.height() != height:  # back to its size when the text goes
            self.resize(self.width(), height)

    # -- text in images ----------------------------------------------------------
    def show_busy(self, title: str, status: str) -> None:
        """Show the popup with ``status`` while something else works (OCR)."""
        self._cancel()
        self.can_replace = False  # an image has no place to paste into
        self._job = ("ocr", "", "", "")
        self._show_pickers("ocr", "", "")
        self._set_diff("", "")
        self._show_follow(False)
        self._show_source(None)
        self.answer.clear()
        self.answer.setReadOnly(True)
        self.title.setText(title)
        self._update_replace()
        self._set_status(status)
        self._present()

    def show_text(self, title: str, text: str, status: str) -> None:
        """Show ``text`` (recognized in an image), editable, with the follow-up actions."""
        self._cancel()
        self.can_replace = False
        self._job = ("ocr", text, "", "")
        self._show_pickers("ocr", "", "")
        self._set_diff("", "")
        self._show_source(None)
        self.answer.setPlainText(text)
        self.answer.setReadOnly(False)  # a misread word is corrected before acting on it
        self.title.setText(title)
        self._show_follow(bool(text.strip()))
        self._update_replace()
        self._set_status(status)
        self._present()

    def _present(self) -> None:
        if not self.isVisible():
            self.place_near_cursor()
        self.show()
        self.raise_()
        self.activateWindow()

    # -- running ---------------------------------------------------------------
    def run(
        self,
        action: str,
        text: str,
        to: str = "",
        tone: str = "formal",
        can_replace: bool | None = None,
        *,
        attempt: int = 0,
        from_image: bool | None = None,
    ) -> None:
        """Show the popup near the cursor and run ``action`` on ``text``.

        ``can_replace``: whether Replace may paste into the source window (None: as before).
        ``attempt``: the Retry presses on this job (each samples with another seed).
        ``from_image``: the text was recognized in an image, so it shows above the answer
        (None: as before).
        """
        if from_image is None:
            from_image = self.recognized.is_shown
        self._job = (action, text, to, tone)
        self._attempt = attempt
        self._unusable = False
        if can_replace is not None:
            self.can_replace = can_replace
        self._cancel()
        self._show_follow(False)
        self._show_pickers(action, to, tone)
        self._show_source(text if from_image else None)
        self._set_diff("", "")
        self.answer.clear()
        self.answer.setReadOnly(True)
        self._update_replace()
        self._chunks = 0
        self.title.setText(action_title(action, to))
        self.place_near_cursor()
        self._present()
        self._shown_at, self._first_text_at = time.time(), 0.0
        if not text.strip():
            self._set_status(
                self.tr("Nothing is selected: select some text first, then try again.")
            )
            return
        if self.kernel.model_info is None:
            self._set_status(self.tr("No model is loaded: open one in LLMasOS first."))
            return
        try:
            job = self._job_fn()
        except LLMasOSError as exc:
            self._set_status(error_text(exc))
            return
        self.progress.reset()
        self._request = self.kernel.submit(job, owner=OWNER, priority=Priority.INTERACTIVE)
        self._busy = True
        self._set_status(working_text() if self._job[2] == to else self._switched_text(to))

    def _job_fn(self) -> JobFn:
        """The kernel job of the action shown: the translator for Translate (the lines
        of the text kept), else one chat request.

        Raises:
            LLMasOSError: an unknown language, tone or action.
        """
        action, text, to, tone = self._job
        if action == "translate":
            request = translation_request(text, to, self._attempt, self._last_source)
            if request.target != (to or "en"):  # the text already is in ``to``
                self._job = (action, text, request.target, tone)
                self.title.setText(action_title(action, request.target))
                self._show_pickers(action, request.target, tone)
            return lambda engine, cancel: translate(engine, request, cancel)
        messages = tuple(action_messages(action, text, to, tone))
        params = action_params(action, self._attempt)
        return lambda engine, cancel: engine.chat(messages, params, cancel)

    def _switched_text(self, asked: str) -> str:
        """The status when the text already was in the language ``asked`` for."""
        lang = find_language(asked or "en")
        target = find_language(self._job[2])
        return self.tr("Already in {language}: translating into {target}…").format(
            language=language_name(lang.name) if lang else asked,
            target=language_name(target.name) if target else self._job[2],
        )

    def show_last(self) -> None:
        """Show the popup again with the last finished answer (the tray's *Last answer*):
        a close or a focus change keeps it, and so does a later run cancelled midway."""
        last = self._last
        if last is not None and (self._busy or self.answer.toPlainText() != last[1]):
            self._cancel()
            (self._job, answer, from_image), self._unusable = last, False
            action, source, to, tone = self._job
            self.title.setText(action_title(action, to))
            self._show_pickers(action, to, tone)
            self._show_follow(False)
            self._show_source(source if from_image else None)
            self.answer.setPlainText(answer)
            self.answer.setReadOnly(True)
            self._set_diff(source, answer if is_edit(action) else "")
            self.can_replace = False  # the window it came from may have changed since
            self._update_replace()
            self._set_status(self.tr("The last answer."))
        elif last is None and not self.answer.toPlainText():
            self._set_status(self.tr("No answer yet."))
        self._present()

    def retry(self) -> None:
        """Run the last action again: on the same text for another answer, or on the
        recognized text as the person corrected it."""
        action, text, to, tone = self._job
        if not action:
            return
        edited = self._text()
        if edited != text:  # a new text: its first answer
            self.run(action, edited, to, tone)
        else:
            self.run(action, text, to, tone, attempt=self._attempt + 1)

    def request_replace(self) -> None:
        """Ask (through :attr:`replace_requested`) to paste the finished answer in place."""
        text = self.answer.toPlainText()
        if self.replace_button.isEnabled() and text:
            self._set_status(self.tr("Replacing…"))
            self.replace_requested.emit(text)

    def replace_done(self, ok: bool, message: str) -> None:
        """Called when the paste ended: close on success, else say why (answer kept)."""
        if ok:
            self.close()
            return
        self.show()
        self._set_status(message)

    def _update_replace(self) -> None:
        ready = (
            self.can_replace
            and not self._busy
            and not self._unusable
            and bool(self.answer.toPlainText())
        )
        self.replace_button.setEnabled(ready and self._job[0] not in ("ask", "explain", "ocr"))

    def copy(self) -> None:
        """Put the answer on the clipboard (the person asked for it)."""
        QGuiApplication.clipboard().setText(self.answer.toPlainText())
        self._set_status(self.tr("Copied."))

    def state(self) -> dict[str, Any]:
        """What the popup shows, for the single-instance ``state`` request."""
        return {
            "visible": self.isVisible(),
            "action": self._job[0],
            "source": self._job[1],
            "to": self._job[2],
            "tone": self._job[3],
            "answer": self.answer.toPlainText(),
            "from_image": self.recognized.is_shown,  # the text shows above the answer
            "status": self.status.text(),
            "busy": self._busy,
            "chunks": self._chunks,
            "can_replace": self.replace_button.isEnabled(),
            "shown_at": self._shown_at,
            "first_text_at": self._first_text_at,
        }

    def place_near_cursor(self) -> None:
        """Put the popup just below and right of the cursor, inside its screen."""
        pos = QCursor.pos() + QPoint(12, 16)
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            x = max(area.left(), min(pos.x(), area.right() - self.width()))
            y = max(area.top(), min(pos.y(), area.bottom() - self.height()))
            pos = QPoint(x, y)
        self.move(pos)

    # -- kernel signals ----------------------------------------------------------
    def _on_tokens(self, request: int, text: str) -> None:
        if request == self._request:
            if not self._chunks:
                self._first_text_at = time.time()
            self._chunks += 1
            cursor = self.answer.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText(text)

    def _on_event(self, request: int, event: object) -> None:
        """A translation's events (see :class:`TranslationProgress`); the language of a
        confident detection is the one the next same-language text goes back into."""
        if request != self._request:
            return
        status = self.progress.on_event(event)
        if status is not None:
            self._set_status(status)
        if isinstance(event, TranslationDone):
            detection = event.result.detection
            if detection is not None and detection.is_confident:
                self._last_source = event.result.source

    def _on_finished(self, request: int, _stats: object) -> None:
        if request == self._request:
            self._request = None
            self._busy = False
            action, source = self._job[0], self._job[1]
            result = self.progress.result
            self.progress.reset()
            checks: tuple[str, ...] = ()
            if result is not None:
                (answer, problem), checks = finish_translation(result), result.problems
            else:
                answer, problem = finish_answer(action, source, self.answer.toPlainText())
            self.answer.setPlainText(answer)
            self._unusable = bool(problem)
            if not problem:
                self._last = (self._job, answer, self.recognized.is_shown)
            if not problem and is_edit(action):
                self._set_diff(source, answer)
            self._set_status(notice_text(problem) if problem else self._done_text(checks))
            self._update_replace()
            if self.replace_button.isEnabled():
                self.replace_button.setDefault(True)

    def _done_text(self, checks: tuple[str, ...]) -> str:
        """The status when done: "Done.", and what the translator's checks found."""
        if not checks:
            return self.tr("Done.")
        return self.tr("Done. Check: {problems}").format(problems=notices_text(checks))

    def _on_failed(self, request: int, failure: Any) -> None:
        if request == self._request:
            self._request = None
            self._busy = False
            self._set_status(failure_text(failure))

    def _cancel(self) -> None:
        if self._request is not None:
            self.kernel.cancel(self._request)
        self._request = None
        self._busy = False
        self.progress.reset()

    def _set_status(self, text: str) -> None:
        self.status.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: Any) -> None:
        self._cancel()
        super().closeEvent(event)
