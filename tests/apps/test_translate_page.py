"""The Translate page with the real kernel and engine (SmolLM2), under pytest-qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.translate.page import TranslatePage
from llmasos.apps.gui.translate.widgets import GlossaryDialog
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.kernel.kernel import Kernel
from llmasos.services.translation.glossary import GlossaryEntry
from llmasos.services.translation.service import TranslationDone

pytestmark = pytest.mark.real_model


@pytest.fixture
def page(qtbot, smollm2_path: Path) -> Iterator[TranslatePage]:
    kernel = Kernel()
    with qtbot.waitSignal(
        kernel.finished, timeout=60_000, check_params_cb=lambda _i, stats: stats is None
    ):
        kernel.load_model(smollm2_path, EngineSettings(n_threads=1))
    page = TranslatePage(kernel, lambda: SamplingParams(seed=1, max_tokens=24))
    qtbot.addWidget(page)
    page.show()
    yield page
    page.cancel_all()
    assert kernel.shutdown()


def wait_done(qtbot, page: TranslatePage) -> None:
    qtbot.waitUntil(lambda: page.request_id is None, timeout=120_000)


def test_translate_streams_detects_and_records_history(qtbot, page: TranslatePage) -> None:
    page.as_you_type.setChecked(False)
    page.source.setPlainText("今天天气很好。")
    page.target_lang.set_code("en")
    streamed: list[str] = []
    page.kernel.tokens.connect(lambda rid, text: streamed.append(text))
    with qtbot.waitSignal(
        page.kernel.yielded,
        timeout=120_000,
        check_params_cb=lambda _i, ev: isinstance(ev, TranslationDone),
    ):
        qtbot.keyClick(page.source, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_done(qtbot, page)
    assert streamed  # text arrived while the model wrote
    assert page.detected.text().startswith("Detected: Simplified Chinese")
    assert page.last_result is not None and page.result.toPlainText() == page.last_result.text
    assert page.result.toPlainText().strip() and "tokens/s" in page.status.text()
    entries = page.store.search("天气")
    assert [(e.source_lang, e.target_lang) for e in entries] == [("zh-Hans", "en")]
    page.toggle_history()
    page.history.search.setText("天气")
    assert page.history.list.count() == 1
    page.result.clear()
    page.history.list.itemClicked.emit(page.history.list.item(0))
    assert page.result.toPlainText() == entries[0].result


def test_typing_is_debounced_and_newest_request_wins(qtbot, page: TranslatePage) -> None:
    started: list[int] = []
    cancelled: list[int] = []
    page.kernel.started.connect(started.append)
    page.kernel.cancelled.connect(lambda rid, _s: cancelled.append(rid))
    for text in ("Good", "Good mor", "Good morning"):
        qtbot.keyClicks(page.source, text[len(page.source.toPlainText()) :])
    assert page.timer.isActive() and page.request_id is None  # nothing sent while typing
    qtbot.waitUntil(lambda: page.request_id is not None, timeout=5_000)
    first = page.request_id
    page.source.setPlainText("Good morning, friends.")
    page.run()  # exclusive: the running request is cancelled
    assert page.request_id != first
    wait_done(qtbot, page)
    qtbot.waitUntil(lambda: first in cancelled, timeout=30_000)
    assert len(started) <= 2 and page.result.toPlainText().strip()


def test_pickers_search_swap_and_glossary(qtbot, page: TranslatePage) -> None:
    page.as_you_type.setChecked(False)
    page.target_lang.setEditText("Deutsch")
    assert page.target_lang.code() == "de"
    page.target_lang.setEditText("ja")
    assert page.target_lang.code() == "ja"
    page.source_lang.set_code("fr")
    page.result.setPlainText("こんにちは")
    qtbot.keyClick(
        page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert (page.source_lang.code(), page.target_lang.code()) == ("ja", "fr")
    assert page.source.toPlainText() == "こんにちは"
    dialog = GlossaryDialog(page.store, "ja", "fr", page)
    dialog.add_row("こんにちは", "bonjour")
    dialog.add_row("", "ignored")
    dialog.save()
    assert page.store.glossary("ja", "fr") == (GlossaryEntry("こんにちは", "bonjour"),)
    assert page.build_request().glossary == (GlossaryEntry("こんにちは", "bonjour"),)


def test_copy_and_translate_clipboard(qtbot, page: TranslatePage) -> None:
    page.as_you_type.setChecked(False)
    QApplication.clipboard().setText("Bonjour tout le monde, merci beaucoup.")
    page.target_lang.set_code("en")
    page.translate_clipboard()
    assert page.source.toPlainText().startswith("Bonjour") and page.request_id is not None
    wait_done(qtbot, page)
    assert page.detected.text().startswith("Detected: French")
    page.copy_result()
    assert QApplication.clipboard().text() == page.result.toPlainText()
