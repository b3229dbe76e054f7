"""The readable text of an HTML page, headings marked, scripts and styles left out.

Built on the standard library's :class:`html.parser.HTMLParser`, which tolerates the
broken markup real pages have and needs no extra dependency.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from llmasos.services.knowledge.outline import Outline

__all__ = ["html_sections"]

_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "title", "iframe"})
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_LINE = frozenset({"br", "li", "tr", "dt", "dd", "option"})
_BLOCK = frozenset(
    {
        *("p", "div", "section", "article", "main", "header", "footer", "nav", "aside"),
        *("ul", "ol", "dl", "table", "blockquote", "pre", "figure", "figcaption", "hr"),
        *("form", "fieldset", "address", "details", "summary", "body"),
    }
)
_SPACES = re.compile(r"\s+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = Outline()
        self.parts: list[str] = []
        self.length = 0
        self._inline: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._heading: tuple[int, int] | None = None  # (level, start offset)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _HEADINGS:
            self._flush()
            self._heading = (_HEADINGS[tag], self.length)
        elif tag in _LINE or tag in _BLOCK:
            self._flush("\n" if tag in _LINE else "\n\n")
            self._pre_depth += tag == "pre"
        elif tag in ("td", "th"):
            self._inline.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _HEADINGS and self._heading:
            level, start = self._heading
            self._heading = None
            title = self._flush()
            if title:
                self.outline.heading(start, level, title)
        elif tag in _LINE or tag in _BLOCK:
            self._flush("\n" if tag in _LINE else "\n\n")
            self._pre_depth = max(0, self._pre_depth - (tag == "pre"))

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._inline.append(data)

    def _flush(self, separator: str = "\n\n") -> str:
        raw = "".join(self._inline)
        self._inline.clear()
        text = raw.strip("\n") if self._pre_depth else _SPACES.sub(" ", raw).strip()
        if text:
            self.parts.append(text + separator)
            self.length += len(self.parts[-1])
        return text


def html_sections(html: str) -> tuple[str, Outline]:
    """The text of ``html`` (blocks separated by blank lines) and its heading outline."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser._flush()
    return "".join(parser.parts), parser.outline
