"""The persona box shows built-in personas in the UI language and stores their names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.chat.page import ChatPage
from llmasos.apps.gui.chat.personas import BUILTIN_LABELS, PersonaBox
from llmasos.apps.gui.common.i18n import install_translator
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.chat.personas import BUILTIN_PERSONAS, DEFAULT_PERSONA


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert install_translator(qapp, "zh_CN")
    yield
    assert not install_translator(qapp, "en")


@pytest.fixture
def bare_kernel() -> Iterator[Kernel]:
    k = Kernel()
    yield k
    assert k.shutdown(30)


def test_every_built_in_persona_has_a_label() -> None:
    assert set(BUILTIN_LABELS) == set(BUILTIN_PERSONAS)


def test_built_in_personas_in_chinese_keep_their_stored_names(
    qtbot, chinese: None, bare_kernel: Kernel
) -> None:
    page = ChatPage(bare_kernel, SamplingParams)
    qtbot.addWidget(page)
    box = page.persona
    shown = [box.itemText(i) for i in range(box.count())]
    assert shown[:4] == ["助手", "翻译员", "程序员", "辅导老师"]
    assert box.currentText() == "助手" and box.name() == DEFAULT_PERSONA
    conversation = page.new_conversation()
    assert page.store.get(conversation).persona == "Assistant"
    box.setCurrentIndex(box.findData("Coder"))
    box.activated.emit(box.currentIndex())  # as a click on the item does
    stored = page.store.get(conversation)
    assert stored.persona == "Coder" and stored.system_prompt == BUILTIN_PERSONAS["Coder"]
    page.new_conversation()
    page.open_conversation(conversation)
    assert box.currentText() == "程序员"


def test_own_personas_show_by_their_name(qtbot) -> None:
    box = PersonaBox(["Assistant", "我的写作助手"])
    qtbot.addWidget(box)
    assert [box.itemText(i) for i in range(box.count())] == ["Assistant", "我的写作助手"]
    box.set_name("我的写作助手")
    assert box.name() == "我的写作助手"
    box.set_name("not a persona")
    assert box.name() == "我的写作助手"
