"""Export a conversation to Markdown or JSON, and import the JSON back.

The JSON form is the one :meth:`ConversationStore.delete` returns for undo:
``{"format": "llmasos-conversation", "version": 1, "conversation": {...},
"messages": [...]}``. Importing it gives the same conversation under a new id.
"""

from __future__ import annotations

import json

from llmasos.errors import ConversationImportError
from llmasos.services.chat.conversations import ConversationStore
from llmasos.services.chat.records import (
    Conversation,
    conversation_from_dict,
    conversation_to_dict,
)

_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "system": "System"}


def export_json(store: ConversationStore, conversation_id: int) -> str:
    """The conversation as JSON text (UTF-8, indented)."""
    data = conversation_to_dict(store.get(conversation_id), store.messages(conversation_id))
    return json.dumps(data, ensure_ascii=False, indent=2)


def import_json(store: ConversationStore, text: str) -> Conversation:
    """Add the conversation in ``text`` (from :func:`export_json`) under a new id."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConversationImportError(f"The file is not JSON ({exc}).") from exc
    conversation_from_dict(data)  # validate before writing anything
    return store.restore(data, keep_ids=False)


def export_markdown(store: ConversationStore, conversation_id: int) -> str:
    """The conversation as a Markdown document, for reading or sharing."""
    conv = store.get(conversation_id)
    parts = [f"# {conv.title}", ""]
    if conv.system_prompt:
        parts += ["> **System:** " + conv.system_prompt.replace("\n", "\n> "), ""]
    for m in store.messages(conversation_id):
        heading = _ROLE_HEADINGS.get(m.role, m.role.title())
        note = f" *({m.status})*" if m.status != "done" else ""
        parts += [f"## {heading}{note}", "", m.content.strip(), ""]
    return "\n".join(parts)
