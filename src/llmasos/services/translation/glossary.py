"""Glossaries: the person's own term translations for one language pair.

Only entries whose source term occurs in the text go into the prompt (a long
glossary would crowd out the text and tempt the model to use unrelated terms),
and after translation :func:`glossary_hits` checks each used term's translation
is really there. A model that ignores the request is held to it: the translator
asks again, then :func:`substitute_term` puts the glossary's word in place of the
model's own translation of the term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from llmasos.errors import InvalidInputError


@dataclass(frozen=True)
class GlossaryEntry:
    """One term and how it must be translated."""

    term: str
    translation: str


def _pattern(term: str) -> re.Pattern[str]:
    """Whole-word match for alphabetic scripts with spaces, substring for CJK and others."""
    escaped = re.escape(term.strip())
    if term.strip().isascii() or re.search(r"[A-Za-zÀ-ɏЀ-ӿ]", term):
        return re.compile(rf"(?<!\w){escaped}(?!\w)", re.IGNORECASE)
    return re.compile(escaped, re.IGNORECASE)


def contains_term(text: str, term: str) -> bool:
    """Whether ``term`` occurs in ``text`` (case-insensitive, whole words where words exist)."""
    return bool(term.strip()) and _pattern(term).search(text) is not None


def applicable(entries: Iterable[GlossaryEntry], text: str) -> tuple[GlossaryEntry, ...]:
    """The entries whose term occurs in ``text``, longest term first, one per term."""
    seen: set[str] = set()
    found = []
    for entry in sorted(entries, key=lambda e: -len(e.term)):
        key = entry.term.strip().lower()
        if key and key not in seen and contains_term(text, entry.term):
            seen.add(key)
            found.append(entry)
    return tuple(found)


def glossary_hits(used: Iterable[GlossaryEntry], output: str) -> tuple[GlossaryEntry, ...]:
    """The used entries whose translation appears in ``output``."""
    return tuple(e for e in used if e.translation.strip().lower() in output.lower())


def substitute_term(text: str, word: str, translation: str) -> str | None:
    """``text`` with ``word`` (the model's translation of a term) replaced by ``translation``.

    Whole words only in scripts with spaces; a plural ``s``/``es`` on the word is kept on
    the replacement, and a capital first letter too. None when ``word`` does not occur.
    """
    word = word.strip()
    if not word:
        return None
    spaced = bool(re.search(r"[A-Za-zÀ-ɏЀ-ӿ]", word))
    core = re.escape(word)
    pattern = re.compile(rf"(?<!\w){core}(?P<plural>e?s)?(?!\w)" if spaced else core, re.I)
    if pattern.search(text) is None:
        return None

    def swap(match: re.Match[str]) -> str:
        new = translation + (match.groupdict().get("plural") or "")
        return new[:1].upper() + new[1:] if match.group()[:1].isupper() else new

    return pattern.sub(swap, text)


def parse_glossary(text: str, origin: str = "glossary") -> tuple[GlossaryEntry, ...]:
    """Parse TSV lines ``term<TAB>translation``; blank lines and ``#`` comments are skipped.

    Raises:
        InvalidInputError: a line has no tab or an empty side (the line is named).
    """
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        term, tab, translation = line.partition("\t")
        if not tab or not term.strip() or not translation.strip():
            raise InvalidInputError(
                f"{origin}, line {number}: expected 'term<TAB>translation', got {line!r}. "
                "Separate the two columns with one tab character."
            )
        entries.append(GlossaryEntry(term.strip(), translation.strip()))
    return tuple(entries)


def load_glossary(path: Path) -> tuple[GlossaryEntry, ...]:
    """Read a UTF-8 TSV glossary file (see :func:`parse_glossary`).

    Raises:
        InvalidInputError: the file is missing, unreadable, not UTF-8 or malformed.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"Cannot read the glossary {path}: {exc.strerror}.") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"The glossary {path} is not UTF-8 text (byte {exc.start}). Save it as UTF-8."
        ) from exc
    return parse_glossary(text, str(path))
