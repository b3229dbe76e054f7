"""The Hugging Face Hub client of the model manager: search, list GGUF files, resolve URLs.

Everything goes through huggingface_hub (``HfApi`` and ``get_hf_file_metadata``),
so a mirror set as the endpoint works. Errors come out as the typed errors of
:mod:`llmasos.foundation.hub_errors`.

huggingface_hub's shared HTTP session has no timeout, and some of its calls
(``list_models``) pass ``timeout=None`` explicitly, so a silent network would hang
a search for ever. :func:`install_default_timeout` therefore installs a session
whose request hook gives every request without a timeout the app's default.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlparse

import httpx2
import huggingface_hub.constants as hf_constants
from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url, set_client_factory
from huggingface_hub.utils._headers import build_hf_headers
from huggingface_hub.utils._http import hf_request_event_hook

from llmasos.foundation.hub_errors import (
    HubResponseError,
    InsecureEndpointError,
    UnsafeFileNameError,
    translating,
)

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TIMEOUT_S = 30.0
SortKey = Literal["downloads", "likes"]

_QUANT_RE = re.compile(
    r"(?:^|[-._])(I?Q\d(?:_[A-Z0-9]{1,3}){0,3}|BF16|F16|FP16|F32|MXFP4|TQ\d_\d)(?=$|[-.])"
)
_SPLIT_RE = re.compile(r"^(?P<base>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$", re.I)
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_LOOPBACK_NAMES = frozenset({"localhost"})
_timeout_lock = threading.Lock()
_timeout_s: float | None = None


@dataclass(frozen=True)
class RepoSummary:
    """One repository found by a search."""

    repo_id: str
    downloads: int
    likes: int
    gated: bool
    last_modified: str | None


@dataclass(frozen=True)
class RemoteFile:
    """One file of a repository, as the Hub's metadata describes it."""

    path: str  # path in the repository, checked by :func:`safe_file_name`
    size: int
    sha256: str | None  # from the LFS metadata; None for a file kept in plain git


@dataclass(frozen=True)
class GgufEntry:
    """A model as offered by a repository: one .gguf file, or all parts of a split model."""

    name: str  # the single file's path, or the first part's for a split model
    quantization: str | None
    parts: tuple[RemoteFile, ...]

    @property
    def size(self) -> int:
        """Total bytes of all parts."""
        return sum(p.size for p in self.parts)

    @property
    def is_split(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True)
class ResolvedFile:
    """Where a file's bytes are served from right now (after the Hub's redirect)."""

    url: str  # the download location (a CDN address when the Hub redirects)
    size: int | None
    etag: str | None
    commit: str | None
    is_on_hub: bool  # the location is the endpoint's own host: send the token there


def resolve_endpoint(endpoint: str | None = None) -> str:
    """Return the Hub endpoint: the argument, else ``HF_ENDPOINT``, else huggingface.co.

    Raises:
        InsecureEndpointError: the endpoint is not https and not a loopback address.
    """
    chosen = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    parsed = urlparse(chosen)
    host = (parsed.hostname or "").lower()
    if parsed.scheme == "https" and host:
        return chosen
    if parsed.scheme == "http" and _is_loopback(host):
        return chosen
    raise InsecureEndpointError(
        f"The Hub endpoint '{chosen}' is not an https address. Set an https:// endpoint in "
        "Settings (plain http is only allowed for this machine: localhost or 127.0.0.1)."
    )


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_quantization(file_name: str) -> str | None:
    """The quantization named in a GGUF file name (``Q4_K_M``, ``IQ4_XS``, ``F16``…), or None."""
    stem = file_name.rsplit("/", 1)[-1].upper()
    stem = stem[:-5] if stem.endswith(".GGUF") else stem
    found = _QUANT_RE.findall(stem)
    return found[-1] if found else None


def safe_file_name(path: str) -> str:
    """Check a remote path and return the bare file name it is saved under.

    Raises:
        UnsafeFileNameError: the path is absolute, has ``..`` or empty components,
            backslashes, a drive letter or control characters.
    """
    parts = path.split("/")
    bad = (
        not path
        or path.startswith("/")
        or "\\" in path
        or re.match(r"^[A-Za-z]:", path) is not None
        or any(ord(c) < 32 for c in path)
        or any(p in ("", ".", "..") for p in parts)
    )
    if bad:
        raise UnsafeFileNameError(
            f"Refusing the remote file name '{path}': it has path components that could write "
            "outside the models folder. The repository may be malicious; do not use it."
        )
    return parts[-1]


def split_info(file_name: str) -> tuple[str, int, int] | None:
    """``(base, index, count)`` for a split-model part name like ``x-00002-of-00003.gguf``."""
    m = _SPLIT_RE.match(file_name)
    return (m["base"], int(m["index"]), int(m["count"])) if m else None


def group_gguf_files(files: Iterable[RemoteFile]) -> list[GgufEntry]:
    """Group .gguf files into entries: split parts (``-00001-of-00003``) become one entry."""
    singles: list[GgufEntry] = []
    splits: dict[tuple[str, int], list[tuple[int, RemoteFile]]] = {}
    for f in files:
        if not f.path.lower().endswith(".gguf"):
            continue
        split = split_info(f.path)
        if split is None:
            singles.append(GgufEntry(f.path, parse_quantization(f.path), (f,)))
            continue
        base, index, count = split
        splits.setdefault((base, count), []).append((index, f))
    for (_, count), numbered in splits.items():
        numbered.sort(key=lambda item: item[0])
        if [i for i, _ in numbered] != list(range(1, count + 1)):
            log.warning("incomplete split model %s: parts %s", numbered[0][1].path,
                        [i for i, _ in numbered])
            continue
        parts = tuple(f for _, f in numbered)
        singles.append(GgufEntry(parts[0].path, parse_quantization(parts[0].path), parts))
    return sorted(singles, key=lambda e: e.name.lower())


def install_default_timeout(seconds: float = DEFAULT_TIMEOUT_S) -> None:
    """Give every huggingface_hub request without a timeout this one (connect and read)."""
    global _timeout_s
    with _timeout_lock:
        if _timeout_s == seconds:
            return
        _timeout_s = seconds
        set_client_factory(_client_factory)


def _fill_timeout(request: httpx2.Request) -> None:
    timeout = request.extensions.get("timeout")
    if _timeout_s is not None and (not timeout or all(v is None for v in timeout.values())):
        value = httpx2.Timeout(_timeout_s).as_dict()
        request.extensions = {**request.extensions, "timeout": value}


def _client_factory() -> httpx2.Client:
    return httpx2.Client(
        event_hooks={"request": [hf_request_event_hook, _fill_timeout]},
        follow_redirects=True,
        timeout=_timeout_s,
    )


class HubClient:
    """Search and list GGUF models on one Hub endpoint. Safe to use from any one thread.

    Args:
        endpoint: Hub address; default ``HF_ENDPOINT`` or https://huggingface.co.
        token: Hub access token for gated/private repos; default ``HF_TOKEN`` if set.
            The token saved by ``hf auth login`` is deliberately not read.
        timeout: Seconds to wait for a connection or an answer.
    """

    def __init__(self, endpoint: str | None = None, token: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.endpoint = resolve_endpoint(endpoint)
        self._token: str | bool = token or os.environ.get("HF_TOKEN") or False
        self.timeout = timeout
        install_default_timeout(timeout)
        # huggingface_hub's user-agent code otherwise fetches a registry from huggingface.co
        # (whatever endpoint is set) on the first request: nothing may call home.
        hf_constants.HF_HUB_DISABLE_TELEMETRY = True
        self._api = HfApi(endpoint=self.endpoint, token=self._token)

    def search(self, query: str, *, sort: SortKey = "downloads",
               limit: int = 20) -> list[RepoSummary]:
        """Find GGUF repositories whose name matches ``query``, most downloaded/liked first."""
        with translating(f"search the Hub for '{query}'", self.endpoint):
            models = list(self._api.list_models(search=query or None, filter="gguf", sort=sort,
                                                limit=limit))
        return [
            RepoSummary(m.id, int(m.downloads or 0), int(m.likes or 0), bool(m.gated),
                        m.last_modified.isoformat() if m.last_modified else None)
            for m in models
        ]

    def list_gguf(self, repo_id: str, *, revision: str | None = None) -> list[GgufEntry]:
        """The repository's GGUF models with sizes, quantization and SHA-256.

        Raises:
            UnsafeFileNameError: a .gguf file name has path components that escape a folder.
        """
        with translating(f"list the files of '{repo_id}'", self.endpoint):
            info = self._api.model_info(repo_id, revision=revision, files_metadata=True,
                                        timeout=self.timeout)
        files = [self._remote_file(s) for s in info.siblings or []
                 if s.rfilename.lower().endswith(".gguf")]
        missing = [f.path for f in files if f.sha256 is None]
        if missing:
            files = self._fill_checksums(repo_id, revision, files, missing)
        return group_gguf_files(files)

    @staticmethod
    def _remote_file(sibling: Any) -> RemoteFile:
        safe_file_name(sibling.rfilename)
        lfs = sibling.lfs
        sha = lfs.sha256 if lfs is not None else None
        size = lfs.size if lfs is not None else sibling.size
        return RemoteFile(sibling.rfilename, int(size or 0), sha)

    def _fill_checksums(self, repo_id: str, revision: str | None, files: list[RemoteFile],
                        missing: list[str]) -> list[RemoteFile]:
        """Ask ``paths-info`` for files the model info listed without LFS metadata."""
        with translating(f"read the checksums of '{repo_id}'", self.endpoint):
            infos = self._api.get_paths_info(repo_id, missing, revision=revision)
        found: dict[str, Any] = {i.path: getattr(i, "lfs", None) for i in infos}
        found = {k: v for k, v in found.items() if v is not None}
        return [RemoteFile(f.path, int(found[f.path].size), found[f.path].sha256)
                if f.path in found else f for f in files]

    def file_url(self, repo_id: str, path: str, *, revision: str | None = None) -> str:
        """The ``resolve`` URL of a file on this endpoint."""
        safe_file_name(path)
        return str(hf_hub_url(repo_id, path, revision=revision, endpoint=self.endpoint))

    def resolve(self, repo_id: str, path: str, *, revision: str | None = None) -> ResolvedFile:
        """HEAD the file: its size, ETag, commit and current download location."""
        url = self.file_url(repo_id, path, revision=revision)
        with translating(f"get '{path}' from '{repo_id}'", self.endpoint):
            meta = get_hf_file_metadata(url, token=self._token, timeout=self.timeout,
                                        endpoint=self.endpoint)
        if not meta.location:
            raise HubResponseError(f"The Hub gave no download address for '{path}'. Try again.")
        location = str(meta.location)
        origin = urlparse(self.endpoint)
        target = urlparse(location)
        on_hub = (target.scheme, target.netloc) == (origin.scheme, origin.netloc)
        return ResolvedFile(location, meta.size, meta.etag, meta.commit_hash, on_hub)

    def download_headers(self, resolved: ResolvedFile) -> dict[str, str]:
        """Headers for GETting a resolved file; the token never leaves the Hub's host."""
        token = self._token if resolved.is_on_hub else False
        headers: dict[str, str] = build_hf_headers(token=token)
        headers["Accept-Encoding"] = "identity"
        return headers


def is_sha256(value: str | None) -> bool:
    """Whether ``value`` looks like a hex SHA-256 (the ETag of an LFS file is one)."""
    return bool(value) and _SHA256_RE.match(str(value)) is not None
