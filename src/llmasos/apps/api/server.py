"""The HTTP server: the standard library's ``ThreadingHTTPServer``, one thread per request.

Safety by default: it binds 127.0.0.1; any other address needs an API key (checked
in constant time with :func:`hmac.compare_digest`); without a key it answers only
requests whose ``Host`` names this computer (a DNS-rebinding guard); CORS is off
unless origins are configured; POST bodies must be JSON (``Content-Type:
application/json``, which a web page cannot send cross-site without CORS) and at
most :attr:`Limits.max_body_bytes`. Each response closes its connection (HTTP/1.0),
so stopping the server never waits on an idle keep-alive client.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import select
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from llmasos.apps.api.ask import KnowledgeAccess
from llmasos.apps.api.bridge import KernelBridge
from llmasos.apps.api.embeddings import EmbeddingModel
from llmasos.apps.api.protocol import MAX_TOKENS, ApiError, Limits
from llmasos.errors import SettingsError
from llmasos.foundation.engine.settings import SamplingParams

log = logging.getLogger(__name__)

POLL_S = 0.2  # how often a waiting handler checks whether its client went away


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name) means this computer only."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """Where the API listens and what it allows."""

    host: str = "127.0.0.1"
    port: int = 8800  # 0 picks a free port
    api_key: str = field(default="", repr=False)
    cors_origins: tuple[str, ...] = ()  # "*" allows any origin
    limits: Limits = field(default_factory=Limits)
    sampling: SamplingParams = field(default_factory=SamplingParams)  # request defaults
    embedding_model: str = ""  # GGUF path of /v1/embeddings' model ("" for none)

    def checked(self) -> ServerConfig:
        """Return self, or raise :class:`SettingsError` if it would be unsafe, or its
        max-tokens limit or default is outside the range of ``sampling.max_tokens``."""
        for what, value in (
            ("max-tokens limit", self.limits.max_tokens),
            ("default max tokens", self.limits.default_max_tokens),
        ):
            if MAX_TOKENS.problem(value):
                raise SettingsError(
                    f"The API server's {what} must be {MAX_TOKENS.span()} tokens; got {value!r}."
                )
        if not is_loopback(self.host) and not self.api_key:
            raise SettingsError(
                f"The API server may listen on {self.host} (reachable from other computers) "
                "only with an API key: pass --api-key KEY (or set one in Settings), or use "
                "--host 127.0.0.1."
            )
        return self


class ClientGone(Exception):
    """The client closed its connection."""


Route = Callable[["Handler"], None]


class ApiServer(ThreadingHTTPServer):
    """The threaded HTTP server; routes live in :mod:`llmasos.apps.api.routes`."""

    daemon_threads = False
    block_on_close = True  # server_close() waits for every handler thread

    def __init__(
        self, config: ServerConfig, bridge: KernelBridge, routes: dict[tuple[str, str], Route]
    ) -> None:
        self.config = config.checked()
        self.bridge = bridge
        self.routes = routes
        self.embeddings = EmbeddingModel(
            Path(config.embedding_model) if config.embedding_model else None
        )
        self.knowledge = KnowledgeAccess(self.embeddings)
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        self.address_family = family
        super().__init__((config.host, config.port), Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def server_close(self) -> None:
        """Close the socket, join the handler threads, then close the knowledge index."""
        super().server_close()
        self.knowledge.close()


class Handler(BaseHTTPRequestHandler):
    """One HTTP request, on its own thread."""

    server: ApiServer
    protocol_version = "HTTP/1.0"
    server_version = "LLMasOS"
    timeout = 30  # seconds a socket read or write may block (a stalled client is dropped)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_OPTIONS(self) -> None:
        self._dispatch("OPTIONS")

    @property
    def config(self) -> ServerConfig:
        return self.server.config

    def _dispatch(self, method: str) -> None:
        try:
            self._check_host()
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            if method == "OPTIONS":
                self._preflight()
                return
            route = self.server.routes.get((method, path))
            if route is None:
                raise self._no_route(method, path)
            if path.startswith("/v1/"):
                self._check_key()
            route(self)
        except ApiError as exc:
            self._send_error(exc)
        except ClientGone:
            log.info("Client %s went away", self.address_string())

    def _no_route(self, method: str, path: str) -> ApiError:
        if any(p == path for _m, p in self.server.routes):
            return ApiError(405, f"{method} is not allowed on {path}.", code="method_not_allowed")
        return ApiError(404, f"There is no endpoint {path}; see /openapi.json.", code="unknown_url")

    # -- security -----------------------------------------------------------------------
    def _check_host(self) -> None:
        if self.config.api_key or not is_loopback(self.config.host):
            return
        host = (self.headers.get("Host") or "").strip()
        name = host.rsplit(":", 1)[0] if host.count(":") <= 1 else host.rsplit("]", 1)[0] + "]"
        if not is_loopback(name):
            raise ApiError(
                403,
                f"Host {host!r} is not this computer; requests must name 127.0.0.1 or localhost.",
                type="permission_error",
                code="host_not_allowed",
            )

    def _check_key(self) -> None:
        key = self.config.api_key
        if not key:
            return
        given = self.headers.get("Authorization") or ""
        scheme, _, token = given.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode("utf-8", "replace"), key.encode("utf-8")
        )
        if not ok:
            what = "is missing" if not given else "is wrong"
            raise ApiError(
                401,
                f"The API key {what}. Send 'Authorization: Bearer <key>'.",
                code="invalid_api_key",
            )

    def _allowed_origin(self) -> str | None:
        origin = self.headers.get("Origin")
        allowed = self.config.cors_origins
        if origin and ("*" in allowed or origin in allowed):
            return origin
        return None

    def _preflight(self) -> None:
        origin = self._allowed_origin()
        if origin is None:
            raise ApiError(
                403,
                "Cross-origin requests are not enabled on this server.",
                type="permission_error",
                code="cors_not_allowed",
            )
        self.send_response(204)
        self._cors_headers(origin)
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.end_headers()

    def _cors_headers(self, origin: str | None = None) -> None:
        origin = origin or self._allowed_origin()
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    # -- reading ------------------------------------------------------------------------
    def read_json(self, limit: int | None = None) -> dict[str, Any]:
        """The request body as a JSON object (bounded, and JSON only).

        ``limit``: the most bytes this endpoint takes (default: the server's limit).
        """
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(
                415,
                "Send the body as JSON with 'Content-Type: application/json'.",
                code="unsupported_media_type",
            )
        raw_length = self.headers.get("Content-Length")
        if raw_length is None or not raw_length.strip().isdigit():
            raise ApiError(411, "A Content-Length header is required.", code="length_required")
        length = int(raw_length)
        limit = limit or self.config.limits.max_body_bytes
        if length > limit:
            raise ApiError(
                413,
                f"The request body is {length:,} bytes; the limit is {limit:,}.",
                code="request_too_large",
            )
        data = self.rfile.read(length)
        try:
            body = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(
                400, f"The request body is not valid JSON ({exc}).", code="invalid_json"
            ) from exc
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.", code="invalid_json")
        return body

    def client_gone(self) -> bool:
        """Whether the client closed its side (checked without blocking)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    # -- writing ------------------------------------------------------------------------
    def send_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self._cors_headers()
            self.end_headers()
            self.wfile.write(data)
        except OSError as exc:
            raise ClientGone from exc

    def _send_error(self, exc: ApiError) -> None:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        try:
            self.send_json(exc.status, exc.body(), headers)
        except ClientGone:
            log.info("Client %s went away before its error", self.address_string())

    def start_events(self, headers: dict[str, str]) -> None:
        """Begin a ``text/event-stream`` response."""
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Accel-Buffering", "no")
            for name, value in headers.items():
                self.send_header(name, value)
            self._cors_headers()
            self.end_headers()
        except OSError as exc:
            raise ClientGone from exc

    def send_event(self, payload: dict[str, Any] | str) -> None:
        """Write one ``data:`` event; raise :class:`ClientGone` if the client left."""
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        try:
            self.wfile.write(b"data: " + text.encode("utf-8") + b"\n\n")
            self.wfile.flush()
        except OSError as exc:
            raise ClientGone from exc
