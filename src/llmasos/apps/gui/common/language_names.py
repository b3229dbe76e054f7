"""The translator's language names in the UI's language.

The services name languages in English (``Language.name``) and in the language itself
(``Language.native``); the picker, the "Detected:" line and the translator's notices
show the English name in the UI's language, from the "Language" context below (a test
checks that every language the services know is here).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.services.text.language import find_language

NAMES = (
    QT_TRANSLATE_NOOP("Language", "English"),
    QT_TRANSLATE_NOOP("Language", "Simplified Chinese"),
    QT_TRANSLATE_NOOP("Language", "Traditional Chinese"),
    QT_TRANSLATE_NOOP("Language", "Japanese"),
    QT_TRANSLATE_NOOP("Language", "Korean"),
    QT_TRANSLATE_NOOP("Language", "French"),
    QT_TRANSLATE_NOOP("Language", "German"),
    QT_TRANSLATE_NOOP("Language", "Spanish"),
    QT_TRANSLATE_NOOP("Language", "Portuguese"),
    QT_TRANSLATE_NOOP("Language", "Italian"),
    QT_TRANSLATE_NOOP("Language", "Russian"),
    QT_TRANSLATE_NOOP("Language", "Arabic"),
    QT_TRANSLATE_NOOP("Language", "Dutch"),
    QT_TRANSLATE_NOOP("Language", "Polish"),
    QT_TRANSLATE_NOOP("Language", "Turkish"),
    QT_TRANSLATE_NOOP("Language", "Ukrainian"),
    QT_TRANSLATE_NOOP("Language", "Vietnamese"),
    QT_TRANSLATE_NOOP("Language", "Thai"),
    QT_TRANSLATE_NOOP("Language", "Indonesian"),
    QT_TRANSLATE_NOOP("Language", "Hindi"),
    QT_TRANSLATE_NOOP("Language", "Swedish"),
    QT_TRANSLATE_NOOP("Language", "Czech"),
    QT_TRANSLATE_NOOP("Language", "Greek"),
    QT_TRANSLATE_NOOP("Language", "Hebrew"),
    QT_TRANSLATE_NOOP("Language", "Persian"),
    QT_TRANSLATE_NOOP("Language", "Romanian"),
    QT_TRANSLATE_NOOP("Language", "Hungarian"),
    QT_TRANSLATE_NOOP("Language", "Danish"),
    QT_TRANSLATE_NOOP("Language", "Finnish"),
    QT_TRANSLATE_NOOP("Language", "Norwegian"),
)


def language_name(name_or_code: str) -> str:
    """A language's name in the UI's language ("French" or "fr" -> "法语" in Chinese);
    text that names no known language comes back as it is."""
    lang = find_language(name_or_code)
    if lang is None:
        return name_or_code
    return QCoreApplication.translate("Language", lang.name)


def notice_value(name: str, value: str) -> str:
    """For :func:`~llmasos.apps.gui.common.notices.notice_text`: the language names in
    the translator's notices ("looks like {found}, not {target}") in the UI's language."""
    return language_name(value) if name in ("found", "target") else value


def language_label(code: str) -> str:
    """ "Français — French (fr)" for a code (the name in the UI's language: "Français —
    法语 (fr)" in Chinese); the code itself when unknown."""
    lang = find_language(code)
    if lang is None:
        return code
    name = language_name(lang.name)
    native = "" if lang.native == name else f"{lang.native} — "
    return f"{native}{name} ({lang.code})"


__all__ = ["NAMES", "language_label", "language_name", "notice_value"]
