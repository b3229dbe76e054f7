"""What the model manager knows about Hub repositories and files, as plain data.

The types and pure helpers of :mod:`llmasos.foundation.hub.client`, without its network
libraries (huggingface_hub and httpx load ~250 ms of modules): the windows, the
model store and the downloader name these before anything talks to the Hub.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

from llmasos.foundation.hub.errors import InsecureEndpointError, UnsafeFileNameError
from llmasos.foundation.platform.net import is_loopback_host

log = logging.getLogger("llmasos.foundation.hub.client")

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TIMEOUT_S = 30.0
SortKey = Literal["downloads", "likes"]

_QUANT_RE = re.compile(
    r"(?:^|[-._])(I?Q\d(?:_[A-Z0-9]{1,3}){0,3}|BF16|F16|FP16|F32|MXFP4|TQ\d_\d)(?=$|[-.])"
)
_SPLIT_RE = re.compile(r"^(?P<base>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$", re.I)
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


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
    if parsed.scheme == "http" and is_loopback_host(host):
        return chosen
    raise InsecureEndpointError(
        f"The Hub endpoint '{chosen}' is not an https address. Set an https:// endpoint in "
        "Settings (plain http is only allowed for this machine: localhost or 127.0.0.1)."
    )


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
            log.warning(
                "incomplete split model %s: parts %s", numbered[0][1].path, [i for i, _ in numbered]
            )
            continue
        parts = tuple(f for _, f in numbered)
        singles.append(GgufEntry(parts[0].path, parse_quantization(parts[0].path), parts))
    return sorted(singles, key=lambda e: e.name.lower())


def is_sha256(value: str | None) -> bool:
    """Whether ``value`` looks like a hex SHA-256 (the ETag of an LFS file is one)."""
    return bool(value) and _SHA256_RE.match(str(value)) is not None
