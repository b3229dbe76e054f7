"""The Write page with the real kernel and engine (SmolLM2), and the tracked-changes view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from llmasos.apps.gui.write.changes import ChangesView, State
from llmasos.apps.gui.write.page import WritePage
from llmasos.apps.gui.write.panels import HISTORY_SIZE, HistoryEntry
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.text.diff import apply_changes, diff_texts
from llmasos.services.writing.service import WriteRequest

TEXT = (
    "Their is many reason why peple enjoy travelling. It give them a chance to see new "
    "place and meet new peoples. Some persons travel for work, other travel for relax."
)
EN_SOURCE = "Their is many reason why peple enjoy travelling. It give them joy."
EN_TARGET = "There are many reasons why people enjoy traveling. It gives them joy."
ZH_SOURCE = "我今天去了学校，天气很好。我们在公园里玩的很开心。"
ZH_TARGET = "我昨天去了学校，天气非常好。我们在公园里玩得很开心。"


# -- the tracked-changes view on fixed texts (no model) ------------------------------------
def review(qtbot, doc: str, source: str, target: str) -> tuple[ChangesView, QPlainTextEdit]:
    editor = QPlainTextEdit()
    editor.setPlainText(doc)
    view = ChangesView()
    qtbot.addWidget(editor)
    qtbot.addWidget(view)
    view.show_diff(diff_texts(source, target), editor, doc.index(source))
    return view, editor


@pytest.mark.parametrize(("source", "target"), [(EN_SOURCE, EN_TARGET), (ZH_SOURCE, ZH_TARGET)])
def test_accept_one_reject_one_then_undo(qtbot, source: str, target: str) -> None:
    doc = f"Intro 😀 line.\n\n{source}\n\nOutro."  # an emoji before: UTF-16 positions differ
    view, editor = review(qtbot, doc, source, target)
    changes = view.diff.changes if view.diff else ()
    assert len(changes) >= 3
    assert view.accept(1) and editor.toPlainText() == doc.replace(
        source, apply_changes(source, changes, {1})
    )
    view.reject(0)
    assert view.accept(2)
    assert editor.toPlainText() == doc.replace(source, apply_changes(source, changes, {1, 2}))
    assert view.states[:3] == [State.REJECTED, State.ACCEPTED, State.ACCEPTED]
    editor.undo()
    editor.undo()
    assert editor.toPlainText() == doc  # each accepted change was one undo step


def test_accept_all_is_one_undo_step_and_reject_all_changes_nothing(qtbot) -> None:
    doc = f"{EN_SOURCE}\n{ZH_SOURCE}"
    view, editor = review(qtbot, doc, EN_SOURCE, EN_TARGET)
    with qtbot.waitSignal(view.finished, timeout=5_000):
        assert view.accept_all() == len(view.states)
    assert editor.toPlainText() == f"{EN_TARGET}\n{ZH_SOURCE}"
    editor.undo()
    assert editor.toPlainText() == doc
    view, editor = review(qtbot, doc, ZH_SOURCE, ZH_TARGET)
    view.reject_all()
    assert editor.toPlainText() == doc and not view.open_changes()
    assert not view.accept(0)  # decided changes stay decided


def test_edited_text_is_not_overwritten(qtbot) -> None:
    view, editor = review(qtbot, EN_SOURCE, EN_SOURCE, EN_TARGET)
    editor.setPlainText("Something else entirely, typed over the text.")
    with qtbot.waitSignal(view.message, timeout=5_000):
        assert not view.accept(0)
    assert editor.toPlainText() == "Something else entirely, typed over the text."


def test_history_keeps_the_last_fifty(qtbot, llmasos_home: Path) -> None:
    kernel = Kernel()
    page = WritePage(kernel, lambda: SamplingParams())
    qtbot.addWidget(page)
    try:
        for n in range(HISTORY_SIZE + 5):
            page.history.add(HistoryEntry(WriteRequest("proofread", f"text {n}"), f"result {n}"))
        assert page.history.list.count() == HISTORY_SIZE == len(page.history.entries)
        assert page.history.entries[0].result == f"result {HISTORY_SIZE + 4}"
        assert page.history.list.item(0).text().startswith("Proofread: text 54")
    finally:
        assert kernel.shutdown(10)


# -- the page with the real kernel and model -----------------------------------------------
@pytest.fixture
def page(qtbot, smollm2_path: Path) -> Iterator[WritePage]:
    kernel = Kernel()
    ids: list[int] = []
    with qtbot.waitSignal(
        kernel.finished, timeout=60_000, check_params_cb=lambda i, _s: bool(ids) and i == ids[0]
    ):
        ids.append(kernel.load_model(smollm2_path, EngineSettings(n_ctx=512, n_threads=1)))
    p = WritePage(kernel, lambda: SamplingParams(temperature=0.0, max_tokens=48))
    qtbot.addWidget(p)
    p.show()
    yield p
    p.cancel_all()
    assert kernel.shutdown(30)


def choose(page: WritePage, action: str) -> None:
    page.action_box.setCurrentIndex(page.action_box.findData(action))


def run_and_wait(qtbot, page: WritePage, start=None) -> None:
    (start or page.run)()
    assert page.request_id is not None
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)


@pytest.mark.real_model
def test_proofread_selection_streams_then_tracks_changes(qtbot, page: WritePage) -> None:
    doc = f"Title line stays.\n\n{TEXT}"
    page.source.setPlainText(doc)
    cursor = page.source.textCursor()
    cursor.setPosition(len("Title line stays.\n\n"))
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    page.source.setTextCursor(cursor)
    choose(page, "proofread")
    run_and_wait(qtbot, page)
    assert page.preview.toPlainText().strip()  # the answer streamed into the preview
    assert page.tabs.currentWidget() is page.changes and page.changes.diff is not None
    target = page.changes.diff.target
    assert page.changes.diff.source == TEXT and target != TEXT
    page.changes.accept_all()
    assert page.source.toPlainText() == f"Title line stays.\n\n{target}"
    page.source.undo()
    assert page.source.toPlainText() == doc
    assert page.history.entries[0].result == target


@pytest.mark.real_model
def test_summary_insert_history_reapply_and_clipboard(qtbot, page: WritePage) -> None:
    page.source.setPlainText(TEXT)
    choose(page, "summarize")
    run_and_wait(qtbot, page)
    summary = page.summary.text.toPlainText()
    assert summary.strip() and page.tabs.currentWidget() is page.summary
    page.summary.insert_button.click()
    assert page.source.toPlainText() == f"{TEXT}\n\n{summary}"
    page.source.setPlainText(TEXT)
    page.history.list.setCurrentRow(0)
    run_and_wait(qtbot, page, page.history.reapply)  # same action, same text, greedy
    assert len(page.history.entries) == 2 and page.history.entries[0].result == summary
    QGuiApplication.clipboard().setText(TEXT)
    choose(page, "custom")
    page.instruction.setText("Rewrite the text as a question.")
    run_and_wait(qtbot, page, page.process_clipboard)
    assert QGuiApplication.clipboard().text() == page.history.entries[0].result != TEXT
    assert page.source.toPlainText() == TEXT  # the editor was not touched


@pytest.mark.real_model
def test_stop_mid_document_keeps_finished_parts(qtbot, page: WritePage) -> None:
    doc = "\n\n".join([TEXT] * 6)
    page.source.setPlainText(doc)
    choose(page, "proofread")
    events: list[object] = []
    page.kernel.yielded.connect(lambda _i, e: events.append(e))
    page.run()
    qtbot.waitUntil(lambda: any(type(e).__name__ == "ChunkDone" for e in events), timeout=120_000)
    page.stop()
    qtbot.waitUntil(lambda: page.request_id is None, timeout=60_000)
    done = events[-1]
    assert type(done).__name__ == "WriteDone" and done.is_cancelled  # type: ignore[attr-defined]
    assert 1 <= done.completed < done.total  # type: ignore[attr-defined]
    if page.changes.diff is not None:  # the finished part is offered as tracked changes
        assert page.changes.diff.source == doc
        assert page.changes.diff.target == done.text  # type: ignore[attr-defined]
    assert page.source.toPlainText() == doc


@pytest.mark.real_model
def test_custom_needs_an_instruction(qtbot, page: WritePage) -> None:
    page.source.setPlainText(TEXT)
    choose(page, "custom")
    assert page.instruction.isEnabled() and not page.tone.isEnabled()
    page.run()
    assert page.request_id is None and "instruction" in page.status.text()


def test_a_change_that_deletes_words_is_flagged(qtbot) -> None:
    source = "I will go to the libary tomorow."
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText(source)
    view = ChangesView()
    qtbot.addWidget(view)
    view.show_diff(diff_texts(source, "I will go to the library.", flag_dropped=True), editor, 0)
    html = view._html()
    assert "⚠" in html and "deletes words: tomorow" in html
    fixed = diff_texts(source, "I will go to the library tomorrow.", flag_dropped=True)
    view.show_diff(fixed, editor, 0)
    assert "⚠" not in view._html()
