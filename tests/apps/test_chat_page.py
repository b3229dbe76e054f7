"""The Chat page with the real kernel and engine (SmolLM2), real SQLite, real widgets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from llmasos.apps.gui.chat.markdown import MarkdownBrowser, prepare_markdown
from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.chat.settings import ChatInput
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.chat.conversations import DONE, STOPPED, STREAMING, ConversationStore

pytestmark = pytest.mark.real_model

SHORT = SamplingParams(temperature=0.0, max_tokens=16, seed=1)
LONG = SamplingParams(temperature=0.0, max_tokens=400, seed=1)


def load(qtbot, path: Path, n_ctx: int = 1024) -> Kernel:
    kernel = Kernel()
    ids: list[int] = []
    with qtbot.waitSignal(
        kernel.finished, timeout=60_000, check_params_cb=lambda i, _s: bool(ids) and i == ids[0]
    ):
        ids.append(kernel.load_model(path, EngineSettings(n_ctx=n_ctx, n_batch=128, n_threads=1)))
    return kernel


def _streamed(page) -> str:
    """The reply text shown so far (the last message in the transcript)."""
    widgets = page.transcript.widgets
    return widgets[-1].text if widgets and widgets[-1].message.role == "assistant" else ""


@pytest.fixture
def kernel(qtbot, smollm2_path: Path) -> Iterator[Kernel]:
    k = load(qtbot, smollm2_path)
    yield k
    assert k.shutdown(30)


def make_page(qtbot, kernel: Kernel, params: SamplingParams = SHORT) -> ChatPage:
    page = ChatPage(kernel, lambda: params)
    qtbot.addWidget(page)
    page.resize(900, 600)
    page.show()
    return page


def say(qtbot, page: ChatPage, text: str) -> None:
    page.input.setPlainText(text)
    page.submit()
    assert page.request_id is not None
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)
    qtbot.waitUntil(lambda: page._title_request is None, timeout=120_000)


def test_send_streams_stores_and_titles(qtbot, kernel: Kernel) -> None:
    page = make_page(qtbot, kernel)
    page.input.setPlainText("Name a colour.")
    qtbot.keyClick(page.input, Qt.Key.Key_Return)  # Enter sends
    assert page.request_id is not None and page.input.toPlainText() == ""
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)
    qtbot.waitUntil(lambda: page._title_request is None, timeout=120_000)
    conv = page.store.get(page.conversation_id)
    user, reply = page.store.messages(conv.id)
    assert user.content == "Name a colour." and reply.status == DONE
    assert [m.content for m in (user, reply)] == [w.text for w in page.transcript.widgets]
    assert page.history[-1].content == reply.content and reply.content.strip()
    assert "tokens/s" in page.transcript.widgets[-1].footer.text()
    assert not conv.is_auto_title and page.title.text() == conv.title
    assert page.conversations.items.item(0).text() == conv.title
    assert 0 < page.context_meter.bar.value() <= page.context_meter.bar.maximum() == 1024


def test_stop_keeps_the_partial_reply(qtbot, kernel: Kernel) -> None:
    page = make_page(qtbot, kernel, LONG)
    page.input.setPlainText("Write a very long story about the sea.")
    page.submit()
    qtbot.waitUntil(lambda: len(_streamed(page)) > 20, timeout=60_000)
    with qtbot.waitSignal(kernel.cancelled, timeout=30_000):
        qtbot.keyClick(page.input, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.request_id is None, timeout=30_000)
    reply = page.store.messages(page.conversation_id)[-1]
    assert reply.status == STOPPED and reply.content == _streamed(page)
    assert "(stopped)" in page.transcript.widgets[-1].header.text()
    assert "Stopped" in page.status.text()


def test_regenerate_edit_and_undo(qtbot, kernel: Kernel) -> None:
    page = make_page(qtbot, kernel, SamplingParams(temperature=1.0, max_tokens=12))
    say(qtbot, page, "Say hi.")
    before = page.store.messages(page.conversation_id)
    page.regenerate()
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)
    after = page.store.messages(page.conversation_id)
    assert after[0] == before[0] and after[1].id != before[1].id and len(after) == 2
    assert page.undo_button.isVisible()
    page.undo()
    assert page.store.messages(page.conversation_id) == before
    assert [w.message.id for w in page.transcript.widgets] == [m.id for m in before]
    page.edit_message(before[0].id, "Say bye.")
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)
    edited = page.store.messages(page.conversation_id)
    assert edited[0].content == "Say bye." and edited[1].role == "assistant"
    assert page.transcript.widgets[0].text == "Say bye."
    page.undo()
    assert page.store.messages(page.conversation_id) == before


def test_persistence_search_export_import(qtbot, kernel: Kernel, tmp_path: Path) -> None:
    page = make_page(qtbot, kernel)
    say(qtbot, page, "Tell me about zebras.")
    conv_id = page.conversation_id
    page.new_conversation()
    say(qtbot, page, "What is rain?")
    again = make_page(qtbot, kernel)  # a new page reads the database afresh
    assert again.conversation_id != conv_id
    assert [c.id for c in again.store.conversations()][1] == conv_id
    again.conversations.search.setText("zebras")
    item = again.conversations.items.item(0)
    assert "zebras" in item.text().lower()
    again.conversations.items.itemActivated.emit(item)
    assert again.conversation_id == conv_id
    assert again.transcript.widgets[0].text == "Tell me about zebras."
    out = tmp_path / "zebras.json"
    again.export_to(out)
    again.export_to(tmp_path / "zebras.md")
    assert "## You" in (tmp_path / "zebras.md").read_text(encoding="utf-8")
    again.import_from(out)
    assert again.conversation_id not in (conv_id, None)
    texts = [w.text for w in again.transcript.widgets]
    assert texts == [m["content"] for m in json.loads(out.read_text("utf-8"))["messages"]]
    again.import_from(tmp_path / "zebras.md")
    assert "Could not import" in again.status.text()


def test_rename_pin_delete_and_undo(qtbot, kernel: Kernel) -> None:
    page = make_page(qtbot, kernel)
    first = page.new_conversation()
    second = page.new_conversation()
    page.rename_conversation(first, "Holiday plans")
    page._toggle_pin(first)
    assert page.conversations.items.item(0).text() == "📌 Holiday plans"
    page.delete_conversation(second)
    assert [c.id for c in page.store.conversations()] == [first]
    assert page.conversation_id == first and page.undo_button.isVisible()
    page.undo()
    assert {c.id for c in page.store.conversations()} == {first, second}
    assert page.conversation_id == second


def test_overflow_shows_the_cut(qtbot, smollm2_path: Path) -> None:
    kernel = load(qtbot, smollm2_path, n_ctx=512)
    try:
        store = ConversationStore()
        conv = store.create(system_prompt="Be kind.")
        for i in range(10):
            store.add_message(conv.id, "user", f"Question {i} " + "about boats " * 15)
            store.add_message(conv.id, "assistant", f"Answer {i} " + "boats float " * 15)
        store.close()
        page = make_page(qtbot, kernel, SamplingParams(temperature=0.0, max_tokens=64))
        assert page.conversation_id == conv.id
        say(qtbot, page, "Last question?")
        cut = page.store.get(conv.id).cut_message_id
        assert cut is not None and page.transcript.cut_marker.isVisible()
        marker_at = page.transcript._layout.indexOf(page.transcript.cut_marker)
        assert page.transcript._layout.itemAt(marker_at + 1).widget() is page.transcript.widget_for(
            cut
        )
        assert page.context_meter.bar.maximum() == 512
    finally:
        assert kernel.shutdown(30)


def test_streaming_touches_only_the_last_message(qtbot) -> None:
    from llmasos.apps.gui.chat.view import MessageView
    from llmasos.services.chat.conversations import StoredMessage

    view = MessageView()
    qtbot.addWidget(view)
    view.set_messages(
        [
            StoredMessage(i, 1, "user" if i % 2 else "assistant", f"m{i}", DONE, 0)
            for i in range(1, 11)
        ]
    )
    revisions = [w.body.document().revision() for w in view.widgets[:-1]]
    view.append_to_last(" more **text**")
    assert [w.body.document().revision() for w in view.widgets[:-1]] == revisions
    assert view.widgets[-1].text == "m10 more **text**"


def test_links_code_copy_and_no_resources(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    browser = MarkdownBrowser()
    qtbot.addWidget(browser)
    browser.set_markdown(
        "See [site](https://example.com) ![x](https://example.com/x.png)\n\n"
        "```python\nprint('hi')\n```"
    )
    assert not browser.openLinks() and browser.loadResource(2, QUrl("https://e.com/x")) is None
    browser.anchorClicked.emit(QUrl("https://example.com"))
    browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert [u.toString() for u in opened] == ["https://example.com"]
    assert browser.source().isEmpty()  # the view never navigated away
    browser.anchorClicked.emit(QUrl("llmasos-copy:0"))
    assert QGuiApplication.clipboard().text() == "print('hi')"
    assert prepare_markdown("```\nopen").code_blocks == ("open",)


def test_enter_sends_is_configurable(qtbot) -> None:
    box = ChatInput()
    qtbot.addWidget(box)
    sent: list[bool] = []
    box.send_requested.connect(lambda: sent.append(True))
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert box.toPlainText() == "\n" and not sent
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert sent == [True]
    box.set_enter_sends(False)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert sent == [True] and box.toPlainText() == "\n\n"
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == [True, True]


def test_switching_conversation_stops_the_reply_there(qtbot, kernel: Kernel) -> None:
    page = make_page(qtbot, kernel, LONG)
    page.input.setPlainText("Write a very long story about a forest.")
    page.submit()
    old = page.conversation_id
    qtbot.waitUntil(lambda: len(_streamed(page)) > 10, timeout=60_000)
    with qtbot.waitSignal(kernel.cancelled, timeout=30_000):
        new = page.new_conversation()
    qtbot.waitUntil(lambda: page.request_id is None, timeout=30_000)
    assert page.conversation_id == new and page.transcript.widgets == []
    assert page.store.messages(old)[-1].status == STOPPED


@pytest.fixture
def bare_kernel() -> Iterator[Kernel]:
    """A kernel with no model loaded (for what the page shows without one)."""
    k = Kernel()
    yield k
    assert k.shutdown(30)


def test_switching_conversation_clears_undo_and_status(qtbot, kernel: Kernel) -> None:
    page = make_page(qtbot, kernel, SamplingParams(temperature=1.0, max_tokens=8))
    say(qtbot, page, "Say hi.")
    old = page.conversation_id
    page.regenerate()
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)
    qtbot.waitUntil(lambda: page._title_request is None, timeout=120_000)
    assert page.undo_button.isVisible() and page.status.text().startswith("Done")
    kept = page.store.messages(old)
    page.new_conversation()  # Ctrl+N
    assert not page.undo_button.isVisible() and not page.undo_label.isVisible()
    assert page.status.text() == ""
    page.undo()  # nothing to undo here: it neither jumps back nor changes the old chat
    assert page.conversation_id != old and page.transcript.widgets == []
    assert page.store.messages(old) == kept
    page.open_conversation(old)
    assert not page.undo_button.isVisible()


def test_export_and_import_failures_are_said_on_the_page(
    qtbot, bare_kernel: Kernel, tmp_path: Path
) -> None:
    page = make_page(qtbot, bare_kernel)
    page.new_conversation()
    page.export_to(tmp_path / "gone" / "chat.json")  # a folder that is not there
    assert page.status.text().startswith("Could not export to ")
    assert "No such file or directory" in page.status.text()
    utf16 = tmp_path / "notepad.json"
    utf16.write_text('{"format": "llmasos-conversation"}', encoding="utf-16")
    before = page.store.conversations()
    page.import_from(utf16)
    assert page.status.text().startswith("Could not import notepad.json")
    assert page.store.conversations() == before


def test_drafts_stay_with_their_conversation(qtbot, bare_kernel: Kernel) -> None:
    page = make_page(qtbot, bare_kernel)
    first = page.new_conversation()
    page.input.setPlainText("half a thought")
    second = page.new_conversation()
    assert page.input.toPlainText() == ""  # a new chat starts empty
    page.input.setPlainText("another draft")
    page.open_conversation(first)
    assert page.input.toPlainText() == "half a thought"
    page.open_conversation(second)
    assert page.input.toPlainText() == "another draft"
    page.open_conversation(second)  # opening the shown one again keeps what is typed
    assert page.input.toPlainText() == "another draft"
    page.input.clear()
    page.open_conversation(first)
    page.open_conversation(second)
    assert page.input.toPlainText() == ""


def test_context_meter_waits_for_the_model(qtbot, smollm2_path: Path) -> None:
    kernel = Kernel()
    try:
        page = make_page(qtbot, kernel)  # as after `llmasos --model PATH`: no model yet
        meter = page.context_meter
        assert meter.text() == "Context: –" and "/" not in meter.text()
        assert " of 0 " not in meter.toolTip() and "loaded" in meter.toolTip()
        assert not meter.bar.isTextVisible() and meter.bar.height() < meter.label.height()
        ids: list[int] = []
        with qtbot.waitSignal(
            kernel.finished,
            timeout=60_000,
            check_params_cb=lambda i, _s: bool(ids) and i == ids[0],
        ):
            ids.append(
                kernel.load_model(
                    smollm2_path, EngineSettings(n_ctx=1024, n_batch=128, n_threads=1)
                )
            )
        qtbot.waitUntil(lambda: meter.text() == "Context: 0 / 1024", timeout=5_000)
        assert meter.toolTip() == "0 of 1024 tokens of the model's context"
        assert meter.bar.maximum() == 1024 and meter.bar.value() == 0
        meter.setFixedWidth(meter.fontMetrics().horizontalAdvance("Context"))
        qtbot.waitUntil(lambda: meter.label.shown_text().endswith("…"), timeout=2_000)
        assert meter.label.height() < 2 * meter.fontMetrics().lineSpacing()  # one line
    finally:
        assert kernel.shutdown(30)


def test_long_titles_are_elided_not_widened(qtbot, bare_kernel: Kernel) -> None:
    page = make_page(qtbot, bare_kernel)
    conv = page.new_conversation()
    qtbot.waitExposed(page)
    width = page.conversations.width()
    long_title = "A very long title about many things " * 8
    page.rename_conversation(conv, long_title)
    page.resize(900, 600)
    qtbot.wait(50)
    assert page.width() == 900 and page.conversations.width() == width
    assert page.title.text() == long_title.strip() and page.title.toolTip() == long_title.strip()
    assert page.title.shown_text().endswith("…")
    items = page.conversations.items
    assert items.visualItemRect(items.item(0)).width() <= items.viewport().width()
    assert items.horizontalScrollBar().maximum() == 0


def test_a_reply_cut_off_by_a_crash_is_marked(qtbot, bare_kernel: Kernel) -> None:
    store = ConversationStore()  # the page's own database, as a previous run left it
    partial = store.create(title="Partial")
    store.add_message(partial.id, "user", "Tell me a story.")
    store.add_message(partial.id, "assistant", "Once upon a time", STREAMING)
    empty = store.create(title="Empty")
    store.add_message(empty.id, "user", "Hello?")
    store.add_message(empty.id, "assistant", "", STREAMING)
    store.close()
    notice = "This answer was interrupted when LLMasOS closed unexpectedly."
    page = make_page(qtbot, bare_kernel)
    assert page.conversation_id == empty.id  # the newest
    reply = page.transcript.widgets[-1]
    assert "(interrupted)" in reply.header.text()
    assert notice in reply.body.toPlainText()  # not an empty box
    assert reply.text == "" and page.history[-1].content == ""  # never sent to the model
    page.open_conversation(partial.id)
    reply = page.transcript.widgets[-1]
    assert "(interrupted)" in reply.header.text() and reply.footer.text() == notice
    assert not reply.footer.isHidden() and reply.body.toPlainText() == "Once upon a time"
