"""Find clipped or overflowing text in a widget tree: each text's width against its space.

:func:`clipped_texts` walks the visible widgets under a window and measures every text
a person reads (labels, buttons, check boxes, radio buttons, group-box titles, tabs,
combo-box items, header sections) with :class:`QFontMetrics` in the widget's own font,
against the room the widget's style gives that text. Word-wrapped labels are laid out
at their width and must fit their height; labels that elide on purpose (a
``shown_text()`` method) pass when the cut text fits and the whole text is in their
tooltip. A scroll area that needs a horizontal scroll bar overflows too.

Each problem is one line: ``<class> '<text>': needs <n> px, has <m> px (<where>)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionGroupBox,
    QTabBar,
    QTextEdit,
    QToolButton,
    QWidget,
)

SLACK = 1  # px: rounding between QFontMetrics and the painter


def _plain(text: str) -> str:
    """The text as painted: mnemonic ampersands gone ("&&" stays one "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _where(widget: QWidget) -> str:
    """A short path to ``widget`` for the report: object or class names up the tree."""
    parts = []
    node: QWidget | None = widget
    while node is not None and len(parts) < 4:
        parts.append(node.objectName() or type(node).__name__)
        node = node.parentWidget()
    return " < ".join(parts)


def _tooltip(widget: QWidget) -> str:
    """The tooltip shown over ``widget``: its own, else the nearest parent's."""
    node: QWidget | None = widget
    while node is not None:
        if node.toolTip().strip():
            return node.toolTip()
        node = None if node.isWindow() else node.parentWidget()
    return ""


def _widths(fm: QFontMetrics, text: str) -> int:
    return max((fm.horizontalAdvance(line) for line in text.split("\n")), default=0)


def _is_rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.RichText:
        return True
    # Qt.mightBeRichText is not in PySide6: a tag before the first line break will do
    first_line = label.text().split("\n", 1)[0]
    return fmt == Qt.TextFormat.AutoText and re.search(r"<[a-zA-Z!/][^>]*>", first_line) is not None


def _label_problem(label: QLabel) -> str | None:
    text = label.text()
    if label.buddy() is not None:  # "&Name:" shows "Name:" with N underlined
        text = _plain(text)
    if not text.strip() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    room = label.contentsRect()
    inset = 2 * max(label.margin(), 0) + max(label.indent(), 0)
    width, height = room.width() - inset, room.height() - 2 * max(label.margin(), 0)
    fm = label.fontMetrics()
    shown = getattr(label, "shown_text", None)
    if callable(shown):  # elides on purpose
        cut = str(shown())
        if cut != " ".join(text.split()) and not _tooltip(label):
            return f"{type(label).__name__} {text[:50]!r}: cut to {cut!r} with no tooltip"
        need_w, need_h = fm.horizontalAdvance(cut), fm.height()
    elif _is_rich(label):
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        if label.wordWrap():
            doc.setTextWidth(width)
        need_w, need_h = int(doc.idealWidth()), int(doc.size().height())
    else:
        flags = int(label.alignment().value)
        if label.wordWrap():
            flags |= Qt.TextFlag.TextWordWrap.value
            box = fm.boundingRect(QRect(0, 0, max(width, 1), 1_000_000), flags, text)
        else:
            box = fm.boundingRect(QRect(0, 0, 1_000_000, 1_000_000), flags, text)
        need_w, need_h = box.width(), box.height()
    if need_w > width + SLACK:
        return f"QLabel {text[:60]!r}: needs {need_w} px wide, has {width} px ({_where(label)})"
    if need_h > height + SLACK:
        return f"QLabel {text[:60]!r}: needs {need_h} px high, has {height} px ({_where(label)})"
    return None


def _button_room(button: QAbstractButton) -> int:
    """The width the style leaves for the label (icon and text) of ``button``."""
    style = button.style()
    if isinstance(button, (QCheckBox, QRadioButton)):
        option = QStyleOptionButton()
        button.initStyleOption(option)  # type: ignore[attr-defined]
        element = (
            QStyle.SubElement.SE_CheckBoxContents
            if isinstance(button, QCheckBox)
            else QStyle.SubElement.SE_RadioButtonContents
        )
        return style.subElementRect(element, option, button).width()
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        room = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
        width = room.width()
        if button.menu() is not None:
            width -= style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, button)
        # QPushButton keeps a little air around its label (QCommonStyle: 2 * 4 px)
        return width - 8
    if isinstance(button, QToolButton):
        width = button.contentsRect().width() - 6
        if button.menu() is not None or button.popupMode().value:
            width -= button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator)
        return width
    return button.contentsRect().width()


def _button_problem(button: QAbstractButton) -> str | None:
    text = _plain(button.text())
    if not text.strip():
        return None
    if isinstance(button, QToolButton) and (
        button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        and not button.icon().isNull()
    ):
        return None
    need = _widths(button.fontMetrics(), text)
    if not button.icon().isNull() and not (
        isinstance(button, QToolButton)
        and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextOnly
    ):
        need += button.iconSize().width() + 4
    room = _button_room(button)
    if need > room + SLACK:
        kind = type(button).__name__
        return f"{kind} {text[:60]!r}: needs {need} px, has {room} px ({_where(button)})"
    return None


def _group_problem(box: QGroupBox) -> str | None:
    title = _plain(box.title())
    if not title.strip():
        return None
    option = QStyleOptionGroupBox()
    box.initStyleOption(option)
    room = box.width() - 16  # the frame's corners and the title's indent
    need = box.fontMetrics().horizontalAdvance(title)
    if box.isCheckable():
        need += box.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + 6
    if need > room + SLACK:
        return f"QGroupBox {title[:60]!r}: needs {need} px, has {room} px ({_where(box)})"
    return None


def _tab_problems(bar: QTabBar) -> Iterator[str]:
    fm = bar.fontMetrics()
    pad = bar.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar)
    for i in range(bar.count()):
        text = _plain(bar.tabText(i))
        rect = bar.tabRect(i)
        need = fm.horizontalAdvance(text) + pad // 2
        if not bar.tabIcon(i).isNull():
            need += bar.iconSize().width() + 4
        if rect.right() > bar.width() + SLACK:
            yield f"QTabBar tab {text!r}: ends at {rect.right()} px, bar is {bar.width()} px"
        elif need > rect.width() + SLACK:
            yield f"QTabBar tab {text!r}: needs {need} px, has {rect.width()} px ({_where(bar)})"


def _combo_problems(combo: QComboBox) -> Iterator[str]:
    if combo.isEditable():
        # the line edit scrolls; a long choice must show its start, whole in the tooltip
        edit = combo.lineEdit()
        if edit is None:
            return
        text = combo.currentText()
        fits = edit.fontMetrics().horizontalAdvance(text) <= edit.contentsRect().width() - 4
        if not fits and not edit.hasFocus() and (edit.cursorPosition() != 0 or not _tooltip(edit)):
            yield f"QComboBox (editable) {text[:60]!r}: shows its end, not its start"
        return
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    room = field.width() - 4
    fm = combo.fontMetrics()
    for i in range(combo.count()):
        text = combo.itemText(i)
        need = fm.horizontalAdvance(text)
        if not combo.itemIcon(i).isNull():
            need += combo.iconSize().width() + 4
        if need > room + SLACK:
            yield (
                f"QComboBox item {text[:60]!r}: needs {need} px, has {room} px ({_where(combo)})"
            )


def _header_problems(header: QHeaderView) -> Iterator[str]:
    model = header.model()
    if model is None or header.isHidden():
        return
    fm = header.fontMetrics()
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for i in range(header.count()):
        if header.isSectionHidden(i):
            continue
        text = str(model.headerData(i, header.orientation()) or "")
        if not text.strip():
            continue
        need = _widths(fm, text) + 2 * margin
        if header.orientation() == Qt.Orientation.Horizontal:
            room = header.sectionSize(i)
            if need > room + SLACK:
                yield f"header {text!r}: needs {need} px, has {room} px ({_where(header)})"


def _list_problems(view: QListWidget) -> Iterator[str]:
    """List items the view would cut with "…" (Qt's default) and give no tooltip."""
    room = view.viewport().width()
    fm = view.fontMetrics()
    for i in range(view.count()):
        item = view.item(i)
        if item.isHidden():
            continue
        rect = view.visualItemRect(item)
        need = fm.horizontalAdvance(item.text()) + 8
        if not item.icon().isNull():
            need += view.iconSize().width() + 4
        if need > min(rect.width(), room) + SLACK and not item.toolTip():
            yield f"list item {item.text()[:60]!r}: needs {need} px, has {rect.width()} px"


def _is_shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0


def clipped_texts(window: QWidget) -> list[str]:
    """Every clipped or overflowing text under ``window`` (shown and laid out)."""
    problems: list[str] = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not _is_shown(widget, window):
            continue
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
            if problem:
                problems.append(problem)
        elif isinstance(widget, QAbstractButton) and not isinstance(widget.parent(), QTabBar):
            problem = _button_problem(widget)
            if problem:
                problems.append(problem)
        elif isinstance(widget, QGroupBox):
            problem = _group_problem(widget)
            if problem:
                problems.append(problem)
            continue
        elif isinstance(widget, QTabBar):
            problems.extend(_tab_problems(widget))
        elif isinstance(widget, QComboBox):
            problems.extend(_combo_problems(widget))
        elif isinstance(widget, QHeaderView):
            problems.extend(_header_problems(widget))
        elif isinstance(widget, QListWidget):
            problems.extend(_list_problems(widget))
        if (
            isinstance(widget, QScrollArea)
            and not isinstance(widget, (QAbstractItemView, QTextEdit, QPlainTextEdit))
            and widget.horizontalScrollBar().isVisible()
        ):
            inner = widget.widget()
            need = inner.minimumSizeHint().width() if inner is not None else 0
            problems.append(
                f"{type(widget).__name__} scrolls sideways: content needs {need} px, "
                f"has {widget.viewport().width()} px ({_where(widget)})"
            )
    return problems


def without_noise(problems: list[str]) -> list[str]:
    """Problems with identical lines merged (the same label in several rows)."""
    seen: dict[str, None] = {}
    for p in problems:
        seen.setdefault(re.sub(r"\s+", " ", p), None)
    return list(seen)


__all__ = ["clipped_texts", "without_noise"]
