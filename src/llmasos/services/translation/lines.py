"""Keeping a text's lines through translation, where its lines are its structure.

Text read from an image comes in lines, and so do a list, an address or a poem. The
translator's prompt asks the model to keep every line break, and most replies do; a
small model, though, joins lines that read as one sentence (measured on Qwen2.5-0.5B:
"Roses are red,\\nviolets are blue,\\n…" and a paragraph wrapped over three lines each
came back as one line). With :attr:`TranslationRequest.keep_lines
<llmasos.services.translation.service.TranslationRequest.keep_lines>` such a chunk is
translated again one line at a time and the lines are put back in the source's order
(:func:`join_lines`), so the translation has exactly the source's lines.

Each line goes alone, without the lines before it as context: measured on the same
model, a ``<previous>`` block in a one-line request was copied into the reply more often
than not.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmasos.services.text.notice import Notice
from llmasos.services.translation.finish import ChunkOutcome, Note

__all__ = ["LINES_KEPT", "content_lines", "join_lines", "lines_differ"]

LINES_KEPT = "The model joined lines; each line was translated on its own to keep them."


def content_lines(text: str) -> list[str]:
    """The lines of ``text`` that are not blank."""
    return [line for line in text.split("\n") if line.strip()]


def lines_differ(source: str, output: str) -> bool:
    """Whether ``output`` lost (or gained) lines of a ``source`` that has several."""
    lines = len(content_lines(source))
    return lines > 1 and lines != len(content_lines(output))


def _first_line(text: str) -> str:
    """One line's translation as one line: the reply's first line. What a small model
    writes after it, for a single line, is a heading, a rule or a repeat."""
    lines = content_lines(text)
    return lines[0].strip() if lines else ""


def join_lines(source: str, lines: Sequence[ChunkOutcome | None]) -> ChunkOutcome:
    """One outcome for ``source`` from its lines translated one by one.

    ``lines`` has one entry per line of ``source`` (``source.split("\\n")``): the line's
    outcome, or None for a line kept as it is (blank, or without words). Each line keeps
    its source's indentation; the notes are the lines' notes, once each, after a note
    that the lines were translated one by one.
    """
    parts = source.split("\n")
    if len(parts) != len(lines):
        raise ValueError(f"{len(lines)} outcomes for {len(parts)} lines")
    texts, protected = [], []
    notes = [Note("repaired", Notice(LINES_KEPT))]
    for line, outcome in zip(parts, lines, strict=True):
        if outcome is None:
            texts.append(line.rstrip())
            protected.append(line.rstrip())
            continue
        indent = line[: len(line) - len(line.lstrip())]
        texts.append(indent + _first_line(outcome.text))
        protected.append(indent + _first_line(outcome.protected_text))
        notes += [n for n in outcome.notes if n not in notes]
    done = [o for o in lines if o is not None]
    return ChunkOutcome(
        text="\n".join(texts),
        protected_text="\n".join(protected),
        notes=tuple(notes),
        kept=sum(o.kept for o in done),
        total=sum(o.total for o in done),
        chatter=any(o.chatter for o in done),
    )
