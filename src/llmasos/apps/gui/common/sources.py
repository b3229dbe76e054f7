"""The sources under a grounded chat reply: :class:`SourcesView`.

One line of links, ``[1] handbook.md — Annual leave`` …; a click on one shows the quoted
passage with a link that opens the file at the cited page or line
(:mod:`~llmasos.apps.gui.common.open_source`); what opening could not do (the file is
gone, the PDF viewer takes no page) is said under it. A source whose passage lacks an
amount the reply gives it for is marked ⚠ and the amount named (:func:`unsupported_text`,
also used by the Knowledge page's Ask tab). GUI thread only.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from llmasos.apps.gui.common.open_source import open_planned, plan_open
from llmasos.services.chat.grounding import Source

QUOTE_CHARS = 600


def unsupported_text(missing: Sequence[str]) -> str:
    """The warning beside a citation whose passage lacks amounts the answer cites it
    for, naming them (``missing``; none known: records stored before they were kept)."""
    if missing:
        return QCoreApplication.translate(
            "SourcesView", "⚠ The cited passage does not contain {amounts}."
        ).format(amounts=", ".join(missing))
    return QCoreApplication.translate(
        "SourcesView", "⚠ The cited passage does not contain the amounts given for it."
    )


def place(source: Source) -> str:
    """Page or headings of ``source`` in the UI language ("" when it has neither)."""
    if source.page:
        return QCoreApplication.translate("SourcesView", "page {page}").format(page=source.page)
    return " › ".join(source.heading)


class SourcesView(QWidget):
    """The numbered sources of one reply, their passages and a way to open each."""

    def __init__(
        self,
        sources: Sequence[Source],
        editor: Callable[[], str] = lambda: "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sources = {s.number: s for s in sources}
        self._editor = editor
        self.links = QLabel()
        self.links.setWordWrap(True)
        self.links.setAccessibleName(self.tr("Sources"))
        self.links.setText(self._links_html())
        self.links.linkActivated.connect(self._on_link)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName(self.tr("Unsupported citations"))
        self.warnings.setText(self._warnings_html())
        self.warnings.setVisible(bool(self.warnings.text()))
        self.passage = QLabel()
        self.passage.setWordWrap(True)
        self.passage.setAccessibleName(self.tr("Cited passage"))
        self.passage.linkActivated.connect(self._on_link)
        self.passage.hide()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName(self.tr("Opening the source"))
        self.note.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        for w in (self.links, self.warnings, self.passage, self.note):
            column.addWidget(w)

    def _links_html(self) -> str:
        items = []
        for number, s in sorted(self.sources.items()):
            where = place(s)
            label = f"[{number}] {Path(s.file).name}" + (f" — {where}" if where else "")
            mark = " ⚠" if s.supported is False else ""
            items.append(f'<a href="cite:{number}">{html.escape(label)}</a>{mark}')
        return html.escape(self.tr("Sources:")) + " " + " &nbsp; ".join(items)

    def _warnings_html(self) -> str:
        lines = [
            html.escape(f"[{number}] {unsupported_text(s.missing)}")
            for number, s in sorted(self.sources.items())
            if s.supported is False
        ]
        return "<br>".join(lines)

    def _on_link(self, link: str) -> None:
        kind, _, number = link.partition(":")
        if number.isdigit() and kind == "cite":
            self.show_source(int(number))
        elif number.isdigit() and kind == "open":
            self.open_source(int(number))

    def show_source(self, number: int) -> None:
        """Show the passage ``[number]`` cites, with a link that opens its file."""
        s = self.sources[number]
        quote = " ".join(s.passage.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[:QUOTE_CHARS] + "…"
        if s.page:
            action = self.tr("Open {name} at page {page}").format(
                name=Path(s.file).name, page=s.page
            )
        else:
            action = self.tr("Open {name}").format(name=Path(s.file).name)
        warning = html.escape(unsupported_text(s.missing)) + "<br>" if s.supported is False else ""
        self.passage.setText(
            f'{warning}<i>“{html.escape(quote)}”</i><br><a href="open:{number}">'
            f"{html.escape(action)}</a>"
        )
        self.passage.setToolTip(s.file)
        self.passage.show()
        self.note.hide()

    def open_source(self, number: int) -> str:
        """Open the file ``[number]`` cites at its page or line; the message shown ("" when
        it opened as planned)."""
        s = self.sources[number]
        plan = plan_open(
            s.file, page=s.page, start=s.start, passage=s.passage, editor=self._editor()
        )
        message = open_planned(plan)
        self.note.setText(message)
        self.note.setVisible(bool(message))
        return message


__all__ = ["SourcesView", "place", "unsupported_text"]
