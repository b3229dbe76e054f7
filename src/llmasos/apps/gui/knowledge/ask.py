"""Questions answered from the person's documents: :class:`AskPanel`.

The question goes to :func:`~llmasos.services.knowledge.answer.ask` as a kernel job with
the app's embedding model (:meth:`KnowledgeIndexer.submit_with_embedder`); the answer
streams in, its markers ``[1]`` ``[2]`` are links, and a click on one shows the passage
it cites — file, page or headings, and the quoted text — with a link that opens the file.
A citation whose passage lacks an amount the answer cites it for is marked ⚠ beside its
marker, and a warning naming the amount follows the answer and heads its passage.
When the documents do not cover the question the answer says so (the service decides,
without asking the model). All methods run on the GUI thread.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Collection
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import failure_text
from llmasos.apps.gui.common.open_source import open_planned, plan_open
from llmasos.apps.gui.common.sources import unsupported_text
from llmasos.apps.gui.knowledge.passages import where
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Failure
from llmasos.kernel.knowledge import KnowledgeIndexer
from llmasos.services.knowledge.answer import AnswerResult, AskDone, AskRequest, Retrieved, ask
from llmasos.services.knowledge.citations import Citation

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，]\s*\d{1,3})*)\]")
QUOTE_CHARS = 600
_ids = itertools.count(1)


def linked(text: str, warned: Collection[int] = ()) -> str:
    """``text`` as HTML, each citation marker ``[n]`` (or ``[1, 2]``) a ``cite:n`` link,
    followed by ⚠ when ``n`` is in ``warned``."""
    out: list[str] = []
    last = 0
    for m in _MARKER.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        numbers = re.split(r"\s*[,，]\s*", m.group(1))
        out.append(
            "".join(
                f'<a href="cite:{n}">[{n}]</a>' + ("⚠" if int(n) in warned else "") for n in numbers
            )
        )
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out).replace("\n", "<br>")


class AskPanel(QWidget):
    """A question box, the streamed answer with clickable citations, and the passage of
    the citation chosen."""

    def __init__(self, indexer: KnowledgeIndexer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.indexer = indexer
        self.kernel = indexer.kernel
        self.owner = f"knowledge-ask-{next(_ids)}"
        self.request_id: int | None = None
        self.text = ""  # the answer so far, as the model wrote it
        self.citations: dict[int, Citation] = {}
        self.question = QLineEdit()
        self.question.setPlaceholderText(self.tr("Ask a question about your documents"))
        self.question.setAccessibleName(self.tr("Question"))
        self.question.setToolTip(self.tr("Any language (Ctrl+K); Enter asks."))
        self.question.setClearButtonEnabled(True)
        self.ask_button = QPushButton(self.tr("As&k"))
        self.ask_button.setIcon(ui_icon("send"))
        self.ask_button.setAccessibleName(self.tr("Ask"))
        self.ask_button.setToolTip(self.tr("Answer from your documents, citing the passages."))
        self.answer = QTextBrowser()
        self.answer.setOpenLinks(False)
        self.answer.setAccessibleName(self.tr("Answer"))
        self.answer.setPlaceholderText(
            self.tr("The answer appears here; click a [1] to see the passage it comes from.")
        )
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setAccessibleName(self.tr("Cited passage"))
        self.source.setOpenExternalLinks(False)
        self.source.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Answer status"))
        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.ask_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.status)
        column.addWidget(self.answer, 2)
        column.addWidget(self.source)
        self.ask_button.clicked.connect(self.ask)
        self.question.returnPressed.connect(self.ask)
        self.answer.anchorClicked.connect(self._on_link)
        self.source.linkActivated.connect(lambda _url: self.open_shown())
        self._shown: Citation | None = None  # the citation whose passage is shown
        self._links = [
            (self.kernel.tokens, self._on_tokens),
            (self.kernel.yielded, self._on_yielded),
            (self.kernel.finished, self._on_finished),
            (self.kernel.cancelled, self._on_cancelled),
            (self.kernel.failed, self._on_failed),
        ]
        for signal, slot in self._links:
            signal.connect(slot)

    # -- asking --------------------------------------------------------------------------
    def ask(self) -> None:
        """Answer the question box's question from every collection."""
        question = self.question.text().strip()
        names = tuple(c.name for c in self.indexer.store.collections())
        if not question:
            return
        if not names:
            self.status.setText(self.tr("Nothing to ask yet: add a folder first."))
            return
        self.stop()
        self.text = ""
        self.citations = {}
        self.answer.clear()
        self.source.hide()
        self.status.setText(self.tr("Looking for the passages that answer it…"))
        request = AskRequest(question, names)
        indexer, store = self.indexer, self.indexer.store
        self.request_id = indexer.submit_with_embedder(
            lambda engine, embedder, cancel: ask(
                engine, store, request, embedder, cancel, searcher=indexer.worker_searcher()
            ),
            owner=self.owner,
        )

    def stop(self) -> None:
        """Stop the answer being written (the text so far is kept)."""
        if self.request_id is not None:
            self.kernel.cancel(self.request_id)

    def shutdown(self) -> None:
        """Stop answering and let go of the kernel's signals (the page is closing)."""
        self.stop()
        self.request_id = None
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []

    # -- the answer ----------------------------------------------------------------------
    def _on_tokens(self, request: int, text: str) -> None:
        if request == self.request_id:
            self.text += text
            self.status.setText(self.tr("Writing the answer…"))
            self._render(self.text)

    def _on_yielded(self, request: int, item: object) -> None:
        if request != self.request_id:
            return
        if isinstance(item, Retrieved):
            self.status.setText(
                self.tr("{n} passages found; writing the answer…").format(n=len(item.passages))
                if item.covered
                else self.tr("Your documents do not seem to cover this.")
            )
        elif isinstance(item, AskDone):
            self.show_result(item.result)

    def show_result(self, result: AnswerResult) -> None:
        """Show the finished answer: its markers linked to its citations, and a warning
        for each citation whose passage lacks an amount the answer gives."""
        self.citations = {c.number: c for c in result.citations}
        self.text = result.text
        self._render(result.text)

    def _render(self, text: str) -> None:
        warned = [c for n, c in sorted(self.citations.items()) if c.supported is False]
        warnings = "".join(
            f"<p>{html.escape(f'[{c.number}] {unsupported_text(c.missing)}')}</p>" for c in warned
        )
        self.answer.setHtml(linked(text, {c.number for c in warned}) + warnings)
        bar = self.answer.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _end(self, message: str) -> None:
        self.request_id = None
        self.status.setText(message)

    def _on_finished(self, request: int, _stats: object) -> None:
        if request == self.request_id:
            if self.citations:
                self._end(self.tr("Done. Click a [number] to see the passage it cites."))
            else:
                self._end(self.tr("Done."))

    def _on_cancelled(self, request: int, _stats: object) -> None:
        if request == self.request_id:
            self._end(self.tr("Stopped. The text so far is kept."))

    def _on_failed(self, request: int, failure: Failure) -> None:
        if request == self.request_id:
            self._end(failure_text(failure))

    # -- citations -----------------------------------------------------------------------
    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == "cite" and url.path().isdigit():
            self.show_citation(int(url.path()))

    def show_citation(self, number: int) -> None:
        """Show the file, place and text of the passage ``[number]`` cites."""
        citation = self.citations.get(number)
        if citation is None:
            self.source.setText(
                self.tr("[{n}] names no passage (the answer is still being written).").format(
                    n=number
                )
            )
            self.source.show()
            return
        p = citation.passage
        place = where(p)
        head = f"[{number}] {Path(p.file).name}" + (f" — {place}" if place else "")
        quote = " ".join(p.text.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[:QUOTE_CHARS] + "…"
        link = QUrl.fromLocalFile(p.file).toString()
        open_text = self.tr("Open the file")
        warning = unsupported_text(citation.missing) if citation.supported is False else ""
        self.source.setText(
            f"<b>{html.escape(head)}</b><br>"
            + (f"{html.escape(warning)}<br>" if warning else "")
            + f"<i>“{html.escape(quote)}”</i><br>"
            f'<a href="{html.escape(link)}">{html.escape(open_text)}</a>'
        )
        self.source.setToolTip(p.file)
        self.source.show()
        self._shown = citation

    def open_shown(self) -> str:
        """Open the file of the citation shown, at its page or line
        (:mod:`~llmasos.apps.gui.common.open_source`); the message shown in the status
        line ("" when it opened as planned)."""
        if self._shown is None:
            return ""
        p = self._shown.passage
        editor = SettingsStore().load()[0].knowledge.editor_command
        message = open_planned(
            plan_open(p.file, page=p.page, start=p.start, passage=p.text, editor=editor)
        )
        if message:
            self.status.setText(message)
        return message


__all__ = ["AskPanel", "linked"]
