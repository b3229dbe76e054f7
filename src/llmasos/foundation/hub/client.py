"""The Hugging Face Hub client of the model manager: search, list GGUF files, resolve URLs.

Everything goes through huggingface_hub (``HfApi`` and ``get_hf_file_metadata``),
so a mirror set as the endpoint works. Errors come out as the typed errors of
:mod:`llmasos.foundation.hub.errors`.

huggingface_hub's shared HTTP session has no timeout, and some of its calls
(``list_models``) pass ``timeout=None`` explicitly, so a silent network would hang
a search for ever. :func:`install_default_timeout` therefore installs a session
whose request hook gives every request without a timeout the app's default.

That session also fails fast when nothing answers at all. huggingface_hub retries a
search five times, sleeping 1+2+4+8+8 s, on any network error or timeout: ~23 s before
an offline search said so (and 6 × the timeout against a silent server), though a name
that does not resolve or a refused connection fails at once and a retry cannot help.
A request that gets no answer (no connection, or no response before the timeout) is
therefore raised as :class:`NoAnswerError`, which huggingface_hub does not retry; a
5xx or 429 answer, and a connection that breaks mid-transfer, are still retried.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any
from urllib.parse import urlparse

import httpx2
import huggingface_hub.constants as hf_constants
from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url, set_client_factory
from huggingface_hub.utils._headers import build_hf_headers
from huggingface_hub.utils._http import hf_request_event_hook

from llmasos.foundation.hub.errors import HubResponseError, translating
from llmasos.foundation.hub.types import (
    DEFAULT_ENDPOINT,
    DEFAULT_TIMEOUT_S,
    GgufEntry,
    RemoteFile,
    RepoSummary,
    ResolvedFile,
    SortKey,
    group_gguf_files,
    is_sha256,
    parse_quantization,
    resolve_endpoint,
    safe_file_name,
    split_info,
)

log = logging.getLogger(__name__)


def _hand_hub_logs_to_the_app() -> None:
    """Replace the stderr handler huggingface_hub gives its loggers when it is imported.

    With it, each of its warnings was printed twice (by it, and again by the app's
    handler) and even without ``--debug``; its records now go only where the app's
    logging set-up sends them (the log file; stderr with ``--debug``). The null handler
    keeps Python's last-resort handler from printing them where the app set up none.
    """
    hub_log = logging.getLogger("huggingface_hub")
    for handler in list(hub_log.handlers):
        if type(handler) is logging.StreamHandler:
            hub_log.removeHandler(handler)
    if not hub_log.handlers:
        hub_log.addHandler(logging.NullHandler())


_hand_hub_logs_to_the_app()

_timeout_lock = threading.Lock()
_timeout_s: float | None = None


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


class NoAnswerError(httpx2.TransportError):
    """The endpoint gave no answer: no connection, or no response before the timeout.

    Raised in place of ``httpx2.ConnectError`` and ``httpx2.TimeoutException``, which
    huggingface_hub retries for ~23 s; being neither, this one ends the request at
    once. :func:`~llmasos.foundation.hub.errors.translate_hub_error` turns it into an
    :class:`~llmasos.foundation.hub.errors.OfflineError`; its ``__cause__`` is the
    original error.
    """


class _FailFastClient(httpx2.Client):
    """An ``httpx2.Client`` whose requests that get no answer raise :class:`NoAnswerError`."""

    def send(
        self, request: httpx2.Request, *args: Any, stream: bool = False, **kwargs: Any
    ) -> httpx2.Response:
        """Send ``request``; a failure before the response's headers is final."""
        try:
            response = super().send(request, *args, stream=True, **kwargs)
        except (httpx2.ConnectError, httpx2.TimeoutException) as exc:
            raise NoAnswerError(str(exc) or type(exc).__name__, request=request) from exc
        if not stream:  # what httpx2 does: read the body now, close on any failure
            try:
                response.read()
            except BaseException:
                response.close()
                raise
        return response


def _client_factory() -> httpx2.Client:
    return _FailFastClient(
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

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.endpoint = resolve_endpoint(endpoint)
        self._token: str | bool = token or os.environ.get("HF_TOKEN") or False
        self.timeout = timeout
        install_default_timeout(timeout)
        # huggingface_hub's user-agent code otherwise fetches a registry from huggingface.co
        # (whatever endpoint is set) on the first request: nothing may call home.
        hf_constants.HF_HUB_DISABLE_TELEMETRY = True
        self._api = HfApi(endpoint=self.endpoint, token=self._token)

    def search(
        self, query: str, *, sort: SortKey = "downloads", limit: int = 20
    ) -> list[RepoSummary]:
        """Find GGUF repositories whose name matches ``query``, most downloaded/liked first."""
        with translating(f"search the Hub for '{query}'", self.endpoint):
            models = list(
                self._api.list_models(search=query or None, filter="gguf", sort=sort, limit=limit)
            )
        return [
            RepoSummary(
                m.id,
                int(m.downloads or 0),
                int(m.likes or 0),
                bool(m.gated),
                m.last_modified.isoformat() if m.last_modified else None,
            )
            for m in models
        ]

    def list_gguf(self, repo_id: str, *, revision: str | None = None) -> list[GgufEntry]:
        """The repository's GGUF models with sizes, quantization and SHA-256.

        Raises:
            UnsafeFileNameError: a .gguf file name has path components that escape a folder.
        """
        with translating(f"list the files of '{repo_id}'", self.endpoint):
            info = self._api.model_info(
                repo_id, revision=revision, files_metadata=True, timeout=self.timeout
            )
        files = [
            self._remote_file(s)
            for s in info.siblings or []
            if s.rfilename.lower().endswith(".gguf")
        ]
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

    def _fill_checksums(
        self, repo_id: str, revision: str | None, files: list[RemoteFile], missing: list[str]
    ) -> list[RemoteFile]:
        """Ask ``paths-info`` for files the model info listed without LFS metadata."""
        with translating(f"read the checksums of '{repo_id}'", self.endpoint):
            infos = self._api.get_paths_info(repo_id, missing, revision=revision)
        found: dict[str, Any] = {i.path: getattr(i, "lfs", None) for i in infos}
        found = {k: v for k, v in found.items() if v is not None}
        return [
            RemoteFile(f.path, int(found[f.path].size), found[f.path].sha256)
            if f.path in found
            else f
            for f in files
        ]

    def file_url(self, repo_id: str, path: str, *, revision: str | None = None) -> str:
        """The ``resolve`` URL of a file on this endpoint."""
        safe_file_name(path)
        return str(hf_hub_url(repo_id, path, revision=revision, endpoint=self.endpoint))

    def resolve(self, repo_id: str, path: str, *, revision: str | None = None) -> ResolvedFile:
        """HEAD the file: its size, ETag, commit and current download location."""
        url = self.file_url(repo_id, path, revision=revision)
        with translating(f"get '{path}' from '{repo_id}'", self.endpoint):
            meta = get_hf_file_metadata(
                url, token=self._token, timeout=self.timeout, endpoint=self.endpoint
            )
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


__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_TIMEOUT_S",
    "GgufEntry",
    "HubClient",
    "NoAnswerError",
    "RemoteFile",
    "RepoSummary",
    "ResolvedFile",
    "SortKey",
    "group_gguf_files",
    "install_default_timeout",
    "is_sha256",
    "parse_quantization",
    "resolve_endpoint",
    "safe_file_name",
    "split_info",
]
