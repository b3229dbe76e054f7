"""Chat messages as bubbles: their hover actions, reached by mouse and keyboard, doing
what they say — on real widgets, a real store and (for edit and regenerate) SmolLM2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QEnterEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel

from helpers.layout_fit import clipped_texts, without_noise
from llmasos.apps.gui.chat.bubble import bubble_colors
from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.chat.view import MessageView
from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.common.theme import apply_theme
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.chat.conversations import DONE, STOPPED, ConversationStore, StoredMessage

SHORT = SamplingParams(temperature=0.0, max_tokens=12, seed=1)
LONG = SamplingParams(temperature=0.0, max_tokens=400, seed=1)
REPLY = "Here are **two** tips:\n\n1. Sleep.\n2. Rest."


def messages() -> list[StoredMessage]:
    return [
        StoredMessage(1, 1, "user", "Give me two tips.", DONE, 0),
        StoredMessage(2, 1, "assistant", REPLY, DONE, 0, 10, 8, 30.0, 0.1),
        StoredMessage(3, 1, "user", "用中文说一遍好吗？", DONE, 0),
        StoredMessage(4, 1, "assistant", "好的：**早睡**，多休息。", DONE, 0),
    ]


@pytest.fixture
def view(qtbot) -> MessageView:
    view = MessageView()
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.set_messages(messages())
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    focused = QApplication.focusWidget()
    if focused is not None:  # the first message's text took the focus: no message has it
        focused.clearFocus()
    return view


def shown(widget) -> list[str]:
    return [b.accessibleName() for b in widget.action_buttons() if b.isVisible()]


def hover(widget, inside: bool) -> None:
    """The pointer enters or leaves ``widget`` (the events Qt sends it)."""
    if inside:
        QApplication.sendEvent(widget, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    else:
        QApplication.sendEvent(widget, QEvent(QEvent.Type.Leave))


def test_actions_show_on_hover_only(view: MessageView) -> None:
    you, reply, _, last = view.widgets
    assert all(shown(w) == [] for w in view.widgets)  # nothing while the pointer is away
    hover(you, True)
    assert shown(you) == ["Copy message", "Edit and resend"]
    hover(you, False)
    assert shown(you) == []
    hover(reply, True)
    assert shown(reply) == ["Copy message"]  # not the last reply: no Regenerate
    hover(last, True)
    assert shown(last) == ["Copy message", "Regenerate this answer"]
    # the text does not move when the buttons appear: they keep their room while hidden
    hover(last, False)
    height = last.height()
    hover(last, True)
    assert last.height() == height


def test_actions_are_reached_with_the_keyboard(qtbot, view: MessageView) -> None:
    you, reply = view.widgets[:2]
    you.body.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: you.body.hasFocus(), timeout=2_000)
    assert shown(you) == ["Copy message", "Edit and resend"]  # focus inside shows them
    order = []
    for _ in range(3):  # Tab: the text, then its buttons, then the next message
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [you.copy_button, you.edit_button, reply.body]
    assert shown(you) == [] and shown(reply) == ["Copy message"]  # leaving hides them
    edited: list[int] = []
    you.edit_requested.connect(edited.append)
    you.edit_button.setFocus()  # type: ignore[union-attr]
    qtbot.keyClick(you.edit_button, Qt.Key.Key_Space)
    assert edited == [1]


def test_copy_puts_the_markdown_on_the_clipboard(qtbot, view: MessageView) -> None:
    reply = view.widgets[1]
    hover(reply, True)
    qtbot.mouseClick(reply.copy_button, Qt.MouseButton.LeftButton)
    clip = QGuiApplication.clipboard()
    assert clip.text() == REPLY  # plain text: the Markdown as written
    assert bytes(clip.mimeData().data("text/markdown").data()).decode() == REPLY
    view.widgets[2].copy()
    assert clip.text() == "用中文说一遍好吗？"


def test_only_the_last_reply_offers_regenerate(qtbot, view: MessageView) -> None:
    asked: list[int] = []
    view.regenerate_requested.connect(asked.append)
    view.widgets[1].regenerate_button.click()  # type: ignore[union-attr]
    assert asked == []
    view.widgets[3].regenerate_button.click()  # type: ignore[union-attr]
    assert asked == [4]
    view.add_message(StoredMessage(5, 1, "user", "Again?", DONE, 0))
    view.widgets[3].regenerate_button.click()  # type: ignore[union-attr]
    assert asked == [4]  # a newer message came: that reply is no longer the last


def test_the_extra_area_shows_under_the_reply(view: MessageView) -> None:
    reply = view.widgets[3]
    sources = QLabel("Sources: notes.md")
    reply.set_extra(sources)
    assert sources.parentWidget() is reply.bubble and not sources.isHidden()
    QApplication.processEvents()
    layout = reply.bubble.layout()
    assert layout.indexOf(reply.body) < layout.indexOf(reply.footer)
    assert reply.body.geometry().bottom() <= sources.geometry().top()
    reply.set_extra(None)
    assert reply.extra.count() == 0


def test_bubbles_are_distinct_and_readable_in_both_themes(qapp: QApplication) -> None:
    try:
        for theme in ("light", "dark"):
            apply_theme(qapp, theme)
            palette = qapp.palette()
            text = palette.color(QPalette.ColorRole.Text)
            user, _ = bubble_colors(palette, "user")
            assistant, border = bubble_colors(palette, "assistant")
            assert user != assistant and border != assistant, theme
            for fill in (user, assistant):
                assert abs(fill.lightness() - text.lightness()) > 120, (theme, fill.name())
    finally:
        apply_theme(qapp, "system")


def test_names_follow_a_switch_of_theme(qapp: QApplication, view: MessageView) -> None:
    """Settings › Theme switches a running app: the bubbles made before show their
    "You"/"Assistant" in the new theme's text colour, not the old one's."""
    try:
        for theme in ("dark", "light", "dark"):
            apply_theme(qapp, theme)
            QApplication.processEvents()
            text = qapp.palette().color(QPalette.ColorRole.WindowText)
            for widget in view.widgets:
                shown = widget.header.palette().color(widget.header.foregroundRole())
                assert shown == text, (theme, widget.header.text(), shown.name())
                assert widget.header.font().bold()
    finally:
        apply_theme(qapp, "system")


def test_user_bubbles_sit_right_and_fit_their_text(view: MessageView) -> None:
    you, reply = view.widgets[:2]
    assert you.bubble.geometry().right() > reply.bubble.geometry().right()
    assert reply.bubble.geometry().left() < you.bubble.geometry().left()
    assert you.bubble.width() < 0.8 * you.width()  # a short question: a short bubble
    long = StoredMessage(9, 1, "user", "a long question " * 40, DONE, 0)
    wide = view.add_message(long)
    QApplication.processEvents()
    assert 0.7 * wide.width() <= wide.bubble.width() <= 0.81 * wide.width()


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    install_translator(qapp, str(request.param))
    yield str(request.param)
    install_translator(qapp, "en")


@pytest.mark.parametrize("size", [(960, 700), (1366, 768)])
def test_bubbles_fit_in_both_languages(qtbot, language: str, size: tuple[int, int]) -> None:
    store = ConversationStore()
    conv = store.create(title="Bubbles")
    for m in messages():
        store.add_message(conv.id, m.role, m.content)
    store.close()
    kernel = Kernel()
    try:
        page = ChatPage(kernel, lambda: SHORT)
        qtbot.addWidget(page)
        page.resize(*size)
        page.show()
        qtbot.waitExposed(page)
        for w in page.transcript.widgets:
            hover(w, True)
        for _ in range(3):
            QApplication.processEvents()
        assert page.transcript.widgets[0].header.text() == ("You" if language == "en" else "你")
        found = without_noise(clipped_texts(page))
        assert not found, found
        view = page.transcript
        assert view.horizontalScrollBar().maximum() == 0
        assert all(w.bubble.geometry().right() <= w.width() for w in view.widgets)
    finally:
        assert kernel.shutdown(30)


# -- with the real model ------------------------------------------------------------------
@pytest.fixture
def kernel(qtbot, smollm2_path: Path) -> Iterator[Kernel]:
    k = Kernel()
    ids: list[int] = []
    with qtbot.waitSignal(
        k.finished, timeout=60_000, check_params_cb=lambda i, _s: bool(ids) and i == ids[0]
    ):
        ids.append(k.load_model(smollm2_path, EngineSettings(n_ctx=1024, n_batch=128, n_threads=1)))
    yield k
    assert k.shutdown(30)


def chat(qtbot, kernel: Kernel, params: SamplingParams) -> ChatPage:
    page = ChatPage(kernel, lambda: params)
    qtbot.addWidget(page)
    page.resize(900, 600)
    page.show()
    return page


def wait_idle(qtbot, page: ChatPage) -> None:
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)
    qtbot.waitUntil(lambda: page._title_request is None, timeout=120_000)


@pytest.mark.real_model
def test_edit_button_truncates_and_resends(
    qtbot, kernel: Kernel, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = chat(qtbot, kernel, SHORT)
    for text in ("Say hi.", "Say bye."):
        page.input.setPlainText(text)
        page.submit()
        wait_idle(qtbot, page)
    first = page.transcript.widgets[0]
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Say hello.", True))
    first.edit_button.click()  # type: ignore[union-attr]
    wait_idle(qtbot, page)
    stored = page.store.messages(page.conversation_id)
    assert [m.role for m in stored] == ["user", "assistant"]  # "Say bye." and its reply gone
    assert stored[0].content == "Say hello." and stored[1].content.strip()
    assert [w.text for w in page.transcript.widgets] == [m.content for m in stored]


@pytest.mark.real_model
def test_regenerate_during_a_reply_stops_it_first(qtbot, kernel: Kernel) -> None:
    page = chat(qtbot, kernel, LONG)
    page.input.setPlainText("Write a very long story about the sea.")
    page.submit()
    qtbot.waitUntil(
        lambda: len(page.transcript.widgets) == 2 and len(page.transcript.widgets[-1].text) > 20,
        timeout=60_000,
    )
    streaming = page.transcript.widgets[-1]
    with qtbot.waitSignal(kernel.cancelled, timeout=30_000):
        streaming.regenerate_button.click()  # type: ignore[union-attr]
    assert page.request_id is not None  # the new reply is on its way
    assert page._replaced is not None
    (stopped,) = page._replaced[1]  # what Undo will put back: the reply as it stopped
    assert stopped.id == streaming.message.id and stopped.status == STOPPED
    assert stopped.content.startswith(streaming.text[:20])
    qtbot.waitUntil(  # the new reply has started (its message is stored): stop it
        lambda: (
            len(page.transcript.widgets) == 2
            and page.transcript.widgets[-1].message.id != stopped.id
        ),
        timeout=60_000,
    )
    page.stop()
    wait_idle(qtbot, page)
    stored = page.store.messages(page.conversation_id)
    assert len(stored) == 2 and stored[1].id != stopped.id
    page.undo()  # nothing lost: Undo brings the stopped reply back
    assert page.store.messages(page.conversation_id)[1] == stopped


@pytest.mark.real_model
def test_edit_during_a_reply_stops_it_first(qtbot, kernel: Kernel) -> None:
    page = chat(qtbot, kernel, LONG)
    page.input.setPlainText("Write a very long story about a forest.")
    page.submit()
    qtbot.waitUntil(
        lambda: len(page.transcript.widgets) == 2 and len(page.transcript.widgets[-1].text) > 20,
        timeout=60_000,
    )
    question = page.transcript.widgets[0].message.id
    page.edit_message(question, "Name one tree.")
    qtbot.waitUntil(
        lambda: page.store.messages(page.conversation_id)[0].content == "Name one tree.",
        timeout=30_000,
    )
    assert page._replaced is not None
    assert [m.status for m in page._replaced[1]] == [DONE, STOPPED]  # kept for Undo
    qtbot.waitUntil(lambda: len(page.transcript.widgets) == 2, timeout=60_000)  # a new reply
    page.stop()
    wait_idle(qtbot, page)
    stored = page.store.messages(page.conversation_id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[0].content == "Name one tree." and stored[0].id != question
