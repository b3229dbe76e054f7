"""The seam between the kernel's Qt signals and the HTTP server's threads.

Choice: the bridge connects to the kernel's signals with ``Qt.DirectConnection``, so
its slots run on the thread that emits — the kernel's worker (or, for a request
cancelled while queued, the thread that called ``cancel``) — and only put plain
events into per-request :class:`queue.Queue` objects, which are thread-safe. So the
API never waits for the GUI thread: a busy or absent event loop (``llmasos serve``
runs none) cannot stall it, and the worker spends one ``put`` per coalesced
signal. HTTP handler threads block on their own queue.

Requests go to the kernel with :attr:`Priority.BACKGROUND`: the window a person is
using goes first, and API requests run first-come, first-served among themselves.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt

from llmasos.errors import LLMasOSError
from llmasos.kernel.kernel import Failure, JobFn, Kernel, Priority

log = logging.getLogger(__name__)

OWNER = "api"
_DIRECT = Qt.ConnectionType.DirectConnection


@dataclass(frozen=True)
class Started:
    """The request left the queue and began running."""


@dataclass(frozen=True)
class Text:
    """Text the model produced (coalesced pieces)."""

    text: str


@dataclass(frozen=True)
class Item:
    """A non-text item the job yielded (a progress event, a failure, a result)."""

    value: Any


@dataclass(frozen=True)
class Ended:
    """The request ended: ``kind`` is finished, cancelled, failed or stopped (server)."""

    kind: str
    stats: Any = None
    message: str = ""
    error: LLMasOSError | None = None  # the typed error of a failure (None for a bug)


@dataclass
class Ticket:
    """One request's id and the queue its events arrive in."""

    id: int
    events: queue.Queue[Started | Text | Item | Ended] = field(default_factory=queue.Queue)


class KernelBridge:
    """Submits API jobs to the kernel and routes its signals to per-request queues."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self._lock = threading.RLock()
        self._tickets: dict[int, Ticket] = {}
        self._closed = False
        self._slots: list[tuple[Any, Callable[..., None]]] = [
            (kernel.started, self._on_started),
            (kernel.tokens, self._on_tokens),
            (kernel.yielded, self._on_yielded),
            (kernel.finished, self._on_finished),
            (kernel.cancelled, self._on_cancelled),
            (kernel.failed, self._on_failed),
        ]
        for signal, slot in self._slots:
            signal.connect(slot, _DIRECT)

    def submit(self, job: JobFn) -> Ticket:
        """Queue ``job`` (runs on the worker thread) at background priority."""
        return self.track(
            lambda: self.kernel.submit(job, owner=OWNER, priority=Priority.BACKGROUND)
        )

    def track(self, start: Callable[[], int]) -> Ticket:
        """Run ``start`` (which queues a kernel request and returns its id) and follow it.

        The lock is held across ``start`` so a signal for the new id cannot arrive
        before its ticket exists.

        Raises:
            RuntimeError: the bridge or the kernel is shut down.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("The API server is stopping.")
            ticket = Ticket(start())
            self._tickets[ticket.id] = ticket
        return ticket

    def cancel(self, ticket: Ticket) -> None:
        """Cancel the request (queued or running) and stop routing its events."""
        self.kernel.cancel(ticket.id)
        self.forget(ticket)

    def forget(self, ticket: Ticket) -> None:
        with self._lock:
            self._tickets.pop(ticket.id, None)

    @property
    def open_requests(self) -> int:
        """How many requests are being followed."""
        with self._lock:
            return len(self._tickets)

    def close(self) -> None:
        """Disconnect, cancel every open request and wake its handler thread."""
        with self._lock:
            self._closed = True
            tickets = list(self._tickets.values())
            self._tickets.clear()
        for signal, slot in self._slots:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # already gone with the kernel
                log.debug("signal already disconnected")
        for ticket in tickets:
            self.kernel.cancel(ticket.id)
            ticket.events.put(Ended("stopped", message="The API server is stopping."))

    # -- slots: run on the kernel's worker thread (or a cancelling thread) -----------------
    def _put(self, request_id: int, event: Started | Text | Item | Ended) -> None:
        with self._lock:
            ticket = self._tickets.get(request_id)
            if ticket is not None and isinstance(event, Ended):
                del self._tickets[request_id]
        if ticket is not None:
            ticket.events.put(event)

    def _on_started(self, request_id: int) -> None:
        self._put(request_id, Started())

    def _on_tokens(self, request_id: int, text: str) -> None:
        self._put(request_id, Text(text))

    def _on_yielded(self, request_id: int, value: object) -> None:
        self._put(request_id, Item(value))

    def _on_finished(self, request_id: int, stats: object) -> None:
        self._put(request_id, Ended("finished", stats))

    def _on_cancelled(self, request_id: int, stats: object) -> None:
        self._put(request_id, Ended("cancelled", stats))

    def _on_failed(self, request_id: int, failure: Failure) -> None:
        self._put(request_id, Ended("failed", message=failure.message, error=failure.error))
