"""The UI language: Qt translators for LLMasOS's own strings and Qt's standard ones.

Visible strings are marked with ``self.tr("…")`` (in QObject subclasses) or
``QCoreApplication.translate("Context", "…")``; ``packaging/update_translations.py``
extracts them into ``resources/i18n/llmasos_<lang>.ts`` with ``pyside6-lupdate`` and
compiles the ``.qm`` files the app loads here. English is the source language, so it
needs no file. Errors from the services and the foundation are shown in the UI's
language by :mod:`.messages` (by error type).

Qt's own dialogs and menus are translated by Qt's ``qtbase_<lang>.qm`` (from PySide6's
translations folder). A few of Qt's strings have no entry there (the file dialog's
"Look in:" and "Files of type:" changed their mnemonics): :data:`QT_GAPS` marks them so
that our own file translates them; Qt asks our translator when its own has nothing.

The translation files are found the way :mod:`.icons` finds the icons: as package data
under ``llmasos/resources``, else in the source checkout's ``resources/``.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from llmasos.foundation.settings.rules import LANGUAGES  # the values of ui.language

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
_TRANSLATED = ("zh_CN",)  # languages with a llmasos_<lang>.qm file
_REPO_I18N = Path(__file__).resolve().parents[5] / "resources" / "i18n"
_MARK = "llmasos_translator"  # objectName of the translators installed here


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for translation in ``context`` and return it unchanged.

    For module constants, translated where they are shown with
    ``QCoreApplication.translate(context, text)``. Qt's own ``QT_TRANSLATE_NOOP``
    does the same but is typed as returning ``object``.
    """
    return text


# Qt's own strings that qtbase_zh_CN.qm lacks (context: the Qt class), found by opening
# each standard dialog in Chinese; Qt asks our translator when its own has nothing
QT_GAPS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
)


def i18n_dir() -> Path | None:
    """The folder holding the compiled ``.qm`` files, or None when it is missing."""
    packaged = Path(str(resources.files("llmasos").joinpath("resources").joinpath("i18n")))
    for folder in (packaged, _REPO_I18N):
        if folder.is_dir():
            return folder
    return None


def resolve_language(language: str, system: QLocale | None = None) -> str:
    """The translation to use for a ``ui.language`` setting: "zh_CN" or "en".

    "system" follows ``system`` (default: ``QLocale.system()``): any Chinese locale
    written in simplified characters gets "zh_CN"; everything else English.
    """
    if language in _TRANSLATED or language == SOURCE_LANGUAGE:
        return language
    locale = system or QLocale.system()
    is_chinese = locale.language() == QLocale.Language.Chinese
    if is_chinese and locale.script() != QLocale.Script.TraditionalChineseScript:
        return "zh_CN"
    return SOURCE_LANGUAGE


def load_translator(language: str) -> QTranslator | None:
    """A translator holding LLMasOS's strings in ``language`` ("zh_CN"), or None."""
    folder = i18n_dir()
    if language not in _TRANSLATED or folder is None:
        return None
    translator = QTranslator()
    if not translator.load(str(folder / f"llmasos_{language}.qm")):
        log.warning("translation llmasos_%s.qm is missing; reinstall LLMasOS", language)
        return None
    return translator


def _qt_translator(language: str) -> QTranslator | None:
    """Qt's own strings (dialog buttons, context menus) in ``language``, when shipped."""
    translator = QTranslator()
    from PySide6.QtCore import QLibraryInfo  # only for a language other than English

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return translator if translator.load(f"qtbase_{language}", folder) else None


def install_translator(app: QCoreApplication, language: str) -> bool:
    """Translate the UI into the ``ui.language`` setting ("system", "zh_CN" or "en").

    Call on the GUI thread before the windows are built (widgets read their texts
    when they are created). Translators installed by an earlier call are removed
    first, so "en" goes back to the English source strings.

    Returns:
        True when a translation was installed; False for English, or when the
        translation file is missing (the UI then stays English).
    """
    for old in app.findChildren(QTranslator, _MARK):
        app.removeTranslator(old)
        old.setObjectName("")  # no longer ours for ui_language() until it is deleted
        old.deleteLater()
    resolved = resolve_language(language)
    ours = load_translator(resolved)
    if ours is None:
        return False
    for translator in (ours, _qt_translator(resolved)):
        if translator is not None:
            translator.setObjectName(_MARK)
            translator.setParent(app)  # the app keeps it alive
            app.installTranslator(translator)
    log.info("UI language: %s", resolved)
    return True


def ui_language() -> str:
    """The language the UI shows now: "zh_CN" while its translation is installed (see
    :func:`install_translator`), else "en" — for text the catalog carries in both."""
    app = QCoreApplication.instance()
    if app is not None:
        for translator in app.findChildren(QTranslator, _MARK):
            if translator.language().startswith("zh"):
                return "zh_CN"
    return SOURCE_LANGUAGE


def translate_in(language: str, context: str, text: str) -> str:
    """``text`` of ``context`` translated into ``language`` (whatever the UI shows now).

    For the one message that must be read in the language just chosen: "Restart
    LLMasOS to change the language."
    """
    translator = load_translator(resolve_language(language))
    if translator is None:
        return text
    return translator.translate(context, text) or text


__all__ = [
    "LANGUAGES",
    "QT_TRANSLATE_NOOP",
    "i18n_dir",
    "install_translator",
    "load_translator",
    "resolve_language",
    "translate_in",
    "ui_language",
]
