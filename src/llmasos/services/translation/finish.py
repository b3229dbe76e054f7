"""One chunk's reply made final: cleaned, protected parts restored, layout repaired, checked.

:func:`finish_chunk` is pure, so tests feed it crafted replies. Besides the notes the
person reads, its :class:`ChunkOutcome` carries ``fixes``: short instructions that a
second attempt can follow ("Translate “cat” as “matou”.", "Keep 2026-12-03 exactly as
written."). The translator asks once more with them when a reply has a problem a model
can fix, and keeps whichever reply has fewer problems (see
:mod:`llmasos.services.translation.service`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from llmasos.services.text.hygiene import clean_output, looks_like_chatter
from llmasos.services.text.language import Language
from llmasos.services.text.notice import Notice
from llmasos.services.translation.checks import keep_emphasis, magnitude_notes, untranslated_words
from llmasos.services.translation.glossary import GlossaryEntry, glossary_hits
from llmasos.services.translation.text import (
    Protected,
    adopt,
    missing_numbers,
    repair_layout,
    restore,
    strip_sentinels,
)

__all__ = ["ChunkOutcome", "Note", "finish_chunk"]

# notes that Repairs (repair.py) also writes or replaces
NUMBERS_MISSING = "Numbers missing from the translation: {items}"
EMPHASIS_PUT_BACK = "Emphasis (**…**) the model dropped was put back."
EMPHASIS_LOST = "Emphasis lost in the translation: {items}"
GLOSSARY_UNUSED = "Glossary terms not used: {items}"

# Phrases of our own prompt: an output that has them repeated the instructions.
_PROMPT_ECHOES = (
    "text to translate is between",
    "material to translate",
    "translation only",
    "<previous>",
    "continue it consistently",
    "translate these terms",
)


@dataclass(frozen=True)
class Note:
    """Something the person should know: ``kind`` is "repaired" or "problem"."""

    kind: str
    message: str


@dataclass(frozen=True)
class ChunkOutcome:
    """One chunk after cleaning, restoring and checking (see :func:`finish_chunk`)."""

    text: str
    protected_text: str  # the cleaned output with sentinels, as context for the next chunk
    notes: tuple[Note, ...]
    kept: int  # protected items that came through
    total: int  # protected items the chunk had
    chatter: bool
    fixes: tuple[str, ...] = ()  # what a second attempt should do differently (to the model)

    @property
    def problem_count(self) -> int:
        return sum(n.kind == "problem" for n in self.notes)

    @property
    def flaws(self) -> int:
        """Problems plus fixes wanted (a dropped item put back by guess is still a flaw)."""
        return self.problem_count + len(self.fixes)


def finish_chunk(
    raw: str, protected: Protected, target: Language, glossary: Sequence[GlossaryEntry] = ()
) -> ChunkOutcome:
    """Clean a chunk's raw model output, restore protected parts, repair and check it.

    Pure: the tests feed it crafted outputs that break Markdown and placeholders.
    """
    chatter = looks_like_chatter(raw) or any(e in raw.lower() for e in _PROMPT_ECHOES)
    cleaned = adopt(clean_output(raw, protected.shown) or raw.strip(), protected)  # never empty
    dropped = restore(cleaned, protected).missing  # before the layout repair puts them back
    layout = repair_layout(protected.text, cleaned)
    restored = restore(layout.text, protected)
    notes = [Note("repaired", m) for m in layout.repaired]
    notes += [Note("problem", m) for m in layout.problems]
    fixes = []
    if dropped:
        fixes.append(f"Keep {_listed(protected.items[i] for i in dropped)} exactly as written.")
    if restored.missing:
        lost = ", ".join(protected.items[i] for i in restored.missing)
        notes.append(Note("problem", Notice("Missing from the translation: {items}", items=lost)))
    if restored.duplicated:
        twice = ", ".join(protected.items[i] for i in restored.duplicated)
        notes.append(Note("problem", Notice("Repeated in the translation: {items}", items=twice)))
    source_words, output_words = strip_sentinels(protected.text), strip_sentinels(layout.text)
    numbers = missing_numbers(source_words, output_words)
    if numbers:
        missing = ", ".join(numbers)
        notes.append(Note("problem", Notice(NUMBERS_MISSING, items=missing)))
        fixes.append(f"Keep the numbers {_listed(numbers)}.")
    for message, fix in magnitude_notes(source_words, output_words):
        notes.append(Note("problem", message))
        fixes.append(fix)
    text, emphasis_lost = keep_emphasis(protected.shown, restored.text)
    if text != restored.text:
        notes.append(Note("repaired", Notice(EMPHASIS_PUT_BACK)))
    if emphasis_lost:
        lost_marks = ", ".join(emphasis_lost)
        notes.append(Note("problem", Notice(EMPHASIS_LOST, items=lost_marks)))
        fixes.append(
            f"Keep the Markdown emphasis: put the translation of {_listed(emphasis_lost)} "
            "between the same marks."
        )
    allowed = tuple(x for e in glossary for x in (e.term, e.translation))
    left = untranslated_words(source_words, output_words, target, allowed)
    if left:
        notes.append(Note("problem", Notice("Left untranslated: {items}", items=", ".join(left))))
        fixes.append(f"Write it all in {target.name}: translate {_listed(left)} too.")
    missed = [e for e in glossary if e not in glossary_hits(glossary, text)]
    if missed:
        terms = ", ".join(f"{e.term} → {e.translation}" for e in missed)
        notes.append(Note("problem", Notice(GLOSSARY_UNUSED, items=terms)))
        fixes += [f"Translate “{e.term}” as “{e.translation}”." for e in missed]
    if chatter:
        notes.append(Note("problem", Notice("The model talked instead of translating.")))
        fixes.append(f"Reply with the {target.name} translation only.")
    kept = len(protected.items) - len(restored.missing)
    return ChunkOutcome(
        text, layout.text, tuple(notes), kept, len(protected.items), chatter, tuple(fixes)
    )


def _listed(items: Iterable[str]) -> str:
    """“a”, “b” and “c” — for a model instruction."""
    quoted = [f"“{x}”" for x in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
