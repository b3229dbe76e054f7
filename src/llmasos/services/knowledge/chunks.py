"""Cut an extracted document into passages on its structure.

Each :class:`~llmasos.services.knowledge.outline.Section` (a heading's text, a PDF page)
is cut on its own with the shared chunker (:func:`~llmasos.services.text.chunking.split_spans`:
paragraphs, then sentences — Chinese punctuation included — then hard cuts), so a chunk
never spans two headings or two pages and knows exactly where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmasos.services.knowledge.extract import Document
from llmasos.services.knowledge.outline import Section
from llmasos.services.text.chunking import approx_tokens, split_spans

__all__ = ["CHUNK_TOKENS", "Chunk", "chunk_document", "embedding_text"]

#: Budget of one chunk in :func:`approx_tokens`: about 800 characters of English or 200
#: of Chinese — a passage short enough to quote, long enough to answer from, and well
#: inside the 512-token window of the small embedding models.
CHUNK_TOKENS = 200


@dataclass(frozen=True)
class Chunk:
    """One passage: ``text == document.text[start:end]`` (whitespace at the ends left out)."""

    seq: int
    start: int
    end: int
    text: str
    heading: tuple[str, ...] = ()
    page: int | None = None


def chunk_document(document: Document, budget: int = CHUNK_TOKENS) -> list[Chunk]:
    """The passages of ``document``, in order; blank stretches give none.

    A section that holds nothing but its heading line ("# Guide" straight before "## Install")
    is joined to the next one instead of making a passage of a few words, which would
    rank high for those words and answer nothing."""
    out: list[Chunk] = []
    text = document.text
    carried: int | None = None  # start of heading-only sections waiting for the next one
    sections = document.sections
    for number, section in enumerate(sections):
        start = section.start if carried is None else carried
        body = text[start : section.end]
        if _heading_only(body, section) and number + 1 < len(sections):
            carried = start
            continue
        carried = None
        for begin, end in split_spans(body, budget, approx_tokens):
            piece = body[begin:end]
            core = piece.strip()
            if not core:
                continue
            at = start + begin + len(piece) - len(piece.lstrip())
            out.append(Chunk(len(out), at, at + len(core), core, section.heading, section.page))
    return out


def _heading_only(body: str, section: Section) -> bool:
    return bool(section.heading) and section.page is None and "\n" not in body.strip()


def embedding_text(heading: tuple[str, ...], text: str) -> str:
    """What the embedder reads for a chunk: its heading path, then its text (a passage
    under "Installation > Windows" is about installing on Windows even if it never says so)."""
    if not heading:
        return text
    return " > ".join(heading) + "\n" + text
