"""Where downloads go, and the files a download keeps between runs.

A Hub file is installed as ``<store>/<publisher>/<repository>/<file>`` (as LM Studio
does), so same-named files of different repositories live side by side; see
:func:`repo_dir`. Each remote file being fetched has ``<name>.part`` (the bytes so far)
and ``<name>.part.json`` (its size, SHA-256, ETag, whether it is verified, and which
repository and entry it belongs to) in ``<store>/.partial/<publisher>/<repository>/``
(earlier versions kept them directly in ``.partial``; those are still found). The record
lets a later run resume with HTTP Range, and lets a restarted app list what is unfinished.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from llmasos.foundation.hub.types import (
    GgufEntry,
    RemoteFile,
    ResolvedFile,
    safe_file_name,
    split_info,
)

PARTIAL_DIR = ".partial"


def repo_dir(root: Path, repo_id: str) -> Path:
    """``root/<publisher>/<repository>``: the folder of ``repo_id``'s files under ``root``.

    Raises:
        UnsafeFileNameError: a component of ``repo_id`` could write outside ``root``.
    """
    for component in repo_id.split("/"):
        safe_file_name(component)  # no "..", separators, drive letters or control chars
    return root.joinpath(*repo_id.split("/"))


@dataclass
class Part:
    """One file being fetched: where its bytes go and what they must hash to."""

    remote: RemoteFile
    partial: Path
    target: Path
    size: int
    sha256: str
    etag: str | None = None
    verified: bool = False
    resolved: ResolvedFile | None = None  # from this download's own resolve, reused once
    repo: str = ""  # what the download was, so a restarted app can offer to resume it
    entry: str = ""
    quantization: str | None = None
    revision: str | None = None

    @property
    def sidecar(self) -> Path:
        return self.partial.with_name(self.partial.name + ".json")

    def kept(self) -> int:
        return self.partial.stat().st_size if self.partial.exists() else 0

    def save_sidecar(self) -> None:
        data = {
            "path": self.remote.path,
            "size": self.size,
            "sha256": self.sha256,
            "etag": self.etag,
            "verified": self.verified,
            "repo": self.repo,
            "entry": self.entry,
            "quantization": self.quantization,
            "revision": self.revision,
        }
        tmp = self.sidecar.with_name(self.sidecar.name + ".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.sidecar)

    def drop(self) -> None:
        for p in (self.partial, self.sidecar):
            p.unlink(missing_ok=True)
        prune_empty(self.partial.parent)


def prune_empty(folder: Path) -> None:
    """Remove ``folder`` and its parents while empty, up to the ``.partial`` folder."""
    while PARTIAL_DIR in folder.parts and folder.name != PARTIAL_DIR:
        try:
            folder.rmdir()  # only when empty
        except OSError:
            return
        folder = folder.parent


@dataclass(frozen=True)
class Unfinished:
    """A download an earlier run left partly done: what it was and how much is kept."""

    repo: str
    entry: GgufEntry
    revision: str | None
    kept: int  # bytes already on disk

    @property
    def fraction(self) -> float:
        return self.kept / self.entry.size if self.entry.size else 0.0


def unfinished_downloads(store_dir: Path) -> list[Unfinished]:
    """Downloads with kept partial data in ``store_dir`` (from their sidecar files).

    Cheap (reads a few small JSON files), so the Models page can list them when built.
    Partial files whose record is missing or unreadable are left alone.
    """
    groups: dict[tuple[str, str, str | None], list[tuple[RemoteFile, int, str | None]]] = {}
    folder = store_dir / PARTIAL_DIR
    for sidecar in sorted(folder.rglob("*.part.json")) if folder.is_dir() else []:
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            remote = RemoteFile(str(data["path"]), int(data["size"]), str(data["sha256"]))
            key = (str(data["repo"]), str(data["entry"]), data.get("revision"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not key[0] or not key[1]:
            continue  # written before downloads recorded their repository
        partial = sidecar.with_name(sidecar.name[: -len(".json")])
        kept = partial.stat().st_size if partial.exists() else 0
        groups.setdefault(key, []).append((remote, kept, data.get("quantization")))
    found = []
    for (repo, name, revision), items in groups.items():
        items.sort(key=lambda item: (split_info(item[0].path) or ("", 0, 0))[1])
        entry = GgufEntry(name, items[0][2], tuple(remote for remote, _, _ in items))
        found.append(Unfinished(repo, entry, revision, sum(kept for _, kept, _ in items)))
    return found


__all__ = ["PARTIAL_DIR", "Part", "Unfinished", "prune_empty", "repo_dir", "unfinished_downloads"]
