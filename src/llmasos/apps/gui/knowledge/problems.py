"""Why a file could not be indexed, in the UI language: :func:`problem_text`.

The index stores a code and parameters
(:class:`~llmasos.services.knowledge.problems.FileProblem`); this table has the same
codes' texts marked for translation, so a file's problem reads in the language the app
runs in, whatever language it ran in when the file was indexed.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.services.knowledge.problems import FileProblem

CONTEXT = "FileProblem"
TEXTS: dict[str, str] = {
    "too_big": QT_TRANSLATE_NOOP(
        "FileProblem",
        "{name} is larger than {mib} MiB, too big to index. Split it, or leave it out of "
        "the collection.",
    ),
    "binary": QT_TRANSLATE_NOOP(
        "FileProblem", "{name} looks binary, not text. Leave it out of the collection."
    ),
    "encoding": QT_TRANSLATE_NOOP(
        "FileProblem",
        "{name} is neither UTF-8 nor {encoding} text (byte {byte} at offset {offset}). "
        "Convert it to UTF-8, e.g. with iconv.",
    ),
    "password": QT_TRANSLATE_NOOP(
        "FileProblem",
        "{name} is protected by a password. Save a copy without the password to index it.",
    ),
    "needs_cryptography": QT_TRANSLATE_NOOP(
        "FileProblem",
        "{name} is encrypted and reading it needs the 'cryptography' package, which is "
        "missing from this installation. Reinstall LLMasOS, or save a copy without "
        "encryption.",
    ),
    "bad_pdf": QT_TRANSLATE_NOOP(
        "FileProblem",
        "{name} is not a readable PDF ({detail}). Open it in a PDF viewer to check it, or "
        "save it again.",
    ),
    "bad_docx": QT_TRANSLATE_NOOP(
        "FileProblem",
        "{name} is not a readable Word document ({detail}). Open it in Word or LibreOffice "
        "and save it again as .docx.",
    ),
    "unreadable": QT_TRANSLATE_NOOP(
        "FileProblem", "{path} cannot be read ({reason}). Check its permissions."
    ),
    "no_text": QT_TRANSLATE_NOOP("FileProblem", "no text found (a scanned PDF needs OCR first)"),
}


def problem_text(problem: FileProblem) -> str:
    """``problem`` in the UI language (an unknown code: as stored)."""
    templates = {code: QCoreApplication.translate(CONTEXT, t) for code, t in TEXTS.items()}
    return problem.text({**templates, "other": "{text}"})


__all__ = ["TEXTS", "problem_text"]
