"""A local fake Hugging Face Hub for tests and the download benchmark.

Two ``ThreadingHTTPServer`` on 127.0.0.1, random ports:

* the *Hub* serves the routes huggingface_hub 2.4 calls: ``GET /api/models`` (search),
  ``GET /api/models/{repo}[/revision/{rev}]`` (``?blobs=true`` adds sizes and LFS data),
  ``GET /api/models/{repo}/tree/{rev}[/{path}]``, ``POST /api/models/{repo}/paths-info/{rev}``,
  and ``HEAD``/``GET /{repo}/resolve/{rev}/{file}``, which answers 302 to the CDN with the
  Hub's headers (``X-Repo-Commit``, ``X-Linked-Etag``, ``X-Linked-Size``, ``ETag``,
  ``Location``), or errors with ``X-Error-Code`` (``RepoNotFound``, ``EntryNotFound``,
  ``GatedRepo``);
* the *CDN* serves the bytes at ``/blobs/{sha256}`` with ``Range`` (206) support.

Switches on :class:`FakeHub` make the CDN misbehave: drop the connection after N bytes,
serve wrong bytes, sleep between chunks, ignore ``Range``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SEND_CHUNK = 256 * 1024


def sha256_of(data: bytes | Path) -> str:
    digest = hashlib.sha256()
    if isinstance(data, bytes):
        digest.update(data)
    else:
        with data.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass
class FakeFile:
    path: str
    content: bytes | Path
    sha256: str = ""
    size: int = 0
    lfs: bool = True
    lfs_in_info: bool = True  # False: model info omits LFS data, paths-info has it

    def __post_init__(self) -> None:
        self.sha256 = self.sha256 or sha256_of(self.content)
        c = self.content
        self.size = len(c) if isinstance(c, bytes) else c.stat().st_size

    def read(self, start: int, length: int) -> bytes:
        if isinstance(self.content, bytes):
            return self.content[start : start + length]
        with self.content.open("rb") as f:
            f.seek(start)
            return f.read(length)

    def entry(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "file",
            "path": self.path,
            "size": self.size,
            "oid": self.sha256[:40],
        }
        if self.lfs:
            data["lfs"] = {"oid": self.sha256, "size": self.size, "pointerSize": 134}
        return data

    def sibling(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rfilename": self.path,
            "size": self.size,
            "blobId": self.sha256[:40],
        }
        if self.lfs and self.lfs_in_info:
            data["lfs"] = {"sha256": self.sha256, "size": self.size, "pointerSize": 134}
        return data


@dataclass
class FakeRepo:
    repo_id: str
    files: dict[str, FakeFile]
    gated: bool = False
    downloads: int = 0
    likes: int = 0

    def info(self, blobs: bool) -> dict[str, Any]:
        sib = [f.sibling() if blobs else {"rfilename": f.path} for f in self.files.values()]
        return {
            "id": self.repo_id,
            "modelId": self.repo_id,
            "sha": COMMIT,
            "private": False,
            "gated": "auto" if self.gated else False,
            "downloads": self.downloads,
            "likes": self.likes,
            "tags": ["gguf"],
            "lastModified": "2024-09-01T00:00:00.000Z",
            "siblings": sib,
        }


@dataclass
class Behaviour:
    """How the CDN misbehaves; tests flip these."""

    drop_after: int | None = None  # close the connection after this many body bytes ...
    drops: int = 0  # ... this many times
    corrupt: bool = False  # flip a byte in the middle of every file
    slow_s: float = 0.0  # sleep between chunks
    ignore_range: bool = False
    # (method, path, Range header, whether an Authorization header came along)
    requests: list[tuple[str, str, str | None, bool]] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, hub: FakeHub, role: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hub, self.role = hub, role


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing ---------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        ctype: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data).encode())

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(
            status,
            json.dumps({"error": message}).encode(),
            {"X-Error-Code": code, "X-Error-Message": message},
        )

    def do_GET(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        url = urlparse(self.path)
        hub = self.server.hub
        auth = self.headers.get("Authorization") is not None
        hub.behaviour.requests.append((self.command, url.path, self.headers.get("Range"), auth))
        query = parse_qs(url.query)
        path = unquote(url.path)
        if self.server.role == "cdn":
            return self._blob(path)
        for pattern, handler in _ROUTES:
            m = pattern.match(path)
            if m:
                return handler(self, m, query)
        return self._error(404, "NotFound", f"no route {path}")

    def _repo(self, repo_id: str) -> FakeRepo | None:
        repo = self.server.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository {repo_id} not found")
        return repo

    # -- API --------------------------------------------------------------------------------
    def _search(self, m: re.Match[str], q: dict[str, list[str]]) -> None:
        text = q.get("search", [""])[0].lower()
        sort = q.get("sort", ["downloads"])[0]
        found = [r for r in self.server.hub.repos.values() if text in r.repo_id.lower()]
        found.sort(key=lambda r: r.likes if sort == "likes" else r.downloads, reverse=True)
        limit = int(q.get("limit", ["1000"])[0])
        self._json(
            [{k: v for k, v in r.info(False).items() if k != "siblings"} for r in found[:limit]]
        )

    def _info(self, m: re.Match[str], q: dict[str, list[str]]) -> None:
        repo = self._repo(m["repo"])
        if repo is not None:
            self._json(repo.info(q.get("blobs", ["false"])[0].lower() == "true"))

    def _tree(self, m: re.Match[str], q: dict[str, list[str]]) -> None:
        repo = self._repo(m["repo"])
        if repo is not None:
            prefix = (m["path"] or "").strip("/")
            self._json([f.entry() for f in repo.files.values() if f.path.startswith(prefix)])

    def _paths_info(self, m: re.Match[str], q: dict[str, list[str]]) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        repo = self._repo(m["repo"])
        if repo is not None:
            wanted = form.get("paths", [])
            self._json([f.entry() for f in repo.files.values() if f.path in wanted])

    def _resolve(self, m: re.Match[str], q: dict[str, list[str]]) -> None:
        repo = self._repo(m["repo"])
        if repo is None:
            return
        if repo.gated and "authorization" not in {k.lower() for k in self.headers}:
            return self._error(401, "GatedRepo", f"Access to model {repo.repo_id} is restricted.")
        f = repo.files.get(m["file"])
        if f is None:
            return self._error(404, "EntryNotFound", f"{m['file']} does not exist")
        headers = {
            "X-Repo-Commit": COMMIT,
            "ETag": f'"{f.sha256[:40]}"',
            "X-Linked-Etag": f'"{f.sha256}"',
            "X-Linked-Size": str(f.size),
            "Location": f"{self.server.hub.cdn_url}/blobs/{f.sha256}",
        }
        self._send(302, b"", headers, "text/plain")

    # -- CDN --------------------------------------------------------------------------------
    def _blob(self, path: str) -> None:
        sha = path.rsplit("/", 1)[-1]
        f = self.server.hub.blobs.get(sha)
        if f is None:
            return self._error(404, "EntryNotFound", "no such blob")
        b = self.server.hub.behaviour
        start = 0
        rng = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
        if rng and not b.ignore_range:
            start = int(rng[1])
            if start >= f.size:
                return self._send(416, b"", {"Content-Range": f"bytes */{f.size}"})
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{f.size - 1}/{f.size}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(f.size - start))
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.command != "HEAD":
            self._stream(f, start, b)

    def _stream(self, f: FakeFile, start: int, b: Behaviour) -> None:
        limit = None
        if b.drop_after is not None and b.drops > 0:
            b.drops -= 1
            limit = b.drop_after
        sent, pos = 0, start
        try:
            while pos < f.size:
                n = SEND_CHUNK if limit is None else min(SEND_CHUNK, limit - sent)
                if n <= 0:
                    break  # drop: close with the body incomplete
                chunk = f.read(pos, n)
                if b.corrupt and pos <= f.size // 2 < pos + len(chunk):
                    i = f.size // 2 - pos
                    chunk = chunk[:i] + bytes([chunk[i] ^ 0xFF]) + chunk[i + 1 :]
                self.wfile.write(chunk)
                sent, pos = sent + len(chunk), pos + len(chunk)
                if b.slow_s:
                    time.sleep(b.slow_s)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


_ROUTES = [
    (re.compile(r"^/api/models/?$"), _Handler._search),
    (
        re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/]+)(?P<path>/.*)?$"),
        _Handler._tree,
    ),
    (
        re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/paths-info/(?P<rev>[^/]+)$"),
        _Handler._paths_info,
    ),
    (
        re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)(?:/revision/(?P<rev>[^/]+))?$"),
        _Handler._info,
    ),
    (
        re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$"),
        _Handler._resolve,
    ),
]


class FakeHub:
    """The two servers and the repositories they serve. Use as a context manager."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.blobs: dict[str, FakeFile] = {}
        self.behaviour = Behaviour()
        self._servers = [_Server(self, "hub"), _Server(self, "cdn")]
        self._threads = [
            threading.Thread(
                target=s.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fakehub-{s.role}"
            )
            for s in self._servers
        ]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._servers[0].server_address[1]}"

    @property
    def cdn_url(self) -> str:
        return f"http://127.0.0.1:{self._servers[1].server_address[1]}"

    def add_repo(
        self,
        repo_id: str,
        files: dict[str, bytes | Path],
        *,
        gated: bool = False,
        downloads: int = 0,
        likes: int = 0,
        lfs: bool = True,
        lfs_in_info: bool = True,
    ) -> FakeRepo:
        fake = {p: FakeFile(p, c, lfs=lfs, lfs_in_info=lfs_in_info) for p, c in files.items()}
        for f in fake.values():
            self.blobs[f.sha256] = f
        repo = FakeRepo(repo_id, fake, gated, downloads, likes)
        self.repos[repo_id] = repo
        return repo

    def start(self) -> FakeHub:
        for t in self._threads:
            t.start()
        return self

    def close(self) -> None:
        from huggingface_hub import close_session

        close_session()  # drop pooled keep-alive connections to us
        for s in self._servers:
            s.shutdown()
        for t in self._threads:
            t.join(timeout=10)
        for s in self._servers:
            s.server_close()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
