"""One chat message as a bubble: the person's on the right and tinted, the assistant's
on the left, with Copy, Edit and Regenerate shown on hover or keyboard focus.

The bubble paints its own rounded background from the palette at paint time, so a
switch between the light and the dark theme recolours it without a style sheet. The
action buttons keep their room while hidden (the text does not move under the mouse);
they are shown while the pointer is over the bubble or the keyboard focus is inside it,
so Tab reaches them, and the text's context menu offers the same actions.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPainterPath, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.chat.markdown import MarkdownBrowser
from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.services.chat.conversations import FAILED, STOPPED, STREAMING, StoredMessage

ROLE_NAMES = {
    "user": QT_TRANSLATE_NOOP("MessageWidget", "You"),
    "assistant": QT_TRANSLATE_NOOP("MessageWidget", "Assistant"),
    "system": QT_TRANSLATE_NOOP("MessageWidget", "System"),
}
_STATUS_NOTES = {
    STOPPED: QT_TRANSLATE_NOOP("MessageWidget", "stopped"),
    FAILED: QT_TRANSLATE_NOOP("MessageWidget", "failed"),
    STREAMING: QT_TRANSLATE_NOOP("MessageWidget", "interrupted"),
}
INTERRUPTED_NOTE = QT_TRANSLATE_NOOP(
    "MessageWidget", "This answer was interrupted when LLMasOS closed unexpectedly."
)
USER_SHARE = 0.8  # the widest a bubble of the person's may be, of the row
ASSISTANT_SHARE = 0.92  # the assistant's replies: nearly the whole row, a gap on the right
RADIUS = 10.0
PAD_X = 12  # the room left and right of the text inside a bubble


def role_name(role: str) -> str:
    """Who wrote a message, in the UI language ("You", "Assistant", …)."""
    name = ROLE_NAMES.get(role)
    return QCoreApplication.translate("MessageWidget", name) if name else role


def stats_text(message: StoredMessage) -> str:
    """A message's generation figures, e.g. "42 tokens · 35.1 tokens/s"."""
    if message.role != "assistant" or not message.completion_tokens:
        return ""
    return QCoreApplication.translate(
        "MessageWidget", "{n} tokens · {tps:.1f} tokens/s · first token {ttft:.2f} s"
    ).format(n=message.completion_tokens, tps=message.tokens_per_s, ttft=message.ttft_s)


def bubble_colors(palette: QPalette, role: str) -> tuple[QColor, QColor]:
    """The fill and the border of a bubble for ``role`` in ``palette`` (light or dark).

    The person's bubble is the base colour tinted towards the highlight colour; the
    assistant's is the base colour with a faint border, on the window-coloured list.
    """
    base = palette.color(QPalette.ColorRole.Base)
    if role == "user":
        fill = _mix(base, palette.color(QPalette.ColorRole.Highlight), 0.22)
        return fill, fill
    return base, _mix(base, palette.color(QPalette.ColorRole.Text), 0.15)


def _mix(a: QColor, b: QColor, share: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * share),
        round(a.green() + (b.green() - a.green()) * share),
        round(a.blue() + (b.blue() - a.blue()) * share),
    )


def _action(icon: str, tip: str, slot: object, parent: QWidget) -> QToolButton:
    """An icon button of the hover bar (``tip`` translated: its tooltip and its name)."""
    button = QToolButton(parent)
    button.setIcon(ui_icon(icon))
    button.setIconSize(QSize(16, 16))
    button.setAutoRaise(True)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    policy = button.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    button.setSizePolicy(policy)
    button.clicked.connect(slot)
    button.hide()
    return button


class _Bubble(QFrame):
    """The rounded box around one message (paints itself from the palette)."""

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.setObjectName(f"bubble-{role}")
        self.preferred_width = 0
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = max(self.preferred_width, self.minimumSizeHint().width())
        return QSize(width, hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # GUI thread
        fill, border = bubble_colors(self.palette(), self.role)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        painter.fillPath(path, fill)
        painter.setPen(border)
        painter.drawPath(path)


class MessageWidget(QWidget):
    """One message as a bubble: who wrote it, the rendered text, an optional area under
    it (:meth:`set_extra`), its figures, and the hover actions.

    Signals carry the message id: ``edit_requested`` (a message of the person's),
    ``regenerate_requested`` (the last reply; offered when :meth:`set_can_regenerate`).
    """

    edit_requested = Signal(int)
    regenerate_requested = Signal(int)

    def __init__(
        self, message: StoredMessage, parent: QWidget | None = None, *, live: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"message-{message.role}")
        self.message = message
        self.text = message.content
        self._can_regenerate = False
        self._hovered = False
        # children are made in reading order, so Tab goes text → Copy → Edit/Regenerate
        self.bubble = _Bubble(message.role, self)
        self.header = QLabel(self.bubble)
        # a bold font, not a style sheet: a label with a style sheet keeps the colours of
        # the theme it was made in when the theme is switched (Settings › Theme)
        bold = self.header.font()
        bold.setBold(True)
        self.header.setFont(bold)
        self.body = MarkdownBrowser(self.bubble)
        self.body.setAccessibleName(self.tr("{role} message").format(role=role_name(message.role)))
        self.body.viewport().setAutoFillBackground(False)  # the bubble's colour shows through
        self.body.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.body.customContextMenuRequested.connect(self._menu)
        self.extra = QVBoxLayout()
        self.extra.setContentsMargins(0, 0, 0, 0)
        self.footer = QLabel(self.bubble)
        self.footer.setWordWrap(True)
        self.footer.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.copy_button = _action("copy", self.tr("Copy message"), self.copy, self.bubble)
        self.edit_button: QToolButton | None = None
        self.regenerate_button: QToolButton | None = None
        if message.role == "user":
            self.edit_button = _action("edit", self.tr("Edit and resend"), self._edit, self.bubble)
        elif message.role == "assistant":
            self.regenerate_button = _action(
                "regenerate", self.tr("Regenerate this answer"), self._regenerate, self.bubble
            )
        self._layout_bubble()
        self.set_message(message, live=live)

    def _layout_bubble(self) -> None:
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(self.header)
        row.addStretch(1)
        for button in self.action_buttons():
            row.addWidget(button)
        inner = QVBoxLayout(self.bubble)
        inner.setContentsMargins(PAD_X, 6, PAD_X, 8)
        inner.setSpacing(2)
        inner.addLayout(row)
        inner.addWidget(self.body)
        inner.addLayout(self.extra)
        inner.addWidget(self.footer)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        if self.message.role == "user":
            outer.addStretch(1)
            outer.addWidget(self.bubble)
        else:
            outer.addWidget(self.bubble)
            outer.addStretch(1)

    def action_buttons(self) -> list[QToolButton]:
        """The hover buttons, Copy first."""
        others = (self.edit_button, self.regenerate_button)
        return [self.copy_button, *(b for b in others if b is not None)]

    # -- content ---------------------------------------------------------------------
    def set_message(self, message: StoredMessage, *, live: bool = False) -> None:
        """Show ``message`` (``live``: it is being written right now; a ``streaming``
        message that is not was cut off when the app closed, and says so)."""
        self.message = message
        note = "" if live else _STATUS_NOTES.get(message.status, "")
        name = role_name(message.role)
        if note:
            name = self.tr("{name} ({note})").format(
                name=name, note=QCoreApplication.translate("MessageWidget", note)
            )
        self.header.setText(name)
        interrupted = message.status == STREAMING and not live
        notice = QCoreApplication.translate("MessageWidget", INTERRUPTED_NOTE)
        footer = notice if interrupted and message.content else stats_text(message)
        self.footer.setText(footer)
        self.footer.setVisible(bool(footer))
        self.set_text(message.content)
        if interrupted and not message.content:
            self.body.set_markdown(f"*{notice}*")  # shown instead of an empty box

    def set_text(self, text: str) -> None:
        """Replace the shown text (Markdown)."""
        self.text = text
        self.body.set_markdown(text)
        if self.message.role == "user":
            self._fit_width()

    def append(self, text: str) -> None:
        """Add streamed text to the end."""
        self.set_text(self.text + text)

    def set_extra(self, widget: QWidget | None) -> None:
        """Show ``widget`` under the text (e.g. a reply's sources); None removes it."""
        while self.extra.count():
            item = self.extra.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.setParent(None)
                old.deleteLater()
        if widget is not None:
            self.extra.addWidget(widget)
            widget.show()

    def set_can_regenerate(self, allowed: bool) -> None:
        """Offer Regenerate on this reply (the view offers it on the last one only)."""
        self._can_regenerate = allowed and self.regenerate_button is not None
        self._show_actions()

    # -- actions ---------------------------------------------------------------------
    def copy(self) -> None:
        """Put the message on the clipboard: its Markdown as plain text and as Markdown."""
        data = QMimeData()
        data.setText(self.text)
        data.setData("text/markdown", self.text.encode("utf-8"))
        QGuiApplication.clipboard().setMimeData(data)

    def _edit(self) -> None:
        self.edit_requested.emit(self.message.id)

    def _regenerate(self) -> None:
        if self._can_regenerate:
            self.regenerate_requested.emit(self.message.id)

    def _menu(self, pos: QPoint) -> None:  # GUI thread
        menu = self.body.createStandardContextMenu(pos)
        menu.addSeparator()
        for button in self.action_buttons():
            if button is not self.regenerate_button or self._can_regenerate:
                menu.addAction(button.icon(), button.toolTip(), button.click)
        menu.exec(self.body.viewport().mapToGlobal(pos))
        menu.deleteLater()

    # -- hover and focus ---------------------------------------------------------------
    def has_focus_inside(self) -> bool:
        """Whether the keyboard focus is on the text or one of the buttons."""
        focus = QGuiApplication.focusObject()
        return isinstance(focus, QWidget) and (focus is self or self.isAncestorOf(focus))

    def _show_actions(self) -> None:
        shown = self._hovered or self.has_focus_inside()
        for button in self.action_buttons():
            offered = button is not self.regenerate_button or self._can_regenerate
            button.setVisible(shown and offered)

    def focus_changed(self) -> None:
        """The keyboard focus moved into or out of this message (the view tells it)."""
        self._show_actions()

    def enterEvent(self, event: QEvent) -> None:  # type: ignore[override]
        self._hovered = True
        self._show_actions()
        super().enterEvent(event)  # type: ignore[arg-type]

    def leaveEvent(self, event: QEvent) -> None:
        self._hovered = False
        self._show_actions()
        super().leaveEvent(event)

    # -- width -----------------------------------------------------------------------
    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit_width()

    def _fit_width(self) -> None:
        """The bubble's width: the person's as wide as its text (at most USER_SHARE of
        the row), the assistant's ASSISTANT_SHARE of the row."""
        room = self.width()
        if self.message.role != "user":
            wanted = int(room * ASSISTANT_SHARE)
        else:
            metrics = self.body.fontMetrics()
            lines = self.body.document().toPlainText().split("\n")
            text = max((metrics.horizontalAdvance(line) for line in lines), default=0)
            pad = 2 * PAD_X + int(2 * self.body.document().documentMargin())
            wanted = min(int(room * USER_SHARE), text + pad + 4)
        if wanted != self.bubble.preferred_width:
            self.bubble.preferred_width = wanted
            self.bubble.updateGeometry()
