"""One instance per user: the app's local-socket server, and the client a second start uses.

The protocol (one JSON line each way, versioned) is in
:mod:`llmasos.services.everywhere.protocol`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from llmasos.services.everywhere.protocol import (
    MAX_LINE,
    ProtocolError,
    check_request,
    decode,
    encode,
    server_name,
)

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def send(message: dict[str, Any], timeout_ms: int = 3000) -> dict[str, Any] | None:
    """Send one request to the running instance; its reply, or None when none runs.

    Blocking, and needs no event loop (the command line calls it before any app exists).
    """
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return None  # nobody listens (or a stale socket left by a crash)
    socket.write(encode(message))
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    data = b""
    while not data.endswith(b"\n") and len(data) < MAX_LINE:
        if socket.bytesAvailable() == 0 and not socket.waitForReadyRead(timeout_ms):
            break
        data += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    if not data.endswith(b"\n"):
        return {"v": 1, "ok": False, "error": "the running LLMasOS did not answer in time"}
    try:
        return decode(data.strip())
    except ProtocolError as exc:
        return {"v": 1, "ok": False, "error": f"the running LLMasOS answered oddly: {exc}"}


def hand_over(model: Path | None) -> bool:
    """Whether a running instance took this start's request (show it, or open ``model``)."""
    request: dict[str, Any] = {"cmd": "show"}
    if model is not None:
        request = {"cmd": "open_model", "path": str(Path(model).resolve())}
    reply = send(request)
    return reply is not None and bool(reply.get("ok"))


class InstanceServer(QObject):
    """Listens on this user's socket and answers each request with ``handler``'s reply."""

    def __init__(self, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler = handler
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def name(self) -> str:
        return self._server.fullServerName()

    def listen(self) -> bool:
        """Start listening; a socket a crashed instance left behind is removed first."""
        name = server_name()
        if self._server.listen(name):
            return True
        # the caller found no live instance (hand_over), so what is there is stale
        QLocalServer.removeServer(name)
        if self._server.listen(name):
            return True
        log.warning("single-instance server: %s", self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_LINE:
                self._reply(socket, {"ok": False, "error": "message too long"})
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        try:
            reply = self._handler(check_request(decode(line)))
        except ProtocolError as exc:
            reply = {"ok": False, "error": str(exc)}
        except Exception as exc:  # a bug must not take the server down
            log.exception("single-instance request failed")
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        self._reply(socket, reply)

    def _reply(self, socket: QLocalSocket, reply: dict[str, Any]) -> None:
        self._buffers.pop(socket, None)
        socket.write(encode(reply))
        socket.flush()
        socket.disconnectFromServer()
