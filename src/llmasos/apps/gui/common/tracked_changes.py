"""Tracked changes drawn as rich text: deletions struck through, insertions underlined.

The Write window's Changes tab (with links to accept or reject each change) and the
Everywhere popup (read only) draw a :class:`~llmasos.services.text.diff.TextDiff` the
same way. The colours carry their own background, so they read on light and dark themes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from enum import Enum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTextBrowser, QWidget

from llmasos.services.text.diff import Change, TextDiff


class State(Enum):
    """Where one change stands."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


_STYLE = {
    "del": "color:#b3261e;text-decoration:line-through;background:#fde7e6;",
    "ins": "color:#1b6e20;text-decoration:underline;background:#e3f4e1;",
    "link": "text-decoration:none;font-weight:bold;",
    "warn": "color:#8a4b00;background:#ffe8b3;font-weight:bold;",
}


def changes_html(
    diff: TextDiff, states: Sequence[State] | None = None, *, links: bool = True
) -> str:
    """``diff`` as HTML: accepted changes as their new text, rejected ones as their old
    text, open ones marked (with ✓/✗ links ``accept:N``/``reject:N`` when ``links``).
    ``states``: one per change; None: all open."""
    states = states if states is not None else [State.OPEN] * len(diff.changes)
    out = []
    for seg in diff.segments():
        if seg.change is None:
            out.append(html.escape(seg.text))
        else:
            out.append(_change_html(seg.change, states[seg.change.index], links))
    body = "".join(out).replace("\n", "<br>")
    return f"<div style='white-space:pre-wrap'>{body}</div>"


def _change_html(change: Change, state: State, links: bool) -> str:
    old = html.escape(change.old).replace("\n", "¶\n")
    new = html.escape(change.new).replace("\n", "¶\n")
    if state is State.ACCEPTED:
        return new
    if state is State.REJECTED:
        return old
    parts = []
    if change.dropped:  # an edit that must keep words deleted some: say which
        words = ", ".join(change.dropped)
        tip = QCoreApplication.translate(
            "ChangesView", "This change deletes words: {words}. Check before accepting."
        ).format(words=words)
        parts.append(f"<span style='{_STYLE['warn']}' title='{html.escape(tip)}'>⚠</span>")
    if old:
        parts.append(f"<span style='{_STYLE['del']}'>{old}</span>")
    if new:
        parts.append(f"<span style='{_STYLE['ins']}'>{new}</span>")
    if links:
        i = change.index
        accept = html.escape(QCoreApplication.translate("ChangesView", "Accept"), quote=True)
        reject = html.escape(QCoreApplication.translate("ChangesView", "Reject"), quote=True)
        parts.append(
            f"<sup><a style='{_STYLE['link']}' href='accept:{i}' title='{accept}'>✓</a>"
            f" <a style='{_STYLE['link']}' href='reject:{i}' title='{reject}'>✗</a></sup>"
        )
    return "".join(parts)


class DiffView(QTextBrowser):
    """A read-only view of a diff's changes (no accepting or rejecting)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setOpenLinks(False)
        self.diff: TextDiff | None = None

    def show_diff(self, diff: TextDiff) -> None:
        self.diff = diff
        self.setHtml(changes_html(diff, links=False))

    def clear(self) -> None:
        self.diff = None
        super().clear()
