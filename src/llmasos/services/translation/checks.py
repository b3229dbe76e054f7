"""Checks on a translation that catch what a reader sees, and the emphasis repair.

* :func:`untranslated_words` — words of the source's script left in a translation
  written in another script ("The长城 is …"): the model copied instead of translating.
* :func:`magnitude_notes` — amounts whose size changed (两万 → "two million").
* :func:`keep_emphasis` — Markdown emphasis (``**Save**``, ``*now*``) the model dropped
  is put back where the emphasised words came through unchanged; otherwise it is
  reported, so the translator can ask again.

All are pure functions of texts; the translator turns their findings into notes and,
for the ones a second attempt can fix, into a targeted retry.
"""

from __future__ import annotations

import re
from collections import Counter

from llmasos.services.text.language import Language, script_of
from llmasos.services.text.notice import Notice
from llmasos.services.text.numbers import magnitude_changes

__all__ = [
    "emphasis_spans",
    "keep_emphasis",
    "magnitude_notes",
    "untranslated_words",
    "wrap_once",
]

# The scripts each target language is written in (Latin for the ones not listed).
_TARGET_SCRIPTS: dict[str, frozenset[str]] = {
    "zh": frozenset({"han"}),
    "ja": frozenset({"han", "kana"}),
    "ko": frozenset({"hangul", "han"}),
    "ru": frozenset({"cyrillic"}),
    "uk": frozenset({"cyrillic"}),
    "ar": frozenset({"arabic"}),
    "fa": frozenset({"arabic"}),
    "hi": frozenset({"devanagari"}),
    "th": frozenset({"thai"}),
    "he": frozenset({"hebrew"}),
    "el": frozenset({"greek"}),
}
_LATIN = frozenset({"latin"})
_RUN = re.compile(r"\w+")
# Emphasis may touch Chinese or Japanese characters ("点击**保存**以"); only Latin letters and
# digits next to a mark make it part of a word (snake_case, 2*3*4).
_EMPHASIS = re.compile(r"(?<![*_A-Za-z0-9])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?![*_A-Za-z0-9])")


def target_scripts(target: Language) -> frozenset[str]:
    """The scripts ``target`` is written in."""
    return _TARGET_SCRIPTS.get(target.code.split("-")[0].lower(), _LATIN)


def _main_script(text: str) -> str:
    counts = Counter(s for s in map(script_of, text) if s)
    return counts.most_common(1)[0][0] if counts else ""


def untranslated_words(
    source: str, output: str, target: Language, allowed: tuple[str, ...] = ()
) -> list[str]:
    """Runs of the source's script in ``output`` when the target is written in another.

    ``source`` and ``output`` should have protected parts (code, links, names in
    ``allowed`` such as glossary translations) taken out. Into a non-Latin target, Latin
    words count only when they are lowercase words of the source (names, acronyms and
    product names are often kept on purpose); from any other script, every run counts.
    """
    script = _main_script(source)
    if not script or script in target_scripts(target):
        return []
    text = output
    for item in allowed:
        text = text.replace(item, " ")
    found: list[str] = []
    source_words = {w.lower() for w in _RUN.findall(source)}
    for run in _script_runs(text, script):
        if script == "latin" and not (
            run.islower() and len(run) >= 3 and run.lower() in source_words
        ):
            continue
        if run not in found:
            found.append(run)
    return found


def _script_runs(text: str, script: str) -> list[str]:
    """Maximal runs of ``text`` written in ``script`` (Latin runs are whole words)."""
    runs, current = [], ""
    for ch in text:
        if script_of(ch) == script or (current and ch in "'’-" and script == "latin"):
            current += ch
        else:
            if current.strip("'’-"):
                runs.append(current.strip("'’-"))
            current = ""
    if current.strip("'’-"):
        runs.append(current.strip("'’-"))
    return runs


def magnitude_notes(source: str, output: str) -> list[tuple[Notice, str]]:
    """For each amount whose size changed: a note for the person and a fix for the model."""
    found = []
    for c in magnitude_changes(source, output):
        was, now = f"{c.source.value:,.0f}", f"{c.output.value:,.0f}"
        note = Notice(
            "A number changed in size: {source} ({was}) became {output} ({now}).",
            source=c.source.text,
            was=was,
            output=c.output.text,
            now=now,
        )
        found.append((note, f"“{c.source.text}” is {was}: write {was}, not “{c.output.text}”."))
    return found


def emphasis_spans(text: str) -> list[tuple[str, str]]:
    """The Markdown emphasis spans of ``text`` as (marker, inner text)."""
    return [(m.group(1), m.group(2)) for m in _EMPHASIS.finditer(text)]


def keep_emphasis(source: str, output: str) -> tuple[str, list[str]]:
    """``output`` with source emphasis the model dropped put back where it can be placed.

    Spans are counted per mark (``**``, ``*``, ``__``, ``_``): the words inside are
    translated, so "**Save**" → "**保存**" is kept. When the output has fewer spans of a
    mark, a source span whose words occur in ``output`` exactly once, bare (a name or UI
    label kept as it was), is wrapped again. Returns the text and the spans (as written
    in the source) that are still missing.
    """
    wanted = emphasis_spans(source)
    lost: list[str] = []
    for mark in dict.fromkeys(m for m, _ in wanted):
        have = [inner for m, inner in emphasis_spans(output) if m == mark]
        missing = sum(m == mark for m, _ in wanted) - len(have)
        candidates = [inner for m, inner in wanted if m == mark and inner not in have]
        for inner in candidates[: max(0, missing)]:
            wrapped = wrap_once(output, inner, mark)
            if wrapped is None:
                lost.append(f"{mark}{inner}{mark}")
            else:
                output = wrapped
    return output, lost


def wrap_once(text: str, words: str, mark: str) -> str | None:
    """``text`` with ``words`` wrapped in ``mark`` when they occur exactly once, bare."""
    at = _bare_occurrences(text, words)
    if len(at) != 1:
        return None
    return f"{text[: at[0]]}{mark}{words}{mark}{text[at[0] + len(words) :]}"


def _bare_occurrences(text: str, inner: str) -> list[int]:
    """Where ``inner`` occurs in ``text`` as whole words and not inside emphasis marks."""
    found = []
    for m in re.finditer(re.escape(inner), text):
        before, after = text[: m.start()][-1:], text[m.end() :][:1]
        if (before.isalnum() and inner[:1].isalnum() and before.isascii()) or (
            after.isalnum() and inner[-1:].isalnum() and after.isascii()
        ):
            continue
        if (before and before in "*_") or (after and after in "*_"):
            continue
        found.append(m.start())
    return found
