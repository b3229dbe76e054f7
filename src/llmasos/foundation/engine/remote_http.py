"""HTTP for :mod:`llmasos.foundation.engine.remote`: JSON requests and server-sent-event streams.

Standard library only (``http.client``). Every failure becomes a typed error from
:mod:`llmasos.errors` naming the server and what to do next. A stream is cancelled
from any thread by a :class:`CancelToken`: a small watcher thread shuts the socket
down, which wakes the blocked read and tells the server to stop generating.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from llmasos.errors import (
    RemoteAuthError,
    RemoteEngineError,
    RemoteModelNotFound,
    RemoteProtocolError,
    RemoteRateLimited,
    RemoteStreamBroken,
    RemoteTimeout,
    RemoteUnreachable,
    SettingsError,
)
from llmasos.foundation.engine.cancel import CancelToken

log = logging.getLogger(__name__)

CANCEL_POLL_S = 0.05  # how often a stream's watcher looks at its cancel token


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _server_message(body: bytes) -> str:
    """The error message inside an error response, or its first line of text."""
    try:
        data = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace").strip()
        return text.splitlines()[0][:200] if text else ""
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data.get("message")))
        if isinstance(err, dict):
            err = err.get("message", err)
        if err:
            return str(err)[:300]
    return ""


class HttpClient:
    """Requests to one OpenAI-compatible API base address (``…/v1``)."""

    def __init__(
        self,
        url: str,
        api_key: str = "",
        *,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 300.0,
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(
                f"The remote engine address must start with http:// or "
                f"https://, e.g. http://127.0.0.1:8080/v1; got {url!r}."
            )
        path = parts.path.rstrip("/")
        if not path.endswith("/v1"):
            path += "/v1"
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.path = path
        netloc = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        self.base_url = f"{parts.scheme}://{netloc}{path}"
        self._key = api_key
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s

    def __repr__(self) -> str:  # never show the key
        return f"HttpClient({self.base_url!r})"

    def get_json(self, endpoint: str) -> Any:
        """GET ``endpoint`` and return its JSON body."""
        conn, resp = self.open("GET", endpoint, None)
        try:
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            raise self._read_failed(exc) from exc
        finally:
            conn.close()
        try:
            return json.loads(body)
        except ValueError as exc:
            raise RemoteProtocolError(
                f"{self.base_url}{endpoint} did not answer with JSON. Check the address: it "
                "should be an OpenAI-compatible server."
            ) from exc

    def stream(self, endpoint: str, payload: dict[str, Any], cancel: CancelToken) -> SseStream:
        """POST ``payload`` to ``endpoint`` and return its event stream."""
        conn, resp = self.open("POST", endpoint, payload)
        return SseStream(conn, resp, cancel, f"{self.base_url}{endpoint}", self.read_timeout_s)

    def open(
        self, method: str, endpoint: str, payload: dict[str, Any] | None
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Send one request; return the connection and a successful (2xx) response.

        Raises:
            RemoteEngineError: a subclass for each way it can fail.
        """
        conn = self._connection()
        headers = {"Accept": "application/json, text/event-stream"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        body = None
        if payload is not None:
            body = json.dumps(payload).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            conn.connect()
            if conn.sock is not None:
                conn.sock.settimeout(self.read_timeout_s)
            conn.request(method, self.path + endpoint, body=body, headers=headers)
            resp = conn.getresponse()
        except BaseException as exc:
            conn.close()
            if isinstance(exc, (OSError, http.client.HTTPException)):
                raise self._connect_failed(exc) from exc
            raise
        if resp.status >= 400:
            try:
                detail = resp.read(65536)
            except (OSError, http.client.HTTPException):
                detail = b""
            conn.close()
            raise self.status_error(resp.status, detail, resp.getheader("Retry-After"), payload)
        return conn, resp

    def _connection(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(
                self.host,
                self.port,
                timeout=self.connect_timeout_s,
                context=ssl.create_default_context(),
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout_s)

    def _connect_failed(self, exc: BaseException) -> RemoteEngineError:
        if isinstance(exc, (TimeoutError, socket.timeout)):
            return RemoteTimeout(
                f"The server at {self.base_url} did not answer within "
                f"{self.read_timeout_s:g} s. It may be overloaded; try again "
                "later."
            )
        if isinstance(exc, ssl.SSLError):
            return RemoteUnreachable(
                f"A secure connection to {self.base_url} failed ({exc}). "
                "Check the address and the server's certificate."
            )
        return RemoteUnreachable(
            f"Cannot reach the server at {self.base_url} ({exc}). Check "
            "that it is running and the address is right."
        )

    def _read_failed(self, exc: BaseException) -> RemoteEngineError:
        if isinstance(exc, (TimeoutError, socket.timeout)):
            return self._connect_failed(exc)
        return RemoteProtocolError(f"The answer from {self.base_url} broke off ({exc}). Try again.")

    def status_error(
        self, status: int, body: bytes, retry_after: str | None, payload: dict[str, Any] | None
    ) -> RemoteEngineError:
        """The typed error for an HTTP error ``status`` (public for tests)."""
        said = _server_message(body)
        said = f": {said}" if said else ""
        where = f"The server at {self.base_url}"
        if status in (401, 403):
            return RemoteAuthError(
                f"{where} refused the API key (HTTP {status}{said}). Check "
                "the key (--remote-key, or Settings → Remote engine)."
            )
        if status == 404:
            model = payload.get("model") if payload else None
            what = f"has no model '{model}'" if model else "has no such endpoint"
            return RemoteModelNotFound(
                f"{where} {what} (HTTP 404{said}). Pick one of the "
                "models it lists, or check the address."
            )
        if status == 429:
            wait = parse_retry_after(retry_after)
            hint = f"try again in {wait:.0f} s" if wait is not None else "try again later"
            return RemoteRateLimited(
                f"{where} is limiting requests (HTTP 429{said}); {hint}.", retry_after_s=wait
            )
        if status in (408, 504):
            return RemoteTimeout(f"{where} timed out (HTTP {status}{said}). Try again later.")
        return RemoteProtocolError(f"{where} answered HTTP {status}{said}.")


class SseStream(Iterator[dict[str, Any]]):
    """The ``data:`` events of a server-sent-event response, decoded from JSON.

    ``done`` becomes True at ``data: [DONE]``. Cancelling the token shuts the
    socket down; iteration then ends quietly. Call :meth:`close` when finished.
    """

    def __init__(
        self,
        conn: http.client.HTTPConnection,
        resp: http.client.HTTPResponse,
        cancel: CancelToken,
        url: str,
        read_timeout_s: float,
    ) -> None:
        self._conn, self._resp, self._cancel = conn, resp, cancel
        self._url, self._timeout = url, read_timeout_s
        self.done = False
        self.received = False  # any event arrived
        self._stop = threading.Event()
        self._watcher = threading.Thread(
            target=self._watch, name="llmasos-remote-cancel", daemon=True
        )
        self._watcher.start()
        self._events = self._read()

    def __next__(self) -> dict[str, Any]:
        return next(self._events)

    def close(self) -> None:
        """Stop the watcher and close the connection. Safe to call twice."""
        self._stop.set()
        if self._watcher.is_alive() and self._watcher is not threading.current_thread():
            self._watcher.join()
        self._conn.close()

    def _watch(self) -> None:  # watcher thread
        while not self._stop.wait(CANCEL_POLL_S):
            if self._cancel.is_cancelled:
                sock = self._conn.sock
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                return

    def _read(self) -> Iterator[dict[str, Any]]:
        while not self._cancel.is_cancelled:
            try:
                line = self._resp.readline()
            except (OSError, http.client.HTTPException, ValueError) as exc:
                if self._cancel.is_cancelled:
                    return
                raise self._broken(exc) from exc
            if not line:
                return
            event = self._decode(line)
            if event is None:
                continue
            if self.done:
                return
            self.received = True
            yield event

    def _decode(self, line: bytes) -> dict[str, Any] | None:
        text = line.decode("utf-8", "replace").strip()
        if not text.startswith("data:"):
            return None  # blank separators, comments, "event:" lines
        data = text[5:].strip()
        if data == "[DONE]":
            self.done = True
            return {}
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise RemoteProtocolError(
                f"{self._url} sent an event that is not JSON: {data[:80]!r}."
            ) from exc
        if not isinstance(event, dict):
            return None
        if "error" in event:
            raise RemoteStreamBroken(
                f"{self._url} reported an error mid-answer: {_server_message(data.encode())}",
                partial="",
            )
        return event

    def _broken(self, exc: BaseException) -> RemoteEngineError:
        if isinstance(exc, (TimeoutError, socket.timeout)):
            if not self.received:
                return RemoteTimeout(
                    f"The server at {self._url} sent nothing for "
                    f"{self._timeout:g} s. It may be overloaded; try again."
                )
            why = f"nothing arrived for {self._timeout:g} s"
        else:
            why = str(exc) or type(exc).__name__
        return RemoteStreamBroken(
            f"The stream from {self._url} broke off midway ({why}); "
            "the text that arrived is kept. Try again.",
            partial="",
        )
