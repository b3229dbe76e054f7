"""Where each part of an extracted text belongs: heading paths and pages as offsets.

Extractors call :meth:`Outline.heading` or :meth:`Outline.page` at the offset where a
heading or page begins, then :meth:`Outline.sections` turns those marks into contiguous
:class:`Section` s that cover the whole text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Outline", "Section"]


@dataclass(frozen=True)
class Section:
    """A stretch ``[start, end)`` of a document's text under one heading path or page."""

    start: int
    end: int
    heading: tuple[str, ...] = ()
    page: int | None = None  # 1-based, PDFs only


class Outline:
    """Heading and page marks collected while a document's text is built."""

    def __init__(self) -> None:
        self._marks: list[tuple[int, tuple[str, ...], int | None]] = [(0, (), None)]
        self._stack: list[tuple[int, str]] = []
        self._page: int | None = None

    def heading(self, offset: int, level: int, title: str) -> None:
        """A heading of ``level`` (1 = top) titled ``title`` begins at ``offset``."""
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, " ".join(title.split())))
        self._mark(offset)

    def page(self, offset: int, number: int) -> None:
        """Page ``number`` (1-based) begins at ``offset``."""
        self._page = number
        self._mark(offset)

    def _mark(self, offset: int) -> None:
        mark = (offset, tuple(title for _, title in self._stack), self._page)
        if self._marks[-1][0] >= offset:  # nothing since the last mark: this one replaces it
            self._marks[-1] = mark
        else:
            self._marks.append(mark)

    def sections(self, length: int) -> tuple[Section, ...]:
        """The sections of a text of ``length`` characters, empty ones left out."""
        ends = [offset for offset, _, _ in self._marks[1:]] + [length]
        return tuple(
            Section(start, end, heading, page)
            for (start, heading, page), end in zip(self._marks, ends, strict=True)
            if end > start
        )
