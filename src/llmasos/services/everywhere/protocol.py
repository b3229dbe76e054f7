"""The single-instance protocol: how a second ``llmasos`` talks to the running app.

The running app listens on a local socket (``QLocalServer``) named by
:func:`server_name`: ``llmasos-<uid>``, plus a short hash of ``LLMASOS_HOME`` when that
is set (so separate homes, as in the tests, run separate instances).

Each message is one line of UTF-8 JSON ending in ``\\n``, with a version field ``v``
(:data:`VERSION`). The client sends one request and reads one reply, then closes.

Requests (``cmd`` says which):

- ``{"v": 1, "cmd": "show"}``: raise the main window.
- ``{"v": 1, "cmd": "open_model", "path": "/abs/model.gguf"}``: raise it and load the file.
- ``{"v": 1, "cmd": "do", "action": "translate", "to": "zh", "tone": "formal"}``: run an
  action (:data:`ACTIONS`) on the current selection, in the popup. ``to`` and ``tone``
  may be omitted. With no text selected and an image on the clipboard, the action runs
  on the image's text (OCR). ``ocr`` picks a screen region and shows its text;
  ``ocr-translate`` picks one and translates its text (into ``to``).
- ``{"v": 1, "cmd": "state"}``: what the popup shows (for scripts and tests).

Replies: ``{"v": 1, "ok": true, ...}`` (``state`` adds ``"popup": {...}``) or
``{"v": 1, "ok": false, "error": "what went wrong"}``. A request with a newer major
version than the server's is refused with an error reply.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from llmasos.foundation.platform.paths import HOME_ENV

VERSION = 1
COMMANDS = ("show", "open_model", "do", "state")
ACTIONS = (
    "translate",
    "proofread",
    "rewrite",
    "summarize",
    "explain",
    "ask",
    "ocr",
    "ocr-translate",
)
MAX_LINE = 1 << 20  # bytes; a request is small, anything longer is refused


class ProtocolError(ValueError):
    """A message that is not a valid request or reply of this protocol."""


def server_name() -> str:
    """The local socket name of this user's instance (and of this ``LLMASOS_HOME``)."""
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    home = os.environ.get(HOME_ENV, "")
    if not home:
        return f"llmasos-{uid}"
    digest = hashlib.sha256(os.path.abspath(home).encode("utf-8")).hexdigest()[:10]
    return f"llmasos-{uid}-{digest}"


def encode(message: dict[str, Any]) -> bytes:
    """One message as a line of JSON (the version added)."""
    return (json.dumps({"v": VERSION, **message}, ensure_ascii=False) + "\n").encode("utf-8")


def decode(line: bytes) -> dict[str, Any]:
    """Parse one line; raise :class:`ProtocolError` when it is not a message of ours."""
    if len(line) > MAX_LINE:
        raise ProtocolError("message too long")
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON line: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), int):
        raise ProtocolError("not a message: a JSON object with a version 'v' is expected")
    if data["v"] > VERSION:
        raise ProtocolError(f"protocol version {data['v']} is newer than this app's {VERSION}")
    return data


def check_request(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a decoded request; raise :class:`ProtocolError` with the reason."""
    cmd = data.get("cmd")
    if cmd not in COMMANDS:
        raise ProtocolError(f"unknown command {cmd!r}; expected one of {', '.join(COMMANDS)}")
    if cmd == "open_model" and not isinstance(data.get("path"), str):
        raise ProtocolError("open_model needs a 'path'")
    if cmd == "do" and data.get("action") not in ACTIONS:
        raise ProtocolError(
            f"unknown action {data.get('action')!r}; expected one of {', '.join(ACTIONS)}"
        )
    return data
