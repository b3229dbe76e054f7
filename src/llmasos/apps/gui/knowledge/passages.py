"""The ranked passages of a search: :class:`PassageList`, and :func:`highlight`.

Each row shows where the passage is (file, page or headings, collection), its score and
its text with the query's terms marked; Enter or a double click opens the file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QDesktopServices, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from llmasos.services.knowledge.query import parse_query
from llmasos.services.knowledge.search import Passage

SNIPPET_CHARS = 360
HTML_ROLE = Qt.ItemDataRole.UserRole + 1
PASSAGE_ROLE = Qt.ItemDataRole.UserRole + 2
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
MARK = '<span style="background-color:#ffe082; color:#000000;">{}</span>'


def _patterns(query: str) -> list[str]:
    """What to mark for each term: Chinese runs by two characters (as the index splits
    them), other words as the start of a word (``index`` marks ``indexing``)."""
    found: list[str] = []
    for term in parse_query(query).terms:
        if _CJK.fullmatch(term):
            grams = [term] if len(term) <= 2 else [term[i : i + 2] for i in range(len(term) - 1)]
            found.extend(re.escape(g) for g in grams)
        elif len(term) >= 2:
            found.append(r"\b" + re.escape(term[:-1] if len(term) > 4 else term) + r"\w*")
    return found


def highlight(text: str, query: str) -> str:
    """``text`` as HTML with the query's terms marked (the rest escaped)."""
    patterns = _patterns(query)
    if not patterns:
        return html.escape(text)
    rx = re.compile("|".join(sorted(patterns, key=len, reverse=True)), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for m in rx.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(MARK.format(html.escape(m.group(0))))
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(text: str, query: str, limit: int = SNIPPET_CHARS) -> str:
    """About ``limit`` characters of ``text`` around its first marked term, spaces folded."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    patterns = _patterns(query)
    first = re.search("|".join(patterns), flat, re.IGNORECASE) if patterns else None
    start = max(0, (first.start() if first else 0) - limit // 4)
    cut = flat[start : start + limit]
    return ("…" if start else "") + cut + ("…" if start + limit < len(flat) else "")


def where(passage: Passage) -> str:
    """Page or headings of ``passage`` ("" when it has neither)."""
    if passage.page:
        return QApplication.translate("PassageList", "page {n}").format(n=passage.page)
    return " › ".join(passage.heading)


class _RichDelegate(QStyledItemDelegate):
    """Paints an item's HTML (``HTML_ROLE``), wrapped to the view's width."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)  # type: ignore[attr-defined]
        doc.setHtml(str(index.data(HTML_ROLE) or ""))
        doc.setTextWidth(max(option.rect.width(), 100))  # type: ignore[attr-defined]
        return doc

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        self.initStyleOption(option, index)  # type: ignore[arg-type]
        doc = self._document(option, index)  # type: ignore[arg-type]
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        text = option.text  # type: ignore[attr-defined]
        option.text = ""  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        option.text = text  # type: ignore[attr-defined]
        painter.save()
        rect = option.rect  # type: ignore[attr-defined]
        painter.translate(rect.topLeft())
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:  # type: ignore[attr-defined]
            palette = option.palette  # type: ignore[attr-defined]
            context.palette.setColor(
                palette.ColorRole.Text, palette.color(palette.ColorRole.HighlightedText)
            )
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        self.initStyleOption(option, index)  # type: ignore[arg-type]
        view = option.widget  # type: ignore[attr-defined]
        if isinstance(view, QAbstractItemView):
            option.rect.setWidth(view.viewport().width())  # type: ignore[attr-defined]
        doc = self._document(option, index)  # type: ignore[arg-type]
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 6)


class PassageList(QListWidget):
    """Ranked passages; ``opened(path)`` after Enter or a double click opened a file."""

    opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(_RichDelegate(self))
        self.setWordWrap(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(False)
        self.setAccessibleName(self.tr("Passages found"))
        self.itemActivated.connect(self._open)  # Enter, or a double click
        self.passages: list[Passage] = []

    def show_passages(self, passages: Sequence[Passage], query: str) -> None:
        """Show ``passages`` (best first) with ``query``'s terms marked."""
        self.clear()
        self.passages = list(passages)
        for p in passages:
            place = where(p)
            name = Path(p.file).name
            head = self.tr("[{rank}] {file}").format(rank=p.rank, file=name)
            if place:
                head += f" — {place}"
            score = self.tr("score {score:.3f} · {collection}").format(
                score=p.fused, collection=p.collection
            )
            text = snippet(p.text, query)
            item = QListWidgetItem(f"{head}\n{text}")
            item.setData(
                HTML_ROLE,
                f"<b>{html.escape(head)}</b> <small>{html.escape(score)}</small><br>"
                f"{highlight(text, query)}",
            )
            item.setData(PASSAGE_ROLE, p.file)
            item.setToolTip(
                self.tr("{path}\nEnter or double-click opens the file.").format(path=p.file)
            )
            self.addItem(item)
        if passages:
            self.setCurrentRow(0)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.doItemsLayout()  # the rows' heights follow the new width

    def _open(self, item: QListWidgetItem) -> None:
        path = str(item.data(PASSAGE_ROLE) or "")
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))
            self.opened.emit(path)


__all__ = ["PassageList", "highlight", "snippet", "where"]
