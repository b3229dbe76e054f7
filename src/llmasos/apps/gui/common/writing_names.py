"""The writing actions' and tones' names in the UI's language.

The services name them in English (``ActionSpec.label``, the ids of ``TONES``); the
Write window and the Everywhere popup show them translated, from the "WritePage" context.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP

# The services name the actions and tones in English; the window shows them translated.
_LABELS = (
    QT_TRANSLATE_NOOP("WritePage", "Proofread"),
    QT_TRANSLATE_NOOP("WritePage", "Rewrite"),
    QT_TRANSLATE_NOOP("WritePage", "Shorten"),
    QT_TRANSLATE_NOOP("WritePage", "Expand"),
    QT_TRANSLATE_NOOP("WritePage", "Summarize"),
    QT_TRANSLATE_NOOP("WritePage", "Key points"),
    QT_TRANSLATE_NOOP("WritePage", "Continue writing"),
    QT_TRANSLATE_NOOP("WritePage", "Custom"),
    QT_TRANSLATE_NOOP("WritePage", "Formal"),
    QT_TRANSLATE_NOOP("WritePage", "Friendly"),
    QT_TRANSLATE_NOOP("WritePage", "Concise"),
    QT_TRANSLATE_NOOP("WritePage", "Confident"),
    QT_TRANSLATE_NOOP("WritePage", "Simple"),
)


def action_label(label: str) -> str:
    """A writing action's label (``ActionSpec.label``) in the UI's language."""
    return QCoreApplication.translate("WritePage", label)


def tone_label(tone: str) -> str:
    """A tone id ("formal") as the UI shows it ("Formal", translated)."""
    return QCoreApplication.translate("WritePage", tone.capitalize())


__all__ = ["action_label", "tone_label"]
