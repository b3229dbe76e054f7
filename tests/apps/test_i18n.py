"""Translations: the .ts is current and complete, visible strings are marked, zh_CN loads."""

from __future__ import annotations

import ast
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.common.i18n import install_translator, resolve_language, translate_in
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel

ROOT = Path(__file__).resolve().parents[2]
GUI = ROOT / "src" / "llmasos" / "apps" / "gui"
ZH_TS = ROOT / "resources" / "i18n" / "llmasos_zh_CN.ts"
ZH_QM = ROOT / "resources" / "i18n" / "llmasos_zh_CN.qm"
CJK = re.compile(r"[\u4e00-\u9fff]")

# Calls that put text on screen (or in a screen reader's ear), and which of their
# positional arguments are that text (None: every argument).
TEXT_CALLS: dict[str, tuple[int, ...] | None] = {
    "setText": (0,),
    "setWindowTitle": (0,),
    "setToolTip": (0,),
    "setPlaceholderText": (0,),
    "addTab": (1,),
    "setTabText": (1,),
    "QLabel": (0,),
    "QPushButton": (0,),
    "QAction": (0,),
    "addMenu": (0,),
    "setAccessibleName": (0,),
    "setAccessibleDescription": (0,),
    "QGroupBox": (0,),
    "QCheckBox": (0,),
    "QRadioButton": (0,),
    "setStatusTip": (0,),
    "showMessage": (0,),
    "addItem": (0,),
    "addButton": (0,),
    "setHorizontalHeaderLabels": (0,),
    "setSpecialValueText": (0,),
    "setWhatsThis": (0,),
    # QMessageBox.warning(parent, title, text, …) and friends
    "warning": None,
    "question": None,
    "about": None,
    "information": None,
    "critical": None,
    # this package's helpers that pass their text arguments on to the calls above
    "button": (0, 1),
    "make_button": (0, 1),
    "editor": (0, 1),
    "_label": (0,),
    "_status_label": (0,),
    "_row": (1,),
    "_describe": (1, 2),
    "_spin": (2, 3, 4),
    "_double": (3, 4),
    "_combo": (1, 2),
    "make_table": (0, 1),
    "LanguagePicker": (0,),
    "_show_notice": (0,),
    "_show_error": (0,),
    "set_phase": (1,),
}


def _is_visible(text: str) -> bool:
    """Words a person reads: letters left after removing HTML tags and URLs."""
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\w+://\S+", "", text)
    return re.search(r"[A-Za-z]", text) is not None


def _literal_texts(node: ast.expr) -> Iterator[ast.expr]:
    """The plain literals and f-strings in an argument (also inside a tuple or list)."""
    items = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
    for item in items:
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            if _is_visible(item.value):
                yield item
        elif isinstance(item, ast.JoinedStr):
            parts = "".join(
                v.value
                for v in item.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            if _is_visible(parts):
                yield item


def unmarked_strings(path: Path) -> list[str]:
    """``file:line: call(...)`` for each visible literal passed to a text call unwrapped."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in TEXT_CALLS:
            continue
        if name in ("warning", "critical", "information") and not (
            isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "QMessageBox"
        ):
            continue  # log.warning(…) is for the log file, not the screen
        positions = TEXT_CALLS[name]
        args = (
            call.args
            if positions is None
            else [call.args[i] for i in positions if i < len(call.args)]
        )
        for arg in args:
            for literal in _literal_texts(arg):
                found.append(f"{path.name}:{literal.lineno}: {name}({ast.unparse(literal)[:60]})")
    return found


def gui_sources() -> list[Path]:
    """The GUI modules under the check."""
    return sorted(GUI.glob("*.py"))


def ts_messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) → the <translation> element, for every message of a .ts file."""
    root = ET.parse(path).getroot()
    out = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            out[(name, message.findtext("source") or "")] = translation
    return out


# -- (a) the committed .ts matches the sources ---------------------------------------
def test_committed_ts_matches_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "src" / "llmasos" / "apps").rglob("*.py"))
    subprocess.run(
        ["pyside6-lupdate", "-silent", "-no-obsolete", *sources, "-ts", str(fresh)],
        check=True,
        timeout=120,
    )
    extracted, committed = set(ts_messages(fresh)), set(ts_messages(ZH_TS))
    new = sorted(extracted - committed)
    stale = sorted(committed - extracted)
    assert not new, (
        "strings marked in the code but missing from the .ts; run "
        f"python packaging/update_translations.py and translate them: {new[:10]}"
    )
    assert not stale, f"strings in the .ts that the code no longer has: {stale[:10]}"
    assert len(extracted) > 300  # lupdate really read the sources


# -- (b) every zh_CN entry is translated ---------------------------------------------
def test_every_zh_cn_entry_is_finished() -> None:
    messages = ts_messages(ZH_TS)
    unfinished = [
        src
        for (_ctx, src), t in messages.items()
        if t.get("type") in ("unfinished", "vanished", "obsolete") or not (t.text or "").strip()
    ]
    assert not unfinished, f"unfinished zh_CN translations: {unfinished[:10]}"
    # placeholders for str.format and mnemonics survive translation
    for (_ctx, source), translation in messages.items():
        text = translation.text or ""
        assert set(re.findall(r"\{[^}]*\}", source)) == set(re.findall(r"\{[^}]*\}", text)), (
            source,
            text,
        )
        assert ("&" in source.replace("&&", "")) == ("&" in text.replace("&&", "")), (source, text)
    assert ZH_QM.stat().st_mtime >= ZH_TS.stat().st_mtime - 1, "compile the .ts (lrelease)"


# -- (c) no visible string escapes tr() ------------------------------------------------
def test_the_static_check_catches_unmarked_strings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "label = QLabel('Hello')\n"
        "button.setText(f'Run {name}')\n"
        "QMessageBox.warning(self, 'Oops', message)\n"
        "ok = QLabel(self.tr('Hello'))\n"
        "url.setPlaceholderText('https://huggingface.co')\n"
        "log.warning('not for the screen')\n"
        "row.set_phase('queued', QCoreApplication.translate('X', 'Waiting'))\n"
    )
    found = unmarked_strings(sample)
    assert [f.split(":")[1] for f in found] == ["1", "2", "3"], found


def test_no_visible_string_is_left_unmarked() -> None:
    found = [f for path in gui_sources() for f in unmarked_strings(path)]
    assert not found, "wrap these in self.tr() or QCoreApplication.translate():\n" + "\n".join(
        found
    )


# -- (d) the translator at run time ----------------------------------------------------
@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert install_translator(qapp, "zh_CN")
    yield
    assert not install_translator(qapp, "en")


def test_resolve_language_follows_the_system_locale() -> None:
    assert resolve_language("zh_CN") == "zh_CN"
    assert resolve_language("en", QLocale("zh_CN")) == "en"
    assert resolve_language("system", QLocale("zh_CN")) == "zh_CN"
    assert resolve_language("system", QLocale("zh_SG")) == "zh_CN"
    assert resolve_language("system", QLocale("zh_TW")) == "en"
    assert resolve_language("system", QLocale("fr_FR")) == "en"


def test_main_window_speaks_chinese(qtbot, chinese: None) -> None:
    from llmasos.apps.gui.shell.window import MainWindow

    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    try:
        menus = [a.text() for a in window.menuBar().actions()]
        assert menus[0] == "文件(&F)" and all(CJK.search(m) for m in menus), menus
        titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
        assert titles == ["对话", "写作", "翻译", "知识库", "模型", "设置"]
        assert CJK.search(window.welcome.recommendation.text())
        assert CJK.search(window.status.model.text())
        assert CJK.search(window.settings_page.apply_button.text())
        assert "Qt" in window.about_text() and CJK.search(window.about_text())
    finally:
        window.close()
    assert QApplication.translate("MainWindow", "&File") == "文件(&F)"


def test_english_is_the_source_language(qtbot, qapp: QApplication) -> None:
    assert not install_translator(qapp, "en")
    assert QApplication.translate("MainWindow", "&File") == "&File"


def test_restart_prompt_comes_in_the_new_language(qtbot) -> None:
    from llmasos.apps.gui.settings.page import RESTART_NOTE, SettingsPage

    assert translate_in("zh_CN", "SettingsPage", RESTART_NOTE) == "重启 LLMasOS 以切换语言。"
    assert translate_in("en", "SettingsPage", RESTART_NOTE) == RESTART_NOTE
    page = SettingsPage(SettingsStore())
    qtbot.addWidget(page)
    page.language.setCurrentIndex(page.language.findData("zh_CN"))
    assert page.apply()
    text = page.notice_label.text()
    assert RESTART_NOTE in text and "重启 LLMasOS 以切换语言。" in text


def test_catalog_descriptions_follow_the_ui_language(qtbot, qapp: QApplication) -> None:
    from llmasos.apps.gui.common.i18n import ui_language
    from llmasos.apps.gui.shell.home_pages import WelcomePage
    from llmasos.foundation.models.catalog import load_catalog

    zh = {e.description_zh for e in load_catalog()}
    en = {e.description for e in load_catalog()}
    assert ui_language() == "en"
    assert install_translator(qapp, "zh_CN")
    try:
        assert ui_language() == "zh_CN"
        page = WelcomePage()
        qtbot.addWidget(page)
        text = page._recommendation_text(None)
        assert any(d in text for d in zh) and not any(d in text for d in en), text
    finally:
        assert not install_translator(qapp, "en")
    assert ui_language() == "en"
    assert any(d in page._recommendation_text(None) for d in en)
