"""Knowledge collections attached to a chat: :class:`DocumentsButton` and :class:`ChatDocuments`.

The button beside the composer (Ctrl+Shift+D) lists the collections as checkable items;
the choice is stored with the conversation
(:attr:`~llmasos.services.chat.records.Conversation.collections`). While collections are
attached, each reply is queued with the app's embedding model
(:meth:`~llmasos.kernel.knowledge.KnowledgeIndexer.submit_with_embedder`) and grounded in
them by the chat service (:mod:`~llmasos.services.chat.grounding`); the passages a reply
cites are shown under it (:class:`~llmasos.apps.gui.common.sources.SourcesView`).

The knowledge index belongs to the shell (one for the app); the page gets a callable
that makes or returns it, so a chat without collections never opens the index. All of
this runs on the GUI thread; the reply's job runs on the kernel's worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.sources import SourcesView
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Priority
from llmasos.services.chat.grounding import Grounding, sources

if TYPE_CHECKING:
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.kernel.knowledge import KnowledgeIndexer
    from llmasos.services.chat.conversations import StoredMessage
    from llmasos.services.chat.service import ChatService

SHORTCUT = "Ctrl+Shift+D"


class DocumentsButton(QPushButton):
    """Which collections the conversation answers from; ``changed(tuple)`` when the
    person checks or unchecks one. Hidden while the app has no knowledge index to offer."""

    changed = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setIcon(ui_icon("search"))
        self.setAccessibleName(self.tr("Documents to answer from"))
        self.setToolTip(
            self.tr("Answer from your knowledge collections, citing the passages ({key}).").format(
                key=SHORTCUT
            )
        )
        self.attached: tuple[str, ...] = ()
        self._names: Callable[[], list[str]] | None = None
        menu = QMenu(self)
        menu.aboutToShow.connect(self._fill)
        self.setMenu(menu)
        self.show_attached(())
        self.setVisible(False)

    def set_source(self, names: Callable[[], list[str]] | None) -> None:
        """Offer the collections ``names()`` returns (None: hide the button)."""
        self._names = names
        self.setVisible(names is not None)

    def show_attached(self, names: Sequence[str]) -> None:
        """Show ``names`` as the conversation's collections (the label counts them)."""
        self.attached = tuple(names)
        if not names:
            self.setText(self.tr("Documents"))
        elif len(names) == 1:
            self.setText(self.tr("Documents: {name}").format(name=names[0]))
        else:
            self.setText(self.tr("Documents ({n})").format(n=len(names)))

    def _fill(self) -> None:
        menu = self.menu()
        menu.clear()
        names = self._names() if self._names is not None else []
        # attached ones that were removed stay listed, so they can be unchecked
        for name in [*names, *(n for n in self.attached if n not in names)]:
            label = name if name in names else self.tr("{name} (removed)").format(name=name)
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(name in self.attached)
            action.toggled.connect(lambda on, n=name: self._toggle(n, on))
        if not names and not self.attached:
            empty = menu.addAction(
                self.tr("No collections yet: add a folder on the Knowledge page")
            )
            empty.setEnabled(False)

    def _toggle(self, name: str, on: bool) -> None:
        names = [n for n in self.attached if n != name] + ([name] if on else [])
        self.show_attached(names)
        self.changed.emit(tuple(names))


class ChatDocuments(QObject):
    """The chat page's side of attached collections: the button, queuing a grounded reply
    and the sources under replies."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.button = DocumentsButton(parent)
        self._indexer: Callable[[], KnowledgeIndexer] | None = None

    def use(self, indexer: Callable[[], KnowledgeIndexer] | None) -> None:
        """Answer from the collections of the index ``indexer()`` returns (made on first
        use; None: no knowledge, the button hides)."""
        self._indexer = indexer
        self.button.set_source(self._names if indexer is not None else None)

    def _names(self) -> list[str]:
        assert self._indexer is not None
        return [c.name for c in self._indexer().store.collections()]

    def is_grounded(self, collections: Sequence[str]) -> bool:
        """Whether a reply in a conversation with ``collections`` is answered from them."""
        return bool(collections) and self._indexer is not None

    def submit_reply(
        self,
        service: ChatService,
        conversation_id: int,
        params: SamplingParams,
        *,
        owner: str,
        priority: Priority = Priority.INTERACTIVE,
    ) -> int:
        """Queue the reply, grounded in the conversation's collections; the request id."""
        assert self._indexer is not None
        indexer = self._indexer()
        store = indexer.store

        def job(engine: Any, embedder: Any, cancel: Any) -> Any:  # worker thread
            grounding = Grounding(store, indexer.worker_searcher(), embedder)
            return service.reply(engine, cancel, conversation_id, params, grounding)

        return indexer.submit_with_embedder(job, owner=owner, priority=priority)

    def sources_view(self, message: StoredMessage) -> SourcesView | None:
        """The sources to show under ``message`` (None: it cites nothing)."""
        cited = sources(message)
        if not cited:
            return None
        return SourcesView(cited, _editor_command)


def _editor_command() -> str:
    """Settings › Knowledge › Editor command, read when a source is opened."""
    return SettingsStore().load()[0].knowledge.editor_command


__all__ = ["SHORTCUT", "ChatDocuments", "DocumentsButton"]
