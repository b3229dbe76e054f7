"""Why a file could not be indexed, kept as a code and its parameters: :class:`FileProblem`.

The index stores the code and parameters as JSON in ``files.error`` (not an English
sentence), and each window says them in its own language: the command line in English
(:meth:`FileProblem.text`, from :data:`PROBLEMS`), the app in the UI language (its own
table of the same codes). Extraction raises :class:`UnreadableDocument`, a
:class:`~llmasos.errors.DocumentError` that carries its problem.

Rows written before (English text) are converted by the knowledge schema's migration 2
through :func:`stored_from_text`, registered as the SQL function ``knowledge_problem``:
a text made from one of :data:`PROBLEMS` gets its code and parameters back, anything
else is kept as code ``other`` with the text as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from llmasos.errors import DocumentError

__all__ = [
    "PROBLEMS",
    "FileProblem",
    "UnreadableDocument",
    "problem_of",
    "stored_from_text",
]

#: code → the English text, with ``{parameters}``.
PROBLEMS: dict[str, str] = {
    "too_big": "{name} is larger than {mib} MiB, too big to index. Split it, or leave it out "
    "of the collection.",
    "binary": "{name} looks binary, not text. Leave it out of the collection.",
    "encoding": "{name} is neither UTF-8 nor {encoding} text (byte {byte} at offset {offset}). "
    "Convert it to UTF-8, e.g. with iconv.",
    "password": "{name} is protected by a password. Save a copy without the password to index it.",
    "needs_cryptography": "{name} is encrypted and reading it needs the 'cryptography' "
    "package, which is missing from this installation. Reinstall LLMasOS, or save a copy "
    "without encryption.",
    "bad_pdf": "{name} is not a readable PDF ({detail}). Open it in a PDF viewer to check it, "
    "or save it again.",
    "bad_docx": "{name} is not a readable Word document ({detail}). Open it in Word or "
    "LibreOffice and save it again as .docx.",
    "unreadable": "{path} cannot be read ({reason}). Check its permissions.",
    "no_text": "no text found (a scanned PDF needs OCR first)",
    "other": "{text}",
}


@dataclass(frozen=True)
class FileProblem:
    """A problem's ``code`` (a key of :data:`PROBLEMS`) and its parameters (strings)."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Any) -> FileProblem:
        return cls(code, tuple(sorted((k, str(v)) for k, v in params.items())))

    @property
    def values(self) -> dict[str, str]:
        return dict(self.params)

    def text(self, templates: dict[str, str] | None = None) -> str:
        """The problem in words, from ``templates`` (default: the English :data:`PROBLEMS`);
        an unknown code, or a template that needs a parameter not stored, falls back to the
        code and parameters as they are."""
        template = (templates or PROBLEMS).get(self.code)
        try:
            if template is not None:
                return template.format(**self.values)
        except (KeyError, IndexError, ValueError):
            pass
        shown = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.code} ({shown})" if shown else self.code

    def to_json(self) -> str:
        """The form stored in ``files.error``."""
        return json.dumps({"code": self.code, "params": self.values}, ensure_ascii=False)


class UnreadableDocument(DocumentError):
    """A document's text cannot be read; ``problem`` says why as a code and parameters
    (the message is its English text)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.problem = FileProblem.of(code, **params)
        super().__init__(self.problem.text())


def problem_of(stored: str) -> FileProblem | None:
    """The problem stored in ``files.error`` (None for ""; text that is not the JSON form
    reads as code ``other``)."""
    if not stored:
        return None
    try:
        data = json.loads(stored)
        return FileProblem.of(str(data["code"]), **dict(data.get("params") or {}))
    except (ValueError, TypeError, KeyError, AttributeError):
        return FileProblem.of("other", text=stored)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    body = "".join(f"(?P<{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
    return re.compile(body + r"\Z", re.DOTALL)


_PATTERNS = {code: _pattern(t) for code, t in PROBLEMS.items() if code != "other"}


def stored_from_text(text: str | None) -> str | None:
    """An English problem text of an older index as the stored JSON form (the migration's
    SQL function ``knowledge_problem``); "" and None stay as they are."""
    if not text:
        return text
    if text.startswith("{") and problem_of(text) != FileProblem.of("other", text=text):
        return text  # already the JSON form
    for code, pattern in _PATTERNS.items():
        match = pattern.match(text)
        if match:
            return FileProblem.of(code, **match.groupdict()).to_json()
    return FileProblem.of("other", text=text).to_json()
