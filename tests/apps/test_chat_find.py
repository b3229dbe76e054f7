"""Find in the conversation: highlighted matches in English and Chinese, F3 and Enter to
go through them, the list's search carried into the messages — on real widgets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.chat.find import CURRENT_BACKGROUND, HIT_BACKGROUND, FindBar, find_spans
from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.chat.view import MessageView
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.chat.conversations import DONE, ConversationStore, StoredMessage


def test_spans_ignore_case_and_count_utf16() -> None:
    assert find_spans("The cat sat. CAT!", "cat") == [(4, 7), (13, 16)]
    assert find_spans("我喜欢猫。猫很可爱。", "猫") == [(3, 4), (5, 6)]
    assert find_spans("我喜欢猫。猫很可爱。", "猫很") == [(5, 7)]
    assert find_spans("😀 cat", "cat") == [(3, 6)]  # the emoji is two UTF-16 units
    assert find_spans("aaaa", "aa") == [(0, 2), (2, 4)]  # no overlaps
    assert find_spans("İstanbul cat", "cat") == [(9, 12)]  # İ lowers to two characters
    assert find_spans("anything", "") == []


def messages() -> list[StoredMessage]:
    return [
        StoredMessage(1, 1, "user", "Tell me about **cats**.", DONE, 0),
        StoredMessage(
            2, 1, "assistant", "A cat sleeps a lot. Cats purr.\n\n" + "filler\n\n" * 60, DONE, 0
        ),
        StoredMessage(3, 1, "user", "用中文说说猫好吗？", DONE, 0),
        StoredMessage(4, 1, "assistant", "好的。猫喜欢睡觉，小猫也是。", DONE, 0),
    ]


@pytest.fixture
def bar(qtbot) -> Iterator[FindBar]:
    view = MessageView()
    bar = FindBar(view)
    qtbot.addWidget(view)
    qtbot.addWidget(bar)
    view.resize(600, 400)
    view.set_messages(messages())
    view.show()
    bar.show()
    qtbot.waitExposed(view)
    yield bar


def highlighted(bar: FindBar, index: int) -> list[tuple[str, int, bool]]:
    """(text, position, is current) of each highlight in message ``index``."""
    out = []
    for sel in bar.view.widgets[index].body.extraSelections():
        current = sel.format.background().color() == CURRENT_BACKGROUND
        assert current or sel.format.background().color() == HIT_BACKGROUND
        out.append((sel.cursor.selectedText(), sel.cursor.selectionStart(), current))
    return out


def test_english_matches_are_highlighted_in_the_shown_text(bar: FindBar) -> None:
    bar.box.setText("cat")
    assert highlighted(bar, 0) == [("cat", 14, True)]  # "Tell me about cats." : no **
    assert highlighted(bar, 1) == [("cat", 2, False), ("Cat", 20, False)]
    assert highlighted(bar, 2) == highlighted(bar, 3) == []
    assert bar.count.text() == "1 of 3"


def test_chinese_matches_are_substrings(bar: FindBar) -> None:
    bar.box.setText("猫")
    assert highlighted(bar, 2) == [("猫", 5, True)]
    assert highlighted(bar, 3) == [("猫", 3, False), ("猫", 10, False)]
    bar.box.setText("小猫")
    assert highlighted(bar, 3) == [("小猫", 9, True)] and bar.count.text() == "1 of 1"
    bar.box.setText("狗")
    assert bar.count.text() == "No match" and all(highlighted(bar, i) == [] for i in range(4))


def test_f3_enter_and_shift_go_through_the_matches(qtbot, bar: FindBar) -> None:
    page = bar.view.parentWidget() or bar.view
    bar.install_shortcuts(bar)
    bar.box.setText("猫")
    bar.box.setFocus()
    qtbot.keyClick(bar.box, Qt.Key.Key_Return)
    assert bar.count.text() == "2 of 3" and highlighted(bar, 3)[0][2]
    qtbot.keyClick(bar.box, Qt.Key.Key_F3)
    assert bar.count.text() == "3 of 3" and highlighted(bar, 3)[1][2]
    qtbot.keyClick(bar.box, Qt.Key.Key_F3)
    assert bar.count.text() == "1 of 3"  # round to the first
    qtbot.keyClick(bar.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count.text() == "3 of 3"
    qtbot.keyClick(bar.box, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert bar.count.text() == "2 of 3"
    qtbot.keyClick(bar.box, Qt.Key.Key_Escape)
    assert bar.isHidden() and all(highlighted(bar, i) == [] for i in range(4))
    assert page is not None


def test_going_to_a_match_scrolls_it_into_view(qtbot, bar: FindBar) -> None:
    view = bar.view
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    bar.box.setText("tell me")
    bar.next()  # the only match: the first message, at the top
    assert bar.count.text() == "1 of 1"
    assert view.verticalScrollBar().value() < view.verticalScrollBar().maximum() // 2


def test_a_list_search_hit_is_highlighted_in_the_conversation(qtbot) -> None:
    store = ConversationStore()
    conv = store.create(title="Cats")
    for m in messages():
        store.add_message(conv.id, m.role, m.content)
    store.create(title="Other")
    store.close()
    kernel = Kernel()
    try:
        page = ChatPage(kernel, lambda: SamplingParams())
        qtbot.addWidget(page)
        page.resize(960, 700)
        page.show()
        assert page.conversation_id != conv.id
        page.conversations.search.setText("睡觉")
        item = page.conversations.items.item(0)
        page.conversations.items.itemActivated.emit(item)
        assert page.conversation_id == conv.id and not page.find_bar.isHidden()
        assert page.find_bar.box.text() == "睡觉"
        assert highlighted(page.find_bar, 3) == [("睡觉", 6, True)]
        page.find_bar.close_bar()
        page.activateWindow()
        qtbot.waitUntil(page.isActiveWindow, timeout=2_000)
        page.input.setFocus()
        qtbot.keyClick(page.input, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert not page.find_bar.isHidden()
        assert QApplication.focusWidget() is page.find_bar.box
    finally:
        assert kernel.shutdown(30)
