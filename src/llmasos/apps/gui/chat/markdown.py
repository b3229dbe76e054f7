"""Markdown for chat messages: safe rendering, code highlighting, copy links.

Messages are rendered by Qt's own Markdown reader (GitHub dialect, raw HTML off)
in a :class:`MarkdownBrowser` that never loads a resource (no remote images, no
local files) and never follows a link by itself: a click on a web link opens the
browser, a click on a code block's "Copy code" link copies the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

COPY_SCHEME = "llmasos-copy"
WEB_SCHEMES = ("http", "https", "mailto")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})(.*)$")
_FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
    | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)


@dataclass(frozen=True)
class PreparedMarkdown:
    """Markdown ready for Qt, and the code blocks its copy links refer to."""

    text: str
    code_blocks: tuple[str, ...]


def prepare_markdown(text: str) -> PreparedMarkdown:
    """Put a "Copy code" link above each fenced code block (an unclosed one too)."""
    out: list[str] = []
    blocks: list[str] = []
    fence: str | None = None
    code: list[str] = []
    label = QCoreApplication.translate("MarkdownBrowser", "Copy code")
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            out += [f"[{label}]({COPY_SCHEME}:{len(blocks)})", ""]
            code = []
            blocks.append("")
        elif (
            fence is not None
            and match
            and match.group(1).startswith(fence[0])
            and len(match.group(1)) >= len(fence)
            and not match.group(2).strip()
        ):
            fence = None
        elif fence is not None:
            code.append(line)
            blocks[-1] = "\n".join(code)
        out.append(line)
    return PreparedMarkdown("\n".join(out), tuple(blocks))


_KEYWORD_TEXT = (
    "and as assert async await break case catch class const continue def default del do "
    "elif else enum except export extends false False final finally fn for from func "
    "function if impl import in interface is lambda let match mut new nil None not null or "
    "package pass private protected pub public raise return self static struct super switch "
    "this throw true True try type typeof use var void while with yield "
)
_KEYWORDS = _KEYWORD_TEXT.split()


class CodeHighlighter(QSyntaxHighlighter):
    """Colours keywords, strings, comments and numbers inside code blocks only."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._rules: list[tuple[re.Pattern[str], QTextCharFormat]] = [
            (re.compile(r"\b(" + "|".join(_KEYWORDS) + r")\b"), _fmt("#8959a8", bold=True)),
            (re.compile(r"\b\d+(\.\d+)?\b"), _fmt("#f5871f")),
            (re.compile(r"\"[^\"\n]*\"|'[^'\n]*'"), _fmt("#718c00")),
            (re.compile(r"(#|//|--).*$"), _fmt("#8e908c", italic=True)),
        ]

    def highlightBlock(self, text: str) -> None:  # GUI thread
        if not self.currentBlock().blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence):
            return
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)


def _fmt(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class MarkdownBrowser(QTextBrowser):
    """A read-only Markdown view as tall as its text (the message list scrolls)."""

    link_opened = Signal(QUrl)  # a web link was clicked and handed to the browser

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(self.verticalScrollBarPolicy().ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(self.horizontalScrollBarPolicy().ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.highlighter = CodeHighlighter(self.document())
        self.code_blocks: tuple[str, ...] = ()
        self.anchorClicked.connect(self._on_link)
        self._width = -1

    def set_markdown(self, text: str) -> None:
        """Show ``text`` (Markdown) and fit the height to it."""
        prepared = prepare_markdown(text)
        self.code_blocks = prepared.code_blocks
        self.document().setMarkdown(prepared.text, _FEATURES)
        self._fit()

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        """Never load images or other resources: messages come from a model."""
        return None

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.viewport().width() != self._width:
            self._fit()

    def _fit(self) -> None:
        self._width = self.viewport().width()
        self.document().setTextWidth(self._width)
        height = int(self.document().size().height()) + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)

    def _on_link(self, url: QUrl) -> None:  # GUI thread
        if url.scheme() == COPY_SCHEME:
            index = int(url.path() or -1)
            if 0 <= index < len(self.code_blocks):
                QGuiApplication.clipboard().setText(self.code_blocks[index])
        elif url.scheme() in WEB_SCHEMES:
            QDesktopServices.openUrl(url)
            self.link_opened.emit(url)
