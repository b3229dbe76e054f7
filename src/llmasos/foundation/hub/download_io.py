"""The byte-moving half of the downloader: a Range GET and a writer that hashes.

huggingface_hub resolves a file (HEAD, redirects, size, ETag) in
:mod:`llmasos.foundation.hub.client`; the bytes themselves are streamed here with the
standard library's HTTP client, which moves data about 1.5× faster than httpx
on a fast link, and a helper thread writes and hashes them (``hashlib`` releases
the GIL), so hashing overlaps the network. Memory is a fixed ring of buffers.
Proxies come from the usual environment variables; certificates from certifi
when it is installed (it is, with huggingface_hub), else the system store.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import logging
import queue
import ssl
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from llmasos.errors import DiskFullError
from llmasos.foundation.hub.errors import HubNotFoundError, HubResponseError

log = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 20
RING = 8  # buffers in flight between the network and the writer and hasher threads
RETRY_STATUS = frozenset({401, 403, 408, 410, 429, 500, 502, 503, 504})


class Interrupted(Exception):
    """The transfer broke in a way worth retrying (connection, timeout, 5xx, expired URL)."""


class _NoCrossOriginAuth(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry the Hub token to another host."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urlparse(newurl).netloc != urlparse(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


def _ssl_context() -> ssl.SSLContext:
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with huggingface_hub
        return ssl.create_default_context()


_OPENER = urllib.request.build_opener(
    _NoCrossOriginAuth, urllib.request.HTTPSHandler(context=_ssl_context())
)


def open_range(
    url: str, headers: dict[str, str], offset: int, timeout: float
) -> http.client.HTTPResponse:
    """GET ``url`` from byte ``offset``; the caller checks 200 (Range ignored) vs 206.

    Raises:
        Interrupted: network failure or a status worth retrying.
        HubNotFoundError: 404 / 410-less permanent absence.
        HubResponseError: another error status (416 included, handled by the caller).
    """
    request = urllib.request.Request(url, headers=dict(headers))
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response: http.client.HTTPResponse = _OPENER.open(request, timeout=timeout)
        return response
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in RETRY_STATUS:
            raise Interrupted(f"server answered {exc.code}") from exc
        if exc.code == 404:
            raise HubNotFoundError(
                "The file vanished from the download server. List the "
                "repository's files again and retry."
            ) from exc
        raise HubResponseError(f"The download server answered {exc.code}.") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise Interrupted(str(exc) or type(exc).__name__) from exc


def read_into(response: http.client.HTTPResponse, buffer: bytearray) -> int:
    """Fill ``buffer`` from the response; fewer bytes only at the end of the body."""
    view, filled = memoryview(buffer), 0
    try:
        while filled < len(buffer):
            n = response.readinto(view[filled:])
            if not n:
                break
            filled += n
    except (OSError, http.client.HTTPException) as exc:
        raise Interrupted(str(exc) or type(exc).__name__) from exc
    return filled


class HashingWriter:
    """Appends buffers to a file and to a SHA-256, each on a helper thread of its own.

    The two threads take the same buffers in the same order (the hash must see the bytes
    in file order), so writing and hashing overlap each other and the network; a buffer
    goes back to the fixed ring when both are done with it. Use :meth:`buffer` to get a
    free buffer, fill it, :meth:`submit` it, and always :meth:`close` (which joins the
    threads and re-raises a write error).
    """

    def __init__(self, path: Path, offset: int, digest: Any, chunk_size: int = CHUNK_SIZE) -> None:
        self._file = path.open("r+b" if offset else "wb")
        self._file.seek(offset)
        if offset and path.stat().st_size > offset:
            # only when there is something to cut: on ext4 a truncate makes close() write
            # the whole file out at once (auto_da_alloc), ~70 ms per 250 MB
            self._file.truncate()
        self._digest = digest
        self._free: queue.Queue[bytearray] = queue.Queue()
        for _ in range(RING):
            self._free.put(bytearray(chunk_size))
        self._to_write: queue.Queue[tuple[bytearray, int] | None] = queue.Queue()
        self._to_hash: queue.Queue[tuple[bytearray, int] | None] = queue.Queue()
        self._users: dict[int, int] = {}  # id(buffer) -> threads still using it
        self._lock = threading.Lock()
        self._error: OSError | None = None
        self._threads = [
            threading.Thread(
                target=self._work,
                args=(self._to_write, self._write),
                name=f"writer-{path.name}",
                daemon=True,
            ),
            threading.Thread(
                target=self._work,
                args=(self._to_hash, self._digest.update),
                name=f"hasher-{path.name}",
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()

    def buffer(self) -> bytearray:
        """A free buffer (blocks while the writer is behind by RING buffers)."""
        return self._free.get(timeout=120)

    def submit(self, buffer: bytearray, length: int) -> None:
        """Queue ``buffer[:length]`` for writing and hashing."""
        self._raise_error()
        with self._lock:
            self._users[id(buffer)] = 2
        self._to_write.put((buffer, length))
        self._to_hash.put((buffer, length))

    def release(self, buffer: bytearray) -> None:
        """Give back a buffer that carries nothing."""
        self._free.put(buffer)

    def _write(self, view: memoryview) -> None:
        if self._error is None:
            try:
                self._file.write(view)
            except OSError as exc:
                self._error = exc

    def _work(
        self, jobs: queue.Queue[tuple[bytearray, int] | None], use: Any
    ) -> None:  # a helper thread
        while (item := jobs.get()) is not None:
            buffer, length = item
            try:
                use(memoryview(buffer)[:length])
            finally:
                with self._lock:
                    self._users[id(buffer)] -= 1
                    done = not self._users[id(buffer)]
                    if done:
                        del self._users[id(buffer)]
                if done:
                    self._free.put(buffer)

    def _raise_error(self) -> None:
        exc = self._error
        if exc is None:
            return
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise DiskFullError(
                "The disk filled up while downloading. Free some space; the "
                "download resumes where it stopped."
            ) from exc
        raise exc

    def close(self) -> Any:
        """Finish writing; return the hash state. Raises the writer's error, if any."""
        self._to_write.put(None)
        self._to_hash.put(None)
        for thread in self._threads:
            thread.join()
        try:
            self._file.close()  # flushes the last buffered bytes: may hit a full disk too
        except OSError as exc:
            self._error = self._error or exc
        self._raise_error()
        return self._digest


def hash_file(path: Path) -> Any:
    """SHA-256 state of an existing partial file (empty when there is none)."""
    digest = hashlib.sha256()
    if path.exists():
        with path.open("rb") as f:
            for block in iter(lambda: f.read(CHUNK_SIZE), b""):
                digest.update(block)
    return digest
