"""Export a conversation to Markdown or JSON, and import the JSON back.

The JSON form is the one :meth:`ConversationStore.delete` returns for undo:
``{"format": "llmasos-conversation", "version": 1, "conversation": {...},
"messages": [...]}``. Importing it gives the same conversation under a new id.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, fields
from typing import Any

from llmasos.errors import ConversationImportError
from llmasos.services.chat.conversations import (
    Conversation,
    ConversationStore,
    StoredMessage,
    sampling_from_json,
    sampling_to_json,
)

FORMAT = "llmasos-conversation"
VERSION = 1
_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "system": "System"}


def conversation_to_dict(conv: Conversation, messages: list[StoredMessage]) -> dict[str, Any]:
    """Plain JSON-ready data for a conversation and its messages."""
    data = asdict(conv)
    data["sampling"] = json.loads(sampling_to_json(conv.sampling) or "null")
    return {
        "format": FORMAT,
        "version": VERSION,
        "conversation": data,
        "messages": [asdict(m) for m in messages],
    }


def conversation_from_dict(data: Any) -> tuple[Conversation, list[StoredMessage]]:
    """Read :func:`conversation_to_dict` data back.

    Raises:
        ConversationImportError: the data is not a conversation export.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConversationImportError(
            "This is not an LLMasOS conversation export (its 'format' is not "
            f"'{FORMAT}'). Export the conversation from LLMasOS as JSON and import that file."
        )
    if int(data.get("version", 0)) > VERSION:
        raise ConversationImportError(
            "This export comes from a newer LLMasOS; update to import it."
        )
    try:
        conv = _conversation(dict(data["conversation"]))
        msgs = [_message(dict(m), conv.id) for m in data["messages"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConversationImportError(
            f"The conversation export is damaged ({exc!r}). Export it again."
        ) from exc
    return conv, msgs


def _conversation(raw: dict[str, Any]) -> Conversation:
    now = time.time()
    sampling = raw.get("sampling")
    return Conversation(
        id=int(raw.get("id") or 0),
        title=str(raw["title"]),
        is_auto_title=bool(raw.get("is_auto_title", False)),
        system_prompt=str(raw.get("system_prompt", "")),
        persona=str(raw.get("persona", "")),
        model=str(raw.get("model", "")),
        sampling=sampling_from_json(json.dumps(sampling)) if sampling else None,
        pinned=bool(raw.get("pinned", False)),
        cut_message_id=(
            int(raw["cut_message_id"]) if raw.get("cut_message_id") is not None else None
        ),
        created=float(raw.get("created", now)),
        updated=float(raw.get("updated", now)),
    )


def _message(raw: dict[str, Any], conversation_id: int) -> StoredMessage:
    if raw.get("role") not in ("user", "assistant", "system"):
        raise ValueError(f"unknown role {raw.get('role')!r}")
    known = {f.name for f in fields(StoredMessage)}
    values = {k: v for k, v in raw.items() if k in known}
    values["conversation_id"] = conversation_id
    values.setdefault("status", "done")
    values.setdefault("created", time.time())
    values["content"] = str(values["content"])
    return StoredMessage(**values)


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
