"""A Hub endpoint on 127.0.0.1 that fails the way a retry can mend, then answers.

``/api/models`` (a search) fails its first requests as its ``failures`` list says
(``"503"``: an overloaded server; ``"drop"``: the connection closed without an
answer), then answers ``[]``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FlakyHub:
    """The running server: its ``endpoint``, and the ``failures`` still to come."""

    def __init__(self, endpoint: str, failures: list[str]) -> None:
        self.endpoint, self.failures = endpoint, failures


def _handler(failures: list[str]) -> type[BaseHTTPRequestHandler]:
    class Flaky(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            how = failures.pop(0) if failures else "ok"
            if how == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, body = (503, b"busy") if how == "503" else (200, b"[]")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Flaky


@contextlib.contextmanager
def flaky_hub(*failures: str) -> Iterator[FlakyHub]:
    """Serve until the block ends; the thread is joined before it returns."""
    pending = list(failures)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(pending))
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, name="flaky-hub")
    thread.start()
    try:
        yield FlakyHub(f"http://127.0.0.1:{server.server_address[1]}", pending)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
