"""A tiny OpenAI-style server whose failures tests choose: status codes, broken or slow streams.

Real sockets and real HTTP (the standard library's server), so the remote engine's
error handling meets the failures a real network gives it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    """What the stub does with the next requests."""

    models: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": "stub-model", "object": "model", "context_length": 1234}]
    )
    status: int = 200  # for POSTs: an error status instead of a stream
    headers: dict[str, str] = field(default_factory=dict)
    error_body: dict[str, Any] = field(
        default_factory=lambda: {
            "error": {"message": "stub says no", "type": "x", "param": None, "code": None}
        }
    )
    pieces: tuple[str, ...] = ("Hello", ",", " world")
    break_after: int | None = None  # close the stream after this many pieces
    delay_s: float = 0.0  # wait before answering a POST
    send_usage: bool = True
    seen: list[dict[str, Any]] = field(default_factory=list)  # request bodies received
    seen_auth: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: StubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        b = self.server.behaviour
        b.seen_auth.append(self.headers.get("Authorization", ""))
        if b.status in (401, 403):
            self._json(b.status, b.error_body, b.headers)
            return
        self._json(200, {"object": "list", "data": b.models}, {})

    def do_POST(self) -> None:
        b = self.server.behaviour
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        b.seen.append(body)
        b.seen_auth.append(self.headers.get("Authorization", ""))
        time.sleep(b.delay_s)
        if b.status != 200:
            self._json(b.status, b.error_body, b.headers)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        chat = self.path.endswith("/chat/completions")
        for i, piece in enumerate(b.pieces):
            if b.break_after is not None and i >= b.break_after:
                self.wfile.flush()
                self.connection.shutdown(2)  # the network dies mid-answer
                return
            part = {"delta": {"content": piece}} if chat else {"text": piece}
            self._event({"choices": [{"index": 0, **part, "finish_reason": None}]})
        self._event({"choices": [{"index": 0, "delta": {}, "text": "", "finish_reason": "stop"}]})
        if b.send_usage:
            self._event(
                {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": len(b.pieces)}}
            )
        self.wfile.write(b"data: [DONE]\n\n")

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.flush()


class StubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = Behaviour()
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-stub"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()
