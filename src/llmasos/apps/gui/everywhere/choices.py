"""What the popup shows about its action: the title, the language and tone pickers."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QWidget

from llmasos.apps.gui.common.language_names import language_name
from llmasos.apps.gui.common.writing_names import tone_label
from llmasos.errors import WritingError
from llmasos.services.text.language import LANGUAGES, find_language
from llmasos.services.writing.actions import EDIT, TONES, find_action


def is_edit(action: str) -> bool:
    """Whether ``action`` edits the text (its answer is shown as tracked changes)."""
    try:
        return find_action(action).kind == EDIT
    except WritingError:  # translate, explain, ask: not a writing action
        return False


def opens_in(action: str) -> str | None:
    """The main window's page that can carry on with ``action`` (Open in Write or
    Translate); None for an action neither page runs."""
    if action == "translate":
        return "translate"
    return "write" if action in ("proofread", "rewrite", "summarize") else None


def action_title(action: str, to: str = "") -> str:
    """The popup's title: the action, for a translation with its language's name
    ("Translate → Simplified Chinese" for ``to="zh"``)."""
    names = {
        "translate": QCoreApplication.translate("ActionPopup", "Translate"),
        "proofread": QCoreApplication.translate("ActionPopup", "Proofread"),
        "rewrite": QCoreApplication.translate("ActionPopup", "Rewrite"),
        "summarize": QCoreApplication.translate("ActionPopup", "Summarize"),
        "explain": QCoreApplication.translate("ActionPopup", "Explain"),
        "ask": QCoreApplication.translate("ActionPopup", "Ask"),
        "ocr": QCoreApplication.translate("ActionPopup", "Text in the image"),
    }
    label = names.get(action, action)
    if action != "translate":
        return label
    return f"{label} → {language_name(language_code(to))}"  # English when none is given


def language_box(name: str, parent: QWidget) -> QComboBox:
    """A target-language picker: the Translate window's languages, named in the UI's
    language; each item's data is its code."""
    box = QComboBox(parent)
    box.setAccessibleName(name)
    for lang in LANGUAGES:
        box.addItem(language_name(lang.name), lang.code)
        box.setItemData(box.count() - 1, lang.native, Qt.ItemDataRole.ToolTipRole)
    return box


def tone_box(name: str, parent: QWidget) -> QComboBox:
    """A Rewrite tone picker, labelled as in the Write window; data: the tone's id."""
    box = QComboBox(parent)
    box.setAccessibleName(name)
    for tone in TONES:
        box.addItem(tone_label(tone), tone)
    return box


def language_code(to: str) -> str:
    """The picker's code for ``to`` (a code, an alias such as "zh", or a name); English
    when empty or unknown (as the translation prompt does)."""
    lang = find_language(to or "en")
    return lang.code if lang is not None else "en"
