"""Resumable, verified downloads of GGUF models from the Hub into the model store.

A file is streamed in 1 MiB chunks with HTTP ``Range`` into
``<store>/.partial/<publisher>/<repo>/<name>.part``, next to a small JSON sidecar that
records the expected size, SHA-256 and ETag, so a later run (after a pause, a dropped
connection, a crash or a restart) continues where it stopped and notices when
the remote file changed. The SHA-256 is computed while streaming (a resumed
download first re-hashes the kept part) and checked against the Hub's LFS
metadata; only verified files are moved into the store, with ``os.replace``, to
``<store>/<publisher>/<repo>/<name>``: same-named files of different repositories
download side by side. All parts of a split model are verified before any is moved.

Network errors are retried with exponential backoff. Pausing and cancelling are
not errors: :meth:`Downloader.download` returns a :class:`DownloadResult` saying
what happened. Memory use does not depend on the file size.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from llmasos.errors import DiskFullError, ModelExistsError
from llmasos.foundation.hub.download_io import (
    CHUNK_SIZE,
    HashingWriter,
    Interrupted,
    hash_file,
    open_range,
    read_into,
)
from llmasos.foundation.hub.download_parts import PARTIAL_DIR, Part, prune_empty, repo_dir
from llmasos.foundation.hub.errors import ChecksumMismatch, HubResponseError, OfflineError
from llmasos.foundation.hub.types import (
    GgufEntry,
    RemoteFile,
    ResolvedFile,
    is_sha256,
)
from llmasos.foundation.hub.types import safe_file_name as _safe_name
from llmasos.foundation.platform.paths import app_paths

if TYPE_CHECKING:
    from llmasos.foundation.hub.client import HubClient

log = logging.getLogger(__name__)

SPACE_MARGIN = 32 << 20  # keep this much free besides the download itself
_active_lock = threading.Lock()
_active: set[Path] = set()

Status = Literal["completed", "paused", "cancelled"]


@dataclass(frozen=True)
class DownloadProgress:
    """A progress report. Sent on the downloading thread, at most once per chunk."""

    file_name: str  # the part being fetched
    done: int  # bytes of the whole model on disk, kept partial data included
    total: int
    speed: float  # bytes per second over the last few seconds
    eta_s: float | None  # None until a speed is known

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass(frozen=True)
class DownloadResult:
    """What a download run ended with."""

    status: Status
    paths: tuple[Path, ...]  # the installed files when completed, else ()
    sha256: tuple[str, ...]  # verified digests of ``paths``
    fetched: int  # bytes received in this run
    repo: str = ""  # where they came from: the repository,
    revision: str | None = None  # the revision asked for (None: the default branch),
    files: tuple[str, ...] = ()  # and the files' paths in the repository

    @property
    def is_complete(self) -> bool:
        return self.status == "completed"


class DownloadControl:
    """Pause or cancel a running download from any thread (like a ``threading.Event``)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.discard = False

    def pause(self) -> None:
        """Stop soon and keep the partial file, so a later download resumes."""
        self._event.set()

    def cancel(self) -> None:
        """Stop soon and delete the partial file."""
        self.discard = True
        self._event.set()

    @property
    def is_stopped(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True early when stopped."""
        return self._event.wait(seconds)


def _free_bytes(path: Path) -> int:
    """Free bytes on the filesystem holding ``path`` (the one place free space is read)."""
    return shutil.disk_usage(path).free


class _Meter:
    """Speed over a sliding window of a few seconds."""

    def __init__(self, window_s: float = 3.0) -> None:
        self._window = window_s
        self._samples: deque[tuple[float, int]] = deque()

    def update(self, done: int) -> float:
        now = time.monotonic()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self._window:
            self._samples.popleft()
        t0, d0 = self._samples[0]
        return (done - d0) / (now - t0) if now > t0 else 0.0


class _Run:
    """Shared state of one download call: progress totals and the stop flag."""

    def __init__(
        self,
        total: int,
        done: int,
        progress: Callable[[DownloadProgress], None] | None,
        control: DownloadControl,
    ) -> None:
        self.total, self.done, self.fetched = total, done, 0
        self.progress, self.control, self.meter = progress, control, _Meter()

    def advance(self, name: str, n: int) -> None:
        self.done += n
        self.fetched += n
        if self.progress is None:
            return
        speed = self.meter.update(self.done)
        eta = (self.total - self.done) / speed if speed > 0 else None
        self.progress(DownloadProgress(name, self.done, self.total, speed, eta))


class Downloader:
    """Downloads Hub models into the store folder; one instance may run several downloads.

    Args:
        client: The Hub client (endpoint and token).
        store_dir: The models folder; default ``app_paths().models``.
        max_retries: Network failures in a row (without progress) before giving up.
        backoff_s: First wait before a retry; doubles up to ``backoff_max_s``.
    """

    def __init__(
        self,
        client: HubClient,
        store_dir: Path | None = None,
        *,
        chunk_size: int = CHUNK_SIZE,
        max_retries: int = 5,
        backoff_s: float = 0.5,
        backoff_max_s: float = 8.0,
    ) -> None:
        self.client = client
        self.store_dir = store_dir or app_paths().models
        self.chunk_size = chunk_size
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s

    @property
    def partial_dir(self) -> Path:
        return self.store_dir / PARTIAL_DIR

    def partial_bytes(self, entry: GgufEntry, repo_id: str | None = None) -> int:
        """Bytes of ``entry`` (of ``repo_id``; of any repository when None) already kept."""
        return sum(
            max((p.stat().st_size for p in self._partials(f, repo_id)), default=0)
            for f in entry.parts
        )

    def discard_partial(self, entry: GgufEntry, repo_id: str | None = None) -> None:
        """Delete kept partial data of ``entry`` (of ``repo_id``; when None, of any
        repository whose record names the same remote file)."""
        for f in entry.parts:
            for p in self._partials(f, repo_id):
                for path in (p, p.with_name(p.name + ".json")):
                    path.unlink(missing_ok=True)
                prune_empty(p.parent)

    def _partial_path(self, repo_id: str, remote: RemoteFile) -> Path:
        return repo_dir(self.partial_dir, repo_id) / (_safe_name(remote.path) + ".part")

    def _legacy_partial(self, remote: RemoteFile) -> Path:
        """Where versions before per-repository folders kept the partial file."""
        return self.partial_dir / (_safe_name(remote.path) + ".part")

    def _partials(self, remote: RemoteFile, repo_id: str | None) -> list[Path]:
        """Kept partial files of ``remote`` (whose record, if any, matches it)."""
        name = _safe_name(remote.path) + ".part"
        if repo_id is not None:
            found = [self._partial_path(repo_id, remote)]
            legacy = self._legacy_partial(remote)
            if _record(legacy).get("repo") == repo_id:
                found.append(legacy)
            return [p for p in found if p.exists()]
        if not self.partial_dir.is_dir():
            return []
        return [
            p
            for p in sorted(self.partial_dir.rglob(name))
            if _record(p).get("path", remote.path) == remote.path
            and (remote.sha256 is None or _record(p).get("sha256", remote.sha256) == remote.sha256)
        ]

    def download(
        self,
        repo_id: str,
        entry: GgufEntry,
        *,
        revision: str | None = None,
        progress: Callable[[DownloadProgress], None] | None = None,
        control: DownloadControl | None = None,
    ) -> DownloadResult:
        """Download, verify and install ``entry`` (all parts of a split model as one unit).

        ``progress`` runs on the calling thread. Returns when done, paused or cancelled.

        Raises:
            UnsafeFileNameError, ModelExistsError, DiskFullError, ChecksumMismatch,
            GatedRepoError, HubNotFoundError, OfflineError, HubResponseError.
        """
        control = control or DownloadControl()
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        parts = [self._prepare(repo_id, f, revision, entry) for f in entry.parts]
        self._claim(parts)
        try:
            return self._run(repo_id, revision, parts, progress, control)
        finally:
            with _active_lock:
                _active.difference_update(p.partial for p in parts)

    def _claim(self, parts: list[Part]) -> None:
        with _active_lock:
            if any(p.partial in _active for p in parts):
                raise ModelExistsError(f"'{parts[0].target.name}' is already being downloaded.")
            _active.update(p.partial for p in parts)

    def _run(
        self,
        repo_id: str,
        revision: str | None,
        parts: list[Part],
        progress: Callable[[DownloadProgress], None] | None,
        control: DownloadControl,
    ) -> DownloadResult:
        kept = sum(p.kept() for p in parts)
        self._check_space(sum(p.size for p in parts) - kept)
        run = _Run(sum(p.size for p in parts), kept, progress, control)
        for part in parts:
            if not part.verified:
                self._fetch(repo_id, revision, part, run)
            if control.is_stopped and not part.verified:
                return self._stopped(parts, run)
        for part in parts:
            part.target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part.partial, part.target)
            part.sidecar.unlink(missing_ok=True)
            prune_empty(part.partial.parent)
        log.info("installed %s from %s", ", ".join(p.target.name for p in parts), repo_id)
        return DownloadResult(
            "completed",
            tuple(p.target for p in parts),
            tuple(p.sha256 for p in parts),
            run.fetched,
            repo_id,
            revision,
            tuple(p.remote.path for p in parts),
        )

    @staticmethod
    def _stopped(parts: list[Part], run: _Run) -> DownloadResult:
        if run.control.discard:
            for p in parts:
                p.drop()
            return DownloadResult("cancelled", (), (), run.fetched)
        return DownloadResult("paused", (), (), run.fetched)

    def _check_space(self, needed: int) -> None:
        free = _free_bytes(self.store_dir)
        if free < needed + SPACE_MARGIN:
            raise DiskFullError(
                f"Not enough disk space: the download needs {needed / 1e9:.2f} GB more and "
                f"{free / 1e9:.2f} GB are free in {self.store_dir}. Free some space, or remove "
                "models you no longer use, then try again."
            )

    def _prepare(
        self, repo_id: str, remote: RemoteFile, revision: str | None, entry: GgufEntry
    ) -> Part:
        """Resolve the file on the Hub and decide what of its kept partial data is usable."""
        name = _safe_name(remote.path)
        target = repo_dir(self.store_dir, repo_id) / name
        if target.exists() or target.is_symlink():
            _refuse_installed(target, repo_id, remote)
        resolved = self.client.resolve(repo_id, remote.path, revision=revision)
        sha = remote.sha256 or (resolved.etag if is_sha256(resolved.etag) else None)
        size = remote.size or resolved.size
        if sha is None or not size:
            raise HubResponseError(
                f"The Hub gives no SHA-256 or size for '{remote.path}', so "
                "the download could not be verified. Pick another file."
            )
        part = Part(
            remote,
            self._partial_path(repo_id, remote),
            target,
            size,
            sha.lower(),
            resolved.etag,
            resolved=resolved,
            repo=repo_id,
            entry=entry.name,
            quantization=entry.quantization,
            revision=revision,
        )
        part.partial.parent.mkdir(parents=True, exist_ok=True)
        self._adopt_legacy(part)
        self._reconcile(part)
        return part

    def _adopt_legacy(self, part: Part) -> None:
        """Move this file's partial data from where earlier versions kept it, if it is its."""
        legacy = self._legacy_partial(part.remote)
        if part.partial.exists() or part.sidecar.exists() or not legacy.exists():
            return
        record = _record(legacy)
        if record.get("repo") != part.repo and record.get("sha256") != part.sha256:
            return  # another repository's download of a same-named file
        os.replace(legacy, part.partial)
        old_sidecar = legacy.with_name(legacy.name + ".json")
        if old_sidecar.exists():
            os.replace(old_sidecar, part.sidecar)
        log.info("resuming %s from the kept partial file of an earlier version", part.target.name)

    @staticmethod
    def _reconcile(part: Part) -> None:
        """Keep partial data only if it belongs to the same remote file."""
        try:
            old: dict[str, Any] = json.loads(part.sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        same = (
            old.get("sha256") == part.sha256
            and old.get("size") == part.size
            and (old.get("etag") in (None, part.etag))
        )
        if not same or part.kept() > part.size:
            if part.partial.exists():
                log.info("remote file changed or no record; restarting %s", part.partial.name)
            part.drop()
        part.verified = bool(same and old.get("verified")) and part.kept() == part.size
        part.save_sidecar()

    def _fetch(self, repo_id: str, revision: str | None, part: Part, run: _Run) -> None:
        """Stream the rest of one part, retrying network failures, then verify it."""
        digest = hash_file(part.partial)
        failures, resolved = 0, part.resolved  # fresh from _prepare: no second HEAD
        part.resolved = None
        while part.kept() < part.size and not run.control.is_stopped:
            before = part.kept()
            try:
                resolved = resolved or self.client.resolve(
                    repo_id, part.remote.path, revision=revision
                )
                digest = self._stream(part, resolved, digest, run)
                error: Exception = Interrupted("the server sent no data")
            except (Interrupted, OfflineError) as exc:
                error, resolved = exc, None  # a CDN address may have expired: ask again
            if part.kept() > before or run.control.is_stopped:
                failures = 0
                continue
            failures += 1
            if failures > self.max_retries:
                raise _gave_up(error, part, self.client.endpoint) from error
            delay = min(self.backoff_max_s, self.backoff_s * 2 ** (failures - 1))
            log.warning(
                "download of %s interrupted (%s); retry in %.1fs", part.remote.path, error, delay
            )
            run.control.wait(delay)
        if not run.control.is_stopped:
            self._verify(part, digest)

    def _stream(self, part: Part, resolved: ResolvedFile, digest: Any, run: _Run) -> Any:
        """One GET from the kept offset; returns the hash state after what was written."""
        offset = part.kept()
        response = open_range(
            resolved.url, self.client.download_headers(resolved), offset, self.client.timeout
        )
        with response:
            if offset and response.status != 206:
                log.info("server ignored the Range header; restarting %s", part.partial.name)
                run.done -= offset
                offset, digest = 0, hashlib.sha256()
            writer = HashingWriter(part.partial, offset, digest, self.chunk_size)
            try:
                self._pump(response, writer, part, run)
            finally:
                digest = writer.close()
        return digest

    @staticmethod
    def _pump(response: Any, writer: HashingWriter, part: Part, run: _Run) -> None:
        """Move the body into the writer buffer by buffer until the end or a stop."""
        while not run.control.is_stopped:
            buffer = writer.buffer()
            try:
                n = read_into(response, buffer)
            except BaseException:
                writer.release(buffer)
                raise
            if not n:
                writer.release(buffer)
                return
            writer.submit(buffer, n)
            run.advance(part.target.name, n)

    @staticmethod
    def _verify(part: Part, digest: Any) -> None:
        got = digest.hexdigest()
        if got != part.sha256:
            part.drop()
            raise ChecksumMismatch(
                f"'{part.target.name}' arrived damaged: its SHA-256 is {got}, the Hub says "
                f"{part.sha256}. The broken file was deleted; download it again."
            )
        part.verified = True
        part.save_sidecar()


def _record(partial: Path) -> dict[str, Any]:
    """The JSON record beside a partial file; {} when there is none or it is unreadable."""
    try:
        data = json.loads(partial.with_name(partial.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _refuse_installed(target: Path, repo_id: str, remote: RemoteFile) -> NoReturn:
    """Raise ModelExistsError for ``target`` (``remote`` of ``repo_id``, already there)."""
    try:
        differs = bool(remote.size) and target.stat().st_size != remote.size
    except OSError:
        differs = False
    if differs:
        raise ModelExistsError(
            f"Another version of '{target.name}' from {repo_id} is installed in "
            f"{target.parent}. Remove it first to download this one."
        )
    raise ModelExistsError(
        f"'{target.name}' from {repo_id} is already installed in {target.parent}. "
        "Remove it first to download it again."
    )


def _gave_up(error: Exception, part: Part, endpoint: str) -> OfflineError:
    if isinstance(error, OfflineError):
        return error
    return OfflineError(
        f"Downloading '{part.remote.path}' kept failing ({error}); {endpoint} or its download "
        "server is unreachable. The part already downloaded is kept: try again later and it "
        "resumes."
    )
