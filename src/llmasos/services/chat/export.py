"""Export a conversation to Markdown or JSON, and import the JSON back.

The JSON form is the one :meth:`ConversationStore.delete` returns for undo:
``{"format": "llmasos-conversation", "version": 1, "conversation": {...},
"messages": [...]}``. Importing it gives the same conversation under a new id.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from llmasos.errors import ConversationImportError
from llmasos.services.chat.conversations import ConversationStore
from llmasos.services.chat.grounding import Source, sources
from llmasos.services.chat.records import (
    Conversation,
    conversation_from_dict,
    conversation_to_dict,
)

_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "system": "System"}
FILE_NAME_CHARS = 64  # before the suffix
FILE_NAME_BYTES = 200  # UTF-8; file systems allow 255 per name
_NOT_IN_FILE_NAMES = frozenset('/\\:*?"<>|')
# Windows refuses these as names, whatever the suffix
_QUOTE_CHARS = 300  # of a cited passage in a Markdown export
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)


def export_file_name(title: str, suffix: str, limit: int = FILE_NAME_CHARS) -> str:
    """A file name for exporting a conversation titled ``title``, e.g. "天气-预报.md".

    Letters of any script, digits and punctuation stay; only what file systems refuse
    (``/ \\ : * ? " < > |`` and control characters) goes. Spaces, and a refused
    character between two words, become one "-". The name is at most ``limit``
    characters (cut between words where it can) and never empty ("chat").
    """
    words = "".join(
        " " if c in _NOT_IN_FILE_NAMES or unicodedata.category(c) == "Cc" else c for c in title
    ).split()  # "part 1/2" keeps its numbers apart: "part-1-2"
    name = _tidy(re.sub(r"-{2,}", "-", "-".join(words)))
    if len(name) > limit:
        cut = name[:limit]
        at = cut.rfind("-")
        name = _tidy(cut[:at] if at > limit // 2 else cut)
    while len(name.encode("utf-8")) > FILE_NAME_BYTES:
        name = _tidy(name[:-1])
    if name.split(".")[0].upper() in _RESERVED:
        name += "_"
    return (name or "chat") + suffix


def _tidy(name: str) -> str:
    """Without the dashes, dots and spaces at its ends (hidden files, Windows' rules)."""
    return name.strip("-. ")


def export_json(store: ConversationStore, conversation_id: int) -> str:
    """The conversation as JSON text (UTF-8, indented)."""
    data = conversation_to_dict(store.get(conversation_id), store.messages(conversation_id))
    return json.dumps(data, ensure_ascii=False, indent=2)


def import_json(store: ConversationStore, text: str | bytes) -> Conversation:
    """Add the conversation in ``text`` (from :func:`export_json`; bytes are read as
    UTF-8, with or without a BOM) under a new id.

    Raises:
        ConversationImportError: ``text`` is not a conversation export.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConversationImportError(
                f"The file is not UTF-8 text (byte {exc.start}); choose a .json file "
                "exported by LLMasOS."
            ) from exc
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
        parts += _sources_markdown(sources(m))
    return "\n".join(parts)


def _sources_markdown(cited: Sequence[Source]) -> list[str]:
    """The passages a grounded reply cites, under it: "[n] file, page or headings" and
    the quoted passage, so that an exported answer keeps what it was answered from."""
    if not cited:
        return []
    lines = ["**Sources**", ""]
    for source in cited:
        where = [f"page {source.page}"] if source.page else []
        where += [" › ".join(source.heading)] if source.heading else []
        place = f" ({'; '.join(where)})" if where else ""
        lines.append(f"- [{source.number}] `{source.file}`{place}")
        quoted = " ".join(source.passage.split())
        if len(quoted) > _QUOTE_CHARS:
            quoted = quoted[: _QUOTE_CHARS - 1].rstrip() + "…"
        if quoted:
            lines.append(f"  > {quoted}")
    return [*lines, ""]
