"""A conversation as plain records, and as the JSON data of an export.

:class:`Conversation` and :class:`StoredMessage` are what the store reads and writes;
:func:`conversation_to_dict` / :func:`conversation_from_dict` are the export format
(``{"format": "llmasos-conversation", "version": 1, "conversation": {...},
"messages": [...]}``), which the store also uses for undo. The store and the exporter
both build on this module; it imports neither.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

from llmasos.errors import ConversationImportError
from llmasos.foundation.engine.settings import SamplingParams

FORMAT = "llmasos-conversation"
VERSION = 1


@dataclass(frozen=True)
class Conversation:
    """A conversation's settings. ``sampling`` None means the app's defaults."""

    id: int
    title: str
    is_auto_title: bool
    system_prompt: str
    persona: str
    model: str
    sampling: SamplingParams | None
    pinned: bool
    cut_message_id: int | None  # first message still sent to the model (None: all)
    created: float
    updated: float
    #: knowledge collections each reply is grounded in (services.chat.grounding)
    collections: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredMessage:
    """One stored message with what generating it cost (zeros for user messages)."""

    id: int
    conversation_id: int
    role: str
    content: str
    status: str
    created: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_per_s: float = 0.0
    ttft_s: float = 0.0
    model: str = ""
    #: the passages a grounded reply cites, as JSON (services.chat.grounding.sources)
    citations: str = ""


def sampling_to_json(params: SamplingParams | None) -> str:
    """Sampling settings as JSON text ("" for the app's defaults)."""
    if params is None:
        return ""
    data = {f.name: getattr(params, f.name) for f in fields(params)}
    data["stop"] = list(params.stop)
    return json.dumps(data, sort_keys=True)


def sampling_from_json(text: str) -> SamplingParams | None:
    """The inverse of :func:`sampling_to_json`; unknown keys are ignored."""
    if not text:
        return None
    data = json.loads(text)
    known = {f.name for f in fields(SamplingParams)}
    kwargs = {k: v for k, v in data.items() if k in known}
    kwargs["stop"] = tuple(kwargs.get("stop", ()))
    return SamplingParams(**kwargs)


def conversation_to_dict(conv: Conversation, messages: list[StoredMessage]) -> dict[str, Any]:
    """Plain JSON-ready data for a conversation and its messages."""
    data = asdict(conv)
    data["sampling"] = json.loads(sampling_to_json(conv.sampling) or "null")
    data["collections"] = list(conv.collections)
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
        collections=tuple(str(name) for name in raw.get("collections") or ()),
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
    values["citations"] = str(values.get("citations") or "")
    return StoredMessage(**values)
