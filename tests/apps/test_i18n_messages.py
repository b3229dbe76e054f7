"""In Chinese, Qt's own dialogs and menus and the errors from the layers below speak Chinese."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from llmasos import errors
from llmasos.apps.gui.common import messages
from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.common.messages import error_text, failure_text
from llmasos.apps.gui.common.notices import TEMPLATES, notice_text, notices_text
from llmasos.foundation.hub import errors as hub_errors
from llmasos.kernel.kernel import BUG_MESSAGE, Failure
from llmasos.services.text.language import find_language
from llmasos.services.text.notice import Notice
from llmasos.services.translation.finish import finish_chunk
from llmasos.services.translation.text import protect

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
FR = find_language("fr")


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert install_translator(qapp, "zh_CN")
    yield
    install_translator(qapp, "en")


def _english_texts(root: QWidget) -> list[str]:
    """Visible label, button and combo texts under ``root`` with no Chinese in them."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root):
            continue
        texts = []
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif (
            hasattr(widget, "text")
            and callable(widget.text)
            and not isinstance(widget, (QLineEdit, QPlainTextEdit))
        ):
            texts.append(str(widget.text()))
        found += [t for t in texts if LATIN_WORD.search(t) and not CJK.search(t)]
    return found


def test_standard_dialog_buttons_are_chinese(qtbot, chinese: None) -> None:
    box = QMessageBox(QMessageBox.Icon.Question, "标题", "正文")
    box.setStandardButtons(
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel
    )
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(["是(&Y)", "否(&N)", "取消"])


def test_text_field_context_menu_is_chinese(qtbot, chinese: None) -> None:
    for field in (QLineEdit(), QPlainTextEdit()):
        qtbot.addWidget(field)
        menu = field.createStandardContextMenu()
        assert menu is not None
        items = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
        assert "复制(&C)" in items and "粘贴(&P)" in items and "全选" in items, items
        assert not [t for t in items if not CJK.search(t)], items


def test_qt_file_dialog_is_all_chinese(qtbot, chinese: None, tmp_path: Path) -> None:
    dialog = QFileDialog(None, "打开", str(tmp_path), "GGUF (*.gguf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        dialog.setAcceptMode(mode)
        english = [
            t
            for t in _english_texts(dialog)
            if t not in ("GGUF (*.gguf)", str(tmp_path))  # the filter and the folder
            and not any(t == c.currentText() for c in dialog.findChildren(QComboBox))
        ]
        assert not english, english  # "&Look in:" and "Files of &type:" came from our file


# -- errors from the services, by type ------------------------------------------------
def _error_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for module in (errors, hub_errors):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, errors.LLMasOSError) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_error_class_has_its_own_sentence() -> None:
    classes = _error_classes()
    assert len(classes) > 40
    missing = [
        c.__qualname__ for c in classes if (c.__module__, c.__qualname__) not in messages._SENTENCES
    ]
    assert not missing, f"add a sentence to apps/gui/common/messages.py for: {missing}"
    assert messages.BUG_SENTENCE == BUG_MESSAGE


def test_english_shows_the_error_itself(qapp: QApplication) -> None:
    assert not install_translator(qapp, "en")
    exc = errors.ModelFileInvalid("x.gguf is not a GGUF model file (it starts with '<html').")
    assert error_text(exc) == str(exc)
    assert failure_text(Failure(str(exc), exc)) == str(exc)
    assert failure_text(Failure(BUG_MESSAGE)) == BUG_MESSAGE


def test_chinese_shows_the_type_s_sentence_with_its_numbers(chinese: None) -> None:
    overflow = errors.ContextOverflowError("too long", prompt_tokens=5000, n_ctx=4096)
    text = error_text(overflow)
    assert CJK.search(text) and "5000" in text and "4096" in text, text

    class NewHubProblem(hub_errors.OfflineError):  # a subclass falls back to its parent
        pass

    assert error_text(NewHubProblem("offline")) == error_text(hub_errors.OfflineError("x"))
    assert CJK.search(failure_text(Failure(BUG_MESSAGE)))
    assert error_text(ValueError("not ours")) == "not ours"


def test_a_bad_model_file_is_reported_in_chinese(
    qtbot, chinese: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.kernel.kernel import Kernel

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    window.show()
    try:
        bad = tmp_path / "saved-page.gguf"
        bad.write_text("<!DOCTYPE html><html>Sign in</html>")
        with qtbot.waitSignal(window.kernel.load_failed, timeout=60_000):
            window.open_model(bad)
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
        expected = "无法打开 saved-page.gguf：此文件不是可用的 GGUF 模型"
        assert shown[0].startswith(expected), shown
        assert window.welcome.message.text() == shown[0]
        rest = shown[0].replace("saved-page.gguf", "").replace("GGUF", "")
        assert not LATIN_WORD.search(rest), shown[0]  # no English words left
    finally:
        window.close()


# -- notices from the services (translation and writing checks) ------------------------
SERVICES = Path(__file__).resolve().parents[2] / "src" / "llmasos" / "services"


def service_templates() -> set[str]:
    """Every template the services pass to ``Notice(...)``: a literal, or a module-level
    constant of the services (``Notice(GLOSSARY_UNUSED, …)``)."""
    sources = [p for p in SERVICES.rglob("*.py") if p.name != "notice.py"]  # the class itself
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sources]
    constants = {
        target.id: node.value.value
        for tree in trees
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = set()
    for tree in trees:
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Notice"):
                continue
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            elif isinstance(first, ast.Name) and first.id in constants:
                found.add(constants[first.id])
            else:
                raise AssertionError(f"Notice() needs a literal template: {ast.unparse(call)}")
    return found


def test_every_service_notice_is_in_the_gui_catalog() -> None:
    written = service_templates()
    assert len(written) > 20  # the scan really found them
    assert not written - TEMPLATES, f"mark in apps/gui/common/notices.py: {written - TEMPLATES}"
    assert not TEMPLATES - written, f"no service writes these any more: {TEMPLATES - written}"


def test_a_translation_check_reads_in_chinese(chinese: None) -> None:
    chunk = finish_chunk("La commande part.", protect("Order 66 ships on 2024-05-01."), FR)
    problems = [n.message for n in chunk.notes if n.kind == "problem"]
    assert any(isinstance(p, Notice) for p in problems)
    shown = notices_text(problems)
    assert "译文中缺少数字：66" in shown, shown
    assert not re.search(r"[A-Za-z]{3,}", shown.replace("2024-05-01", "")), shown


def test_notices_keep_their_english_and_nest(chinese: None) -> None:
    inner = Notice("The model gave an empty answer.")
    outer = Notice("Part {n}: {problem}", n=2, problem=inner)
    assert outer == "Part 2: The model gave an empty answer."  # a str for the CLI and API
    assert notice_text(outer) == "第 2 部分：模型的回答为空。"
    repeated = Notice("The model repeated the text instead of doing {action}.", action="Shorten")
    assert notice_text(repeated, lambda name, v: "缩短" if name == "action" else v) == (
        "模型只是重复了原文，没有执行“缩短”。"
    )
    assert notice_text("plain text stays") == "plain text stays"


def test_english_notices_are_unchanged(qapp: QApplication) -> None:
    assert not install_translator(qapp, "en")
    notice = Notice("Numbers missing from the translation: {items}", items="66")
    assert notice_text(notice) == str(notice) == "Numbers missing from the translation: 66"


def test_an_unusable_installed_file_says_why_in_chinese(chinese: None) -> None:
    from llmasos.apps.gui.models.installed import _problem_tip

    why = "bad.gguf is not a GGUF model file (it starts with '<html')."
    tip = _problem_tip(why)
    assert tip.startswith("无法使用此模型文件") and tip.endswith(why), tip
    assert _problem_tip(None) == ""


def test_checks_write_notices_not_plain_text() -> None:
    from llmasos.services.writing.actions import ACTIONS
    from llmasos.services.writing.service import check_answer

    source = protect("# Plan\n\nOrder 66 ships on **Monday**.\n\n- one\n- two")
    outputs = [
        "I'm sorry, I cannot translate this.",
        "La commande part.\nUne.\nDeux.\nTrois.\nQuatre.\nCinq.",
        "# Plan\n\nLa commande 66 part lundi.\n\n- un\n- deux",
    ]
    notes = [n for raw in outputs for n in finish_chunk(raw, source, FR).notes]
    assert len(notes) >= 3
    plain = [n.message for n in notes if not isinstance(n.message, Notice)]
    assert not plain, f"make these Notice(...) so the GUI can translate them: {plain}"
    text = "Their going to the libary tomorow, she said, and she dont like it at all."
    answers = ["", "I'm sorry, as an AI I cannot help with that.", text, "x" * 2000]
    problems = [check_answer(spec, text, a) for spec in ACTIONS for a in answers]
    problems = [p for p in problems if p]
    assert problems and all(isinstance(p, Notice) for p in problems), problems


def test_language_names_in_chinese(chinese: None) -> None:
    from llmasos.apps.gui.common.language_names import (
        NAMES,
        language_label,
        language_name,
        notice_value,
    )
    from llmasos.services.text.language import LANGUAGES

    assert {lang.name for lang in LANGUAGES} == set(NAMES)
    assert [language_name(x) for x in ("fr", "Simplified Chinese", "xx")] == [
        "法语",
        "简体中文",
        "xx",
    ]
    assert language_label("fr") == "Français — 法语 (fr)"
    assert language_label("zh-Hans") == "简体中文 (zh-Hans)"
    wrong = Notice(
        "The translation looks like {found}, not {target}. Try again or use a larger model.",
        found="English",
        target="Simplified Chinese",
    )
    assert (
        notice_text(wrong, notice_value)
        == "译文看起来是 英语，而不是 简体中文。请重试，或使用更大的模型。"
    )


def test_language_names_stay_english_in_english(qapp: QApplication) -> None:
    from llmasos.apps.gui.common.language_names import language_label

    assert not install_translator(qapp, "en")
    assert language_label("fr") == "Français — French (fr)"
