"""The Write page: proofread, rewrite, shorten, expand, summarize or continue a text.

The person writes in the editor (plain text or Markdown), picks an action (a tone
for Rewrite, an instruction for Custom) and runs it on the selection, or on the
whole text when nothing is selected. The answer streams into the Preview tab; when
it is done, edits open in the Changes tab as tracked changes to accept or reject
one by one, summaries in the Summary tab, and every action is kept in History.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.notices import notices_text
from llmasos.apps.gui.common.tool_pages import ToolPage, button, editor
from llmasos.apps.gui.common.writing_names import action_label, tone_label
from llmasos.apps.gui.write.changes import ChangesView
from llmasos.apps.gui.write.panels import HistoryEntry, HistoryPanel, SummaryPanel
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.protocol import Engine
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.text.diff import Change, TextDiff, diff_texts
from llmasos.services.writing.service import (
    ACTIONS,
    APPEND,
    SIDE,
    TONES,
    ChunkStarted,
    WriteDone,
    WriteJob,
    WriteRequest,
    find_action,
)


@dataclass(frozen=True)
class _Run:
    """The request in flight: what it works on and where the result goes."""

    request: WriteRequest
    base: int  # where request.text starts in the editor (Python characters)
    to_clipboard: bool = False


def _py_index(text: str, qpos: int) -> int:
    """The Python index of UTF-16 position ``qpos`` in ``text``."""
    return len(text.encode("utf-16-le")[: 2 * qpos].decode("utf-16-le", errors="ignore"))


def _joiner(text: str) -> str:
    """What goes between a text and its continuation: a space after a Latin word."""
    return "" if not text or text[-1].isspace() or ord(text[-1]) > 0x2E7F else " "


def _action_value(name: str, value: str) -> str:
    """A writing notice's values as shown: the action's label translated."""
    return action_label(value) if name == "action" else value


class WritePage(ToolPage):
    """The writing assistant: actions on the editor's text with tracked changes."""

    tool = "write"

    def __init__(
        self, kernel: Kernel, params: Callable[[], SamplingParams], parent: QWidget | None = None
    ) -> None:
        super().__init__(kernel, params, parent)
        self._run: _Run | None = None
        self._done: WriteDone | None = None
        self.source = editor(
            self.tr("Text"),
            self.tr(
                "Type or paste your text. Select a part to work on that "
                "part only. Ctrl+Enter runs the action, Esc stops."
            ),
        )
        self._build_action_bar()
        self.preview = editor(
            self.tr("Preview"), self.tr("The answer streams here."), read_only=True
        )
        self.changes = ChangesView()
        self.changes.message.connect(self.status.setText)
        self.summary = SummaryPanel()
        self.summary.insert_requested.connect(self.insert_text)
        self.history = HistoryPanel()
        self.history.reapply_requested.connect(self.reapply)
        self.markdown = QTextBrowser()
        self.markdown.setAccessibleName(self.tr("Markdown preview"))
        self.tabs = QTabWidget()
        for widget, title in (
            (self.preview, self.tr("&Preview")),
            (self.changes, self.tr("Cha&nges")),
            (self.summary, self.tr("&Summary")),
            (self.history, self.tr("H&istory")),
            (self.markdown, self.tr("&Markdown")),
        ):
            self.tabs.addTab(widget, title)
        self.tabs.setAccessibleName(self.tr("Result views"))
        self.tabs.tabBar().setAccessibleName(self.tr("Result views"))
        self.tabs.currentChanged.connect(self._on_tab)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.source)
        split.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.addLayout(self._bar)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        # Tab follows the action bar, then the text, then the result views
        # (the editor was created first, so by default it would come first)
        chain = (
            self.action_box,
            self.tone,
            self.instruction,
            self.run_button,
            self.stop_button,
            self.clipboard_button,
            self.source,
            self.tabs,
        )
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._add_shortcuts()
        kernel.yielded.connect(self._on_event)
        self.busy_changed.connect(self._set_busy)

    def _build_action_bar(self) -> None:
        self.action_box = QComboBox()
        self.action_box.setAccessibleName(self.tr("Writing action"))
        for spec in ACTIONS:
            self.action_box.addItem(action_label(spec.label), spec.name)
        self.tone = QComboBox()
        self.tone.setAccessibleName(self.tr("Tone"))
        for name in TONES:
            self.tone.addItem(tone_label(name), name)
        self.instruction = QLineEdit()
        self.instruction.setAccessibleName(self.tr("Custom instruction"))
        self.instruction.setPlaceholderText(
            self.tr("Your instruction, e.g. Turn this into a polite email")
        )
        self.instruction.returnPressed.connect(self.run)
        self.run_button = button(self.tr("&Run"), self.tr("Run the action"), self.run, "write")
        self.stop_button = button(self.tr("S&top"), self.tr("Stop"), self.stop, "stop")
        self.stop_button.setEnabled(False)
        self.clipboard_button = button(
            self.tr("Process clip&board"),
            self.tr("Run the action on the clipboard"),
            self.process_clipboard,
            "paste",
        )
        self._bar = QHBoxLayout()
        for w in (
            self.action_box,
            self.tone,
            self.instruction,
            self.run_button,
            self.stop_button,
            self.clipboard_button,
        ):
            self._bar.addWidget(w, 1 if w is self.instruction else 0)
        self.action_box.currentIndexChanged.connect(self._on_action)
        self._on_action()

    def _add_shortcuts(self) -> None:
        keys: list[tuple[str | Qt.Key, Callable[[], object]]] = [
            ("Ctrl+Return", self.run),
            (Qt.Key.Key_Escape, self.stop),
            ("Ctrl+Shift+A", self.changes.accept_all),
            ("Ctrl+Shift+R", self.changes.reject_all),
            ("Ctrl+Shift+V", self.process_clipboard),
        ]
        for n in range(len(ACTIONS)):
            keys.append((f"Alt+{n + 1}", lambda n=n: self.action_box.setCurrentIndex(n)))  # type: ignore[misc]
        for key, slot in keys:
            QShortcut(QKeySequence(key), self, slot)

    def _on_action(self) -> None:
        name = self.action_box.currentData()
        self.tone.setEnabled(name == "rewrite")
        self.instruction.setEnabled(name == "custom")

    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.markdown:
            self.markdown.setMarkdown(self.source.toPlainText())

    def _set_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.clipboard_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    # -- running ---------------------------------------------------------------
    def request_for(self, text: str) -> WriteRequest:
        """A request for the chosen action and options on ``text``."""
        return WriteRequest(
            self.action_box.currentData(), text, self.tone.currentData(), self.instruction.text()
        )

    def selected_span(self) -> tuple[str, int]:
        """The selected text and where it starts, or the whole text and 0."""
        cursor = self.source.textCursor()
        text = self.source.toPlainText()
        if not cursor.hasSelection():
            return text, 0
        start = _py_index(text, cursor.selectionStart())
        end = _py_index(text, cursor.selectionEnd())
        return text[start:end], start

    def run(self) -> None:
        """Run the chosen action on the selection (or the whole text)."""
        text, base = self.selected_span()
        self.start(self.request_for(text), base)

    def process_clipboard(self) -> None:
        """Run the chosen action on the clipboard; the result goes back on the clipboard."""
        self.start(self.request_for(QGuiApplication.clipboard().text()), 0, to_clipboard=True)

    def reapply(self, entry: HistoryEntry) -> None:
        """Run a past action again, with its options, on the current selection or text."""
        text, base = self.selected_span()
        old = entry.request
        self.start(WriteRequest(old.action, text, old.tone, old.instruction), base)

    def start(self, request: WriteRequest, base: int, *, to_clipboard: bool = False) -> bool:
        """Queue ``request``; return False (with a message) when it cannot run now."""
        if self.request_id is not None:
            return False
        if not request.text.strip():
            self.status.setText(self.tr("There is no text to work on. Type or paste some first."))
            return False
        if request.action == "custom" and not request.instruction.strip():
            self.status.setText(self.tr("Type your instruction for Custom first."))
            self.instruction.setFocus()
            return False
        self._run, self._done = _Run(request, base, to_clipboard), None
        self.preview.clear()
        self.tabs.setCurrentWidget(self.preview)
        params = self._params()

        def job(engine: Engine, cancel: CancelToken) -> WriteJob:  # worker thread
            return WriteJob(engine, request, params, cancel)

        self.request_id = self.kernel.submit(job, owner=self.owner, priority=self.priority())
        self.status.setText(self.tr("Waiting for the model…"))
        self.busy_changed.emit(True)
        return True

    # -- kernel signals (GUI thread) ---------------------------------------------
    def _on_event(self, request_id: int, event: object) -> None:
        if not self._mine(request_id):
            return
        if isinstance(event, ChunkStarted) and event.total > 1:
            self.status.setText(
                self.tr("Working on part {n} of {total}…").format(
                    n=event.index + 1, total=event.total
                )
            )
            if event.index > 0:
                self.append_output("\n\n")
        elif isinstance(event, WriteDone):
            self._done = event

    def append_output(self, text: str) -> None:
        cursor = self.preview.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def request_done(self) -> None:
        run, done = self._run, self._done
        self._run = self._done = None
        if run is None or done is None:
            return
        if done.problems:
            problems = notices_text(done.problems, _action_value)
            self.status.setText(f"{self.status.text()} {problems}".strip())
        if done.dropped:
            self.status.setText(
                self.tr("{status} The edit deletes words (marked ⚠): {words}.").format(
                    status=self.status.text(), words=", ".join(done.dropped)
                )
            )
        if not done.is_usable:
            if done.completed:
                self.status.setText(
                    self.tr("{problems} The text was not changed.").format(
                        problems=notices_text(done.problems, _action_value)
                    )
                )
            return
        result = self._full_result(done)
        self.history.add(HistoryEntry(done.request, result))
        if run.to_clipboard:
            QGuiApplication.clipboard().setText(result)
            self.status.setText(
                self.tr("{status} The result is on the clipboard.").format(
                    status=self.status.text()
                )
            )
        elif done.request.spec.kind == SIDE:
            self.summary.show_text(result)
            self.tabs.setCurrentWidget(self.summary)
        else:
            self.changes.show_diff(self._diff(done), self.source, run.base)
            self.tabs.setCurrentWidget(self.changes)

    @staticmethod
    def _full_result(done: WriteDone) -> str:
        if done.request.spec.kind == APPEND:
            return done.request.text + _joiner(done.request.text) + done.text
        return done.text

    @staticmethod
    def _diff(done: WriteDone) -> TextDiff:
        source = done.request.text
        if done.request.spec.kind != APPEND:
            return diff_texts(source, done.text, flag_dropped=done.request.spec.keeps_words)
        added = _joiner(source) + done.text
        return TextDiff(source, source + added, (Change(0, len(source), len(source), "", added),))

    def take_text(self, text: str, answer: str = "", action: str = "", tone: str = "") -> None:
        """Hold ``text`` from elsewhere (the Everywhere popup) with ``action`` and ``tone``
        chosen; a finished ``answer`` shows as tracked changes (a summary: in Summary)."""
        self.stop()
        for box, value in ((self.action_box, action), (self.tone, tone)):
            if box.findData(value) >= 0:
                box.setCurrentIndex(box.findData(value))
        self.source.setPlainText(text)
        self.preview.setPlainText(answer)
        self.changes.clear()
        spec = find_action(self.action_box.currentData())
        if not answer:
            self.tabs.setCurrentWidget(self.preview)
        elif spec.kind == SIDE:
            self.summary.show_text(answer)
            self.tabs.setCurrentWidget(self.summary)
        else:
            diff = diff_texts(text, answer, flag_dropped=spec.keeps_words)
            self.changes.show_diff(diff, self.source, 0)
            self.tabs.setCurrentWidget(self.changes)

    # -- editing -------------------------------------------------------------------
    def insert_text(self, text: str) -> None:
        """Insert ``text`` after the selection (or at the end), as one undo step."""
        if not text:
            return
        cursor = self.source.textCursor()
        full = self.source.toPlainText()
        if cursor.hasSelection():
            cursor.setPosition(cursor.selectionEnd())
        else:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        at = _py_index(full, cursor.position())
        before, after = full[:at], full[at:]
        newlines = len(before) - len(before.rstrip("\n"))
        lead = "\n" * max(0, 2 - newlines) if before else ""  # a blank line before it
        trail = "\n\n" if after and not after.startswith("\n") else ""
        cursor.beginEditBlock()
        cursor.insertText(lead + text + trail)
        cursor.endEditBlock()
        self.source.setTextCursor(cursor)
