"""The Chat page: stored conversations, streamed Markdown replies, undoable edits.

The page stores the person's message (on the GUI thread, committed) before it
queues the reply; the reply itself is a :class:`~llmasos.services.chat.service.ReplyStream`
running on the kernel's worker, which saves it as it streams. Events from it
(:class:`ReplyStarted`, :class:`ReplyEnded`, :class:`TitleChanged`) arrive on the
GUI thread through ``kernel.yielded``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from llmasos.apps.gui.chat.documents import SHORTCUT as DOCUMENTS_KEY
from llmasos.apps.gui.chat.documents import ChatDocuments
from llmasos.apps.gui.chat.elide import ContextMeter
from llmasos.apps.gui.chat.find import FindBar
from llmasos.apps.gui.chat.list import ConversationList
from llmasos.apps.gui.chat.personas import PersonaBox
from llmasos.apps.gui.chat.settings import (
    ChatInput,
    ConversationSettingsDialog,
    ask_open_path,
    ask_save_path,
)
from llmasos.apps.gui.chat.view import MessageView
from llmasos.apps.gui.common.elide import ElidedLabel
from llmasos.apps.gui.common.icons import ui_icon
from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.common.tool_pages import ToolPage, button
from llmasos.errors import LLMasOSError
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel, Priority
from llmasos.services.chat import export as chat_export
from llmasos.services.chat.conversations import STREAMING, ConversationStore, StoredMessage
from llmasos.services.chat.personas import DEFAULT_PERSONA
from llmasos.services.chat.service import ChatService, ReplyEnded, ReplyStarted, TitleChanged

if TYPE_CHECKING:
    from llmasos.kernel.knowledge import KnowledgeIndexer


class ChatPage(ToolPage):
    """Conversations with the assistant, kept in the conversation database."""

    tool = "chat"

    def __init__(
        self,
        kernel: Kernel,
        params: Callable[[], SamplingParams],
        parent: QWidget | None = None,
        store: ConversationStore | None = None,
    ) -> None:
        super().__init__(kernel, params, parent)
        self.store = store or ConversationStore()
        self.service = ChatService(self.store)
        self.conversation_id: int | None = None
        self._title_request: int | None = None
        self._undo: tuple[str, Callable[[], None]] | None = None
        self._replaced: tuple[int | None, list[StoredMessage]] | None = None
        self._streaming_id: int | None = None  # the shown message the reply streams into
        self._reply_conversation: int | None = None  # the conversation the reply is for
        self._drafts: dict[int, str] = {}  # unsent text of the conversations not shown
        self._after_stop: Callable[[], None] | None = None  # runs when the reply has stopped
        self._context_used = 0
        self._build()
        kernel.yielded.connect(self._on_event)
        kernel.loaded.connect(self._on_model_changed)
        kernel.unloaded.connect(self._on_model_changed)
        kernel.finished.connect(self._on_title_done)
        kernel.cancelled.connect(self._on_title_done)
        kernel.failed.connect(lambda rid, _m: self._on_title_done(rid, None))
        recent = self.store.conversations()
        self.open_conversation(recent[0].id if recent else None)

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        self.conversations = ConversationList()
        self.conversations.opened.connect(self.open_conversation)
        self.conversations.new_requested.connect(self.new_conversation)
        self.conversations.rename_requested.connect(self._ask_rename)
        self.conversations.delete_requested.connect(self.delete_conversation)
        self.conversations.pin_toggled.connect(self._toggle_pin)
        self.conversations.search_changed.connect(self._on_search)
        self.transcript = MessageView()
        self.transcript.edit_requested.connect(self._ask_edit)
        self.transcript.regenerate_requested.connect(lambda _id: self.regenerate())
        self.find_bar = FindBar(self.transcript)  # Ctrl+F, F3 / Shift+F3
        self.find_bar.install_shortcuts(self)
        self.conversations.opened.connect(self._find_opened_hit)
        self.input = ChatInput()
        self.input.send_requested.connect(self.submit)
        self.documents = ChatDocuments(self)  # knowledge collections to answer from
        self.documents.button.changed.connect(self.attach_collections)
        self.enter_sends = QCheckBox(self.tr("Enter sends"))
        self.enter_sends.toggled.connect(self.input.set_enter_sends)
        self.enter_sends.setChecked(SettingsStore().load()[0].ui.enter_sends)
        self.input.set_enter_sends(self.enter_sends.isChecked())
        self.send_button = button(self.tr("&Send"), self.tr("Send message"), self.submit, "send")
        self.stop_button = button(self.tr("S&top"), self.tr("Stop generating"), self.stop, "stop")
        self.stop_button.setEnabled(False)
        self.regenerate_button = button(
            self.tr("&Regenerate"),
            self.tr("Regenerate the last answer"),
            self.regenerate,
            "regenerate",
        )
        bottom = QHBoxLayout()
        bottom.addWidget(self.documents.button)
        for w in (self.enter_sends, self.regenerate_button, self.stop_button, self.send_button):
            bottom.addWidget(w)
        right = QWidget()
        column = QVBoxLayout(right)
        column.addLayout(self._header())
        column.addLayout(self._undo_bar())
        column.addWidget(self.find_bar)
        column.addWidget(self.transcript, 1)
        column.addWidget(self.input)
        column.addWidget(self.status)
        column.addLayout(bottom)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.conversations)
        split.addWidget(right)
        split.setSizes([220, 640])
        QVBoxLayout(self).addWidget(split)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.stop)
        QShortcut(QKeySequence(DOCUMENTS_KEY), self, self._show_documents_menu)
        self.busy_changed.connect(self._set_busy)

    def _header(self) -> QHBoxLayout:
        self.title = ElidedLabel()
        self.title.setAccessibleName(self.tr("Conversation title"))
        # the title takes the room the other controls leave, never room from them
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.persona = PersonaBox(self.store.personas())
        self.persona.setAccessibleName(self.tr("Persona"))
        self.persona.set_name(DEFAULT_PERSONA)
        self.persona.chosen.connect(self.set_persona)
        self.settings_button = button(
            self.tr("S&ettings…"), self.tr("Conversation settings"), self._ask_settings, "settings"
        )
        # a push button: its width includes the menu arrow (a QToolButton's arrow is
        # drawn over the end of its label)
        self.files_button = QPushButton(self.tr("Export"))
        self.files_button.setAccessibleName(self.tr("Export or import"))
        self.files_button.setIcon(ui_icon("export"))
        menu = QMenu(self.files_button)
        menu.addAction(self.tr("Export as Markdown…"), lambda: self._ask_export(".md"))
        menu.addAction(self.tr("Export as JSON…"), lambda: self._ask_export(".json"))
        menu.addAction(self.tr("Import JSON…"), self._ask_import)
        self.files_button.setMenu(menu)
        self.context_meter = ContextMeter()
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        for w in (self.persona, self.settings_button, self.files_button, self.context_meter):
            row.addWidget(w)
        return row

    def _undo_bar(self) -> QHBoxLayout:
        self.undo_label = QLabel()
        self.undo_button = QPushButton(self.tr("&Undo"))
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.undo_button.setIcon(ui_icon("undo"))
        self.undo_button.clicked.connect(self.undo)
        row = QHBoxLayout()
        row.addWidget(self.undo_label, 1)
        row.addWidget(self.undo_button)
        self._offer_undo(None)
        return row

    def _set_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    # -- the conversation ---------------------------------------------------------------
    @property
    def history(self) -> list[ChatMessage]:
        """The shown conversation as chat messages (the reply so far included)."""
        return [ChatMessage(w.message.role, w.text) for w in self.transcript.widgets]

    def open_conversation(self, conversation_id: int | None, message_id: int = 0) -> None:
        """Show a conversation (None: an empty page; the first message creates one).

        Switching to another conversation stops the reply being written, keeps the
        unsent text for when the person comes back, and clears the Undo offer and the
        status line (they were about the conversation left).
        """
        switching = conversation_id != self.conversation_id
        if not switching and self.request_id is not None:
            if message_id:  # the reply streams into the shown messages: keep them
                self.transcript.scroll_to(message_id)
            return
        if switching:
            self.stop()
            self._leave_conversation()
        self.conversation_id = conversation_id
        self._streaming_id = None
        conv = self.store.get(conversation_id) if conversation_id is not None else None
        messages = self.store.messages(conv.id) if conv is not None else []
        live = {
            m.id for m in messages if m.status == STREAMING and not self.service.is_interrupted(m)
        }
        self.transcript.set_messages(messages, conv.cut_message_id if conv else None, live)
        self.documents.button.show_attached(conv.collections if conv else ())
        for message in messages:
            self._show_sources(message)
        self.title.setText(conv.title if conv else self.tr("New chat"))
        self.title.setToolTip(self.title.text())
        if switching:
            draft = self._drafts.pop(conversation_id, "") if conversation_id is not None else ""
            self.input.setPlainText(draft)
        if conv is not None and conv.persona:
            self.persona.set_name(conv.persona)
        last = next((m for m in reversed(messages) if m.prompt_tokens), None)
        self._show_context(last.prompt_tokens + last.completion_tokens if last else 0)
        if message_id:
            self.transcript.scroll_to(message_id)
        if not self.conversations.search.text():
            self.refresh_list()

    def _leave_conversation(self) -> None:
        """Keep the unsent text of the shown conversation; drop what was about it."""
        draft = self.input.toPlainText()
        if self.conversation_id is not None and draft.strip():
            self._drafts[self.conversation_id] = draft
        self._offer_undo(None)
        self.status.clear()
        self._after_stop = None  # an edit or regenerate asked for there is not wanted here

    def _ensure_conversation(self) -> int:
        """The shown conversation, created (with the text typed so far) when there is none."""
        if self.conversation_id is None:
            draft = self.input.toPlainText()
            self.new_conversation()
            self.input.setPlainText(draft)
        assert self.conversation_id is not None
        return self.conversation_id

    def refresh_list(self) -> None:
        """Re-read the conversation list (newest first, pinned on top)."""
        self.conversations.show_conversations(self.store.conversations(), self.conversation_id)

    def new_conversation(self) -> int:
        """Start an empty conversation with the chosen persona and show it."""
        name = self.persona.name()
        conv = self.store.create(persona=name, system_prompt=self.store.personas().get(name, ""))
        self.open_conversation(conv.id)
        return conv.id

    def take_exchange(self, title: str, prompt: str, answer: str) -> int:
        """Show a new conversation ``title`` (chosen persona) that holds ``prompt`` and its
        ``answer`` already, to go on from (e.g. the Ask box's *Continue in Chat*)."""
        name = self.persona.name()
        conv = self.store.create(
            title,
            persona=name,
            system_prompt=self.store.personas().get(name, ""),
            is_auto_title=False,
        )
        self.store.add_message(conv.id, "user", prompt)
        self.store.add_message(conv.id, "assistant", answer)
        self.open_conversation(conv.id)
        return conv.id

    def set_persona(self, name: str) -> None:
        """Use a persona's system prompt in this conversation."""
        self.persona.set_name(name)
        if self.conversation_id is not None:
            self.store.update(
                self.conversation_id,
                persona=name,
                system_prompt=self.store.personas().get(name, ""),
            )

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Give a conversation the person's own title."""
        if title.strip():
            self.store.update(conversation_id, title=title.strip())
            if conversation_id == self.conversation_id:
                self.title.setText(title.strip())
                self.title.setToolTip(title.strip())
            self.refresh_list()

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation; Undo brings it back."""
        data = self.store.delete(conversation_id)
        if conversation_id == self.conversation_id:
            recent = self.store.conversations()
            self.open_conversation(recent[0].id if recent else None)
        self.refresh_list()

        def restore() -> None:
            self.store.restore(data)
            self.open_conversation(conversation_id)

        self._offer_undo((self.tr("Conversation deleted."), restore))

    def _toggle_pin(self, conversation_id: int) -> None:
        self.store.update(conversation_id, pinned=not self.store.get(conversation_id).pinned)
        self.refresh_list()

    def _on_search(self, text: str) -> None:
        if text.strip():
            self.conversations.show_hits(self.store.search(text))
        else:
            self.refresh_list()

    def _find_opened_hit(self, _conversation_id: int, message_id: int) -> None:
        """A hit of the list's search was opened: highlight the search in the messages."""
        query = self.conversations.search.text().strip()
        if message_id and query:
            self.find_bar.search_for(query, message_id)

    def _show_context(self, used: int) -> None:
        self._context_used = used
        self.context_meter.show_usage(used, self.kernel.n_ctx)

    def _on_model_changed(self, _info: object = None) -> None:
        """A model was loaded or unloaded: its context length is now known (or gone)."""
        self._show_context(self._context_used)

    # -- sending ----------------------------------------------------------------------------
    def submit(self) -> None:
        """Send the typed message (nothing happens while a reply is being written)."""
        text = self.input.toPlainText().strip()
        if not text or self.request_id is not None:
            return
        conv_id = self._ensure_conversation()
        self.input.clear()
        self._offer_undo(None)
        self.transcript.add_message(self.service.add_user_message(conv_id, text))
        self._start_reply()

    def regenerate(self) -> None:
        """Replace the last answer with a new one (Undo brings the old one back).

        While a reply is being written it is stopped first (and kept until then)."""
        if self.conversation_id is None or self._stop_first(self.regenerate):
            return
        removed = self.service.prepare_regenerate(self.conversation_id)
        msgs = self.store.messages(self.conversation_id)
        if not msgs or msgs[-1].role != "user":
            return
        self._replace(removed, None, self.tr("Answer regenerated."))

    def edit_message(self, message_id: int, text: str) -> None:
        """Resend a user message with new text; the answers after it are replaced.

        While a reply is being written it is stopped first (and kept until then)."""
        if not text.strip() or self._stop_first(lambda: self.edit_message(message_id, text)):
            return
        removed, new = self.service.prepare_edit(message_id, text.strip())
        self._replace(removed, new.id, self.tr("Message edited."))

    def _stop_first(self, action: Callable[[], None]) -> bool:
        """Stop the reply being written and run ``action`` once it has stopped (True);
        False when nothing is being written (the caller goes on at once)."""
        if self.request_id is None:
            return False
        self._after_stop = action
        self.stop()
        return True

    def _replace(self, removed: list[StoredMessage], first_new: int | None, note: str) -> None:
        assert self.conversation_id is not None
        conv_id = self.conversation_id
        self._replaced = (first_new, removed)
        self.open_conversation(conv_id)

        def restore() -> None:
            first, gone = self._replaced or (None, [])
            self.service.undo(conv_id, first, gone)
            self.open_conversation(conv_id)

        self._offer_undo(
            (self.tr("{note} Undo brings back the previous answer.").format(note=note), restore)
        )
        self._start_reply()

    def _start_reply(self) -> None:
        conv_id = self.conversation_id
        assert conv_id is not None
        params = self.store.get(conv_id).sampling or self._params()
        service = self.service
        self._reply_conversation = conv_id
        if self.documents.is_grounded(self.store.get(conv_id).collections):
            self.request_id = self.documents.submit_reply(
                service, conv_id, params, owner=self.owner, priority=self.priority()
            )
            self.status.setText(self.tr("Looking for the passages that answer it…"))
        else:
            self.request_id = self.kernel.submit(
                lambda engine, cancel: service.reply(engine, cancel, conv_id, params),
                owner=self.owner,
                priority=self.priority(),
            )
            self.status.setText(self.tr("Waiting for the model…"))
        self.busy_changed.emit(True)

    def append_output(self, text: str) -> None:
        last = self.transcript.widgets[-1] if self.transcript.widgets else None
        if last is not None and last.message.id == self._streaming_id:
            self.transcript.append_to_last(text)

    def _on_event(self, request_id: int, event: object) -> None:  # GUI thread
        if isinstance(event, TitleChanged) and request_id == self._title_request:
            if event.conversation_id == self.conversation_id:
                self.title.setText(event.title)
            self.refresh_list()
        if not self._mine(request_id):
            return
        if isinstance(event, ReplyStarted) and event.conversation_id == self.conversation_id:
            self._streaming_id = event.message.id
            if self._replaced is not None and self._replaced[0] is None:
                self._replaced = (event.message.id, self._replaced[1])
            self.transcript.add_message(event.message, live=True)
            self.transcript.set_cut(event.context.cut_message_id)
            self._show_context(event.context.prompt_tokens)
        elif isinstance(event, ReplyEnded):
            widget = self.transcript.widget_for(event.message.id)
            if widget is not None:
                widget.set_message(event.message)
                self._show_sources(event.message)
            stats = event.stats
            if stats is not None:
                self._show_context(stats.prompt_tokens + stats.completion_tokens)

    # -- knowledge collections ------------------------------------------------------------
    def use_knowledge(self, indexer: Callable[[], KnowledgeIndexer] | None) -> None:
        """Offer the collections of the app's knowledge index (``indexer()`` makes or
        returns it; None: the Documents button hides)."""
        self.documents.use(indexer)

    def attach_collections(self, names: tuple[str, ...]) -> None:
        """Answer the conversation's next messages from these collections (none: plain chat)."""
        conv_id = self._ensure_conversation()
        self.store.update(conv_id, collections=tuple(names))
        self.documents.button.show_attached(names)

    def _show_documents_menu(self) -> None:
        if self.documents.button.isVisible():
            self.documents.button.showMenu()

    def _show_sources(self, message: StoredMessage) -> None:
        """Show the passages a reply cites under it (the reply's own widget)."""
        widget = self.transcript.widget_for(message.id)
        if widget is not None and message.role == "assistant":
            widget.set_extra(self.documents.sources_view(message))

    def _end(self, message: str) -> None:
        # a reply stopped by switching conversations has nothing to say about the new one
        shown = message if self._reply_conversation == self.conversation_id else ""
        super()._end(shown)

    def request_done(self) -> None:
        action, self._after_stop = self._after_stop, None
        if action is not None:  # the stopped reply is saved; now edit or regenerate
            action()
            return
        shown = self._reply_conversation == self.conversation_id
        conv_id = self.conversation_id if shown else None  # not one the person left
        if conv_id is None or not self.service.needs_title(conv_id):
            self.refresh_list()
            return
        service = self.service
        self._title_request = self.kernel.submit(
            lambda engine, cancel: service.generate_title(engine, cancel, conv_id),
            owner=self.owner,
            priority=Priority.BACKGROUND,
        )

    def _on_title_done(self, request_id: int, _stats: object) -> None:
        if request_id == self._title_request:
            self._title_request = None

    # -- undo ---------------------------------------------------------------------------
    def _offer_undo(self, action: tuple[str, Callable[[], None]] | None) -> None:
        self._undo = action
        self.undo_label.setText(action[0] if action else "")
        self.undo_label.setVisible(action is not None)
        self.undo_button.setVisible(action is not None)

    def undo(self) -> None:
        """Undo the last delete, regenerate or edit (not while a reply is written)."""
        if self._undo is None or self.request_id is not None:
            return
        _, action = self._undo
        self._offer_undo(None)
        action()

    # -- dialogs and files ---------------------------------------------------------------
    def _ask_rename(self, conversation_id: int) -> None:
        old = self.store.get(conversation_id).title
        title, ok = QInputDialog.getText(
            self, self.tr("Rename conversation"), self.tr("Title:"), text=old
        )
        if ok:
            self.rename_conversation(conversation_id, title)

    def _ask_edit(self, message_id: int) -> None:
        old = self.store.message(message_id).content
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("Edit and resend"), self.tr("Message:"), old
        )
        if ok:
            self.edit_message(message_id, text)

    def _ask_settings(self) -> None:
        conv = self.store.get(self._ensure_conversation())
        dialog = ConversationSettingsDialog(conv, self._params(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        prompt = dialog.system_prompt.toPlainText()
        self.store.update(conv.id, system_prompt=prompt, sampling=dialog.sampling())
        if dialog.save_persona.isChecked() and conv.persona:
            self.store.save_persona(conv.persona, prompt)

    def export_to(self, path: Path) -> None:
        """Write the current conversation to ``path`` (.md: Markdown, else JSON)."""
        if self.conversation_id is None:
            return
        exporter = chat_export.export_markdown if path.suffix == ".md" else chat_export.export_json
        try:
            path.write_text(exporter(self.store, self.conversation_id), encoding="utf-8")
        except OSError as exc:  # a read-only folder, a full disk, a removed drive
            self.status.setText(
                self.tr("Could not export to {path}: {error}").format(
                    path=path, error=exc.strerror or exc
                )
            )
            return
        self.status.setText(self.tr("Exported to {path}.").format(path=path))

    def import_from(self, path: Path) -> None:
        """Add the conversation exported in ``path`` and show it."""
        try:
            conv = chat_export.import_json(self.store, path.read_bytes())
        except (OSError, LLMasOSError) as exc:
            self.status.setText(
                self.tr("Could not import {name}: {error}").format(
                    name=path.name, error=error_text(exc)
                )
            )
            return
        self.open_conversation(conv.id)

    def _ask_export(self, suffix: str) -> None:
        if self.conversation_id is not None:
            path = ask_save_path(self, self.store.get(self.conversation_id).title, suffix)
            if path is not None:
                self.export_to(path)

    def _ask_import(self) -> None:
        path = ask_open_path(self)
        if path is not None:
            self.import_from(path)
