"""Errors of the model manager's Hub client and downloader, and their translation.

Each error subclasses :class:`~llmasos.errors.LLMasOSError` and the builtin that
fits, and its message says what to do next. :func:`translate_hub_error` turns
huggingface_hub and httpx exceptions into these; nothing above the foundation
layer ever looks at huggingface_hub's exception types or message text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huggingface_hub import errors as hf_errors

from llmasos.errors import DiskFullError, LLMasOSError

log = logging.getLogger(__name__)

TOKEN_HINT = (
    "Open the repository's page on the Hugging Face Hub, accept its licence, then create an "
    "access token (Hub settings → Access Tokens) and set it in Settings → Hub token "
    "(or the HF_TOKEN environment variable)."
)


class HubError(LLMasOSError):
    """Base class of model-manager failures."""


class OfflineError(ConnectionError, HubError):
    """The Hub (or the mirror in Settings) cannot be reached."""


class InsecureEndpointError(ValueError, HubError):
    """The configured endpoint is not https (and not this machine)."""


class AccessDeniedError(PermissionError, HubError):
    """The Hub refused access (private repo, missing or weak token)."""


class GatedRepoError(AccessDeniedError):
    """The repository is gated: its licence must be accepted and a token set."""


class HubNotFoundError(FileNotFoundError, HubError):
    """The repository, revision or file does not exist on the Hub."""


class ChecksumMismatch(ValueError, HubError):
    """A downloaded file's SHA-256 differs from the Hub's LFS metadata; it was deleted."""


class UnsafeFileNameError(ValueError, HubError):
    """A remote file name has path components that would escape the models folder."""


class HubResponseError(RuntimeError, HubError):
    """The Hub answered in a way the client cannot use (server error, missing checksum)."""


def _offline_message(what: str, endpoint: str, detail: str) -> str:
    return (
        f"Cannot {what}: {endpoint} is unreachable ({detail}). Check the internet connection, "
        "or the Hub endpoint in Settings (a mirror can be set there)."
    )


def _network_detail(exc: BaseException) -> str:
    """Why nothing came back, from the socket error under httpx's (or the error's name)."""
    import socket
    import ssl

    import httpx2

    seen: BaseException | None = exc
    for _ in range(8):  # the chain: ours ← httpx2 ← httpcore ← the socket's error
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return "its name cannot be resolved"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, ssl.SSLError):
            return f"secure connection failed: {seen}"
        if isinstance(seen, (httpx2.TimeoutException, TimeoutError)):
            return "no answer in time"
        seen = seen.__cause__ or seen.__context__
    return type(exc).__name__


def _http_error(exc: hf_errors.HfHubHTTPError, what: str) -> HubError:
    from huggingface_hub import errors as hf_errors

    status = exc.response.status_code if exc.response is not None else 0
    if isinstance(exc, hf_errors.GatedRepoError):
        return GatedRepoError(f"Cannot {what}: the repository is gated. {TOKEN_HINT}")
    if isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        return HubNotFoundError(
            f"Cannot {what}: no such file in the repository. List the "
            "repository's files and pick one of them."
        )
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return HubNotFoundError(f"Cannot {what}: no such revision (branch, tag or commit).")
    if isinstance(exc, hf_errors.RepositoryNotFoundError):
        return HubNotFoundError(
            f"Cannot {what}: the repository does not exist (check its spelling, "
            "'owner/name'). If it is private, set a Hub token in Settings."
        )
    if status in (401, 403):
        return AccessDeniedError(f"Cannot {what}: the Hub refused access ({status}). {TOKEN_HINT}")
    return HubResponseError(
        f"Cannot {what}: the Hub answered with an error ({status or 'no status'}). "
        "Try again later; if it persists, check the Hub endpoint in Settings."
    )


def translate_hub_error(exc: BaseException, what: str, endpoint: str) -> BaseException:
    """Return our error for a huggingface_hub / httpx exception, or ``exc`` if unknown.

    Args:
        exc: The exception raised by huggingface_hub or httpx.
        what: What was being done, phrased to follow "Cannot …" (e.g. "list the files").
        endpoint: The Hub endpoint, named in offline messages.
    """
    import httpx2  # the Hub's libraries load with the first Hub call, not at start-up
    from huggingface_hub import errors as hf_errors

    if isinstance(exc, HubError):
        return exc
    if isinstance(exc, hf_errors.OfflineModeIsEnabled):
        return OfflineError(
            f"Cannot {what}: offline mode is on (HF_HUB_OFFLINE is set). Unset it to use the Hub."
        )
    if isinstance(exc, hf_errors.HfHubHTTPError):
        return _http_error(exc, what)
    if isinstance(exc, hf_errors.HFValidationError):
        return HubNotFoundError(
            f"Cannot {what}: that is not a repository id. Write it as "
            "'owner/name', for example 'Qwen/Qwen2.5-0.5B-Instruct-GGUF'."
        )
    if isinstance(exc, httpx2.TransportError):  # NoAnswerError among them
        return OfflineError(_offline_message(what, endpoint, _network_detail(exc)))
    if isinstance(exc, OSError) and exc.errno is not None and exc.errno in (28, 122):
        return DiskFullError(f"Cannot {what}: the disk is full. Free some space and try again.")
    if isinstance(exc, (AttributeError, KeyError, TypeError, ValueError)):
        # huggingface_hub parsing an answer that is not the Hub's (a wrong mirror, a proxy page)
        return HubResponseError(
            f"Cannot {what}: {endpoint} answered with something that is not the Hub's API "
            f"({type(exc).__name__}). Check the Hub endpoint in Settings."
        )
    return exc


@contextmanager
def translating(what: str, endpoint: str) -> Iterator[None]:
    """Re-raise huggingface_hub / httpx errors inside the block as our errors."""
    try:
        yield
    except Exception as exc:
        ours = translate_hub_error(exc, what, endpoint)
        if ours is exc:
            raise
        log.debug("translated %r into %r", exc, ours)
        raise ours from exc


class CatalogError(ValueError, HubError):
    """The model catalog file is missing or malformed (a packaging problem)."""
