"""The kernel: one worker thread owns the engine, one queue feeds it.

Every request — a chat turn, a writing action, a translation chunk, a model load —
is submitted here, gets an id, waits in one priority queue and runs on the
worker thread, one at a time. Results come back as Qt signals, which Qt delivers
on the GUI thread (queued connections), so windows never block and never touch
llama.cpp.

Signals (past tense, as in superqt): ``started(id)``, ``tokens(id, text)``
(coalesced, at most one every 50 ms), ``finished(id, stats)``,
``cancelled(id, stats)``, ``failed(id, Failure)``; model ``loading``,
``loaded``, ``load_failed``. Cancelling is not an error.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator, Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal

from llmasos.errors import LLMasOSError
from llmasos.records import record

if TYPE_CHECKING:
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.chat_format import ChatMessage
    from llmasos.foundation.engine.protocol import Engine
    from llmasos.foundation.engine.runtime import RunConfig
    from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
    from llmasos.foundation.gguf.model_info import (
        ModelInfo,  # the engine module loads on the worker, with the first request
    )

log = logging.getLogger(__name__)

COALESCE_S = 0.050  # hand text to the GUI at most every 50 ms (20 repaints a second);
# measured in bench/gui.py on 2 cores, where every GUI-thread wake-up takes time from one of
# llama.cpp's two OpenMP threads and the other then waits at a barrier: decode speed into a
# widget vs raw llama.cpp was 0.94-0.97 at 33 ms and 0.995-1.0 at 50 ms. The first piece
# of a reply goes out at once (time to first token is not delayed).

#: A job runs on the worker thread: it gets the engine and the request's cancel token
#: and yields text (``str``) or events (any other frozen dataclass, e.g. progress).
#: If the iterator has a ``stats`` attribute, it is reported when the job ends.
JobFn = Callable[["Engine", "CancelToken"], Iterator[Any]]


class Priority(IntEnum):
    """Lower runs first; equal priorities run in submission order."""

    MODEL = 0  # loads and unloads go before queued work, which then runs on the new model
    INTERACTIVE = 1  # the window the person is looking at
    BACKGROUND = 2  # API calls, hidden windows, prefetch


def _new_token() -> CancelToken:
    from llmasos.foundation.engine.cancel import CancelToken  # ctypes: with the first request

    return CancelToken()


class _Request:
    """One queued request. The queue (a heap) runs the lowest priority first and, within
    a priority, the earliest submitted (``seq``); two requests are never equal."""

    __slots__ = ("cancel", "id", "job", "owner", "priority", "run", "seq")

    def __init__(
        self,
        priority: int,
        seq: int,
        id: int,
        owner: str,
        run: Callable[[_Request], None],
        job: JobFn | None = None,
    ) -> None:
        self.priority, self.seq, self.id, self.owner = priority, seq, id, owner
        self.run, self.job = run, job
        self.cancel = _new_token()

    def __lt__(self, other: _Request) -> bool:
        return (self.priority, self.seq) < (other.priority, other.seq)

    def __repr__(self) -> str:
        return f"_Request(id={self.id}, owner={self.owner!r}, priority={self.priority})"


_workers: weakref.WeakSet[_WorkerThread] = weakref.WeakSet()


def running_workers() -> int:
    """How many kernel worker threads are running (tests check none is left behind)."""
    return sum(1 for w in list(_workers) if w.isRunning())


class _WorkerThread(QThread):
    """Runs requests from the kernel's queue until shut down."""

    def __init__(self, kernel: Kernel) -> None:
        super().__init__()
        self.setObjectName("llmasos-engine")
        self._kernel = kernel

    def run(self) -> None:  # worker thread
        self._kernel._serve()


BUG_MESSAGE = (
    "Something went wrong inside LLMasOS. The details are in the log file; please report them."
)


@record
class Failure:
    """Why a request failed, as ``failed`` carries it: the text to show, and the typed
    error behind it (None for a bug inside LLMasOS, whose traceback went to the log and
    to ``unexpected``)."""

    message: str
    error: LLMasOSError | None = None

    @property
    def is_bug(self) -> bool:
        return self.error is None


class Kernel(QObject):
    """The one gateway to the model. Create one per app, on the GUI thread."""

    started = Signal(int)
    tokens = Signal(int, str)
    yielded = Signal(int, object)  # a job's non-text item (progress, chunk done, …)
    finished = Signal(int, object)  # GenerationStats | None
    cancelled = Signal(int, object)  # GenerationStats | None
    failed = Signal(int, object)  # Failure
    unexpected = Signal(str)  # traceback text of a bug, for the app's error handler
    loading = Signal(str)  # path
    load_progress = Signal(float)  # 0.0 … 1.0 while a model loads (at most every 50 ms)
    loaded = Signal(object)  # ModelInfo
    load_failed = Signal(str)
    unloaded = Signal()
    busy_changed = Signal(bool)

    def __init__(
        self,
        engine: Engine | None = None,
        parent: QObject | None = None,
        *,
        make_engine: Callable[[], Engine] | None = None,
    ) -> None:
        """``engine``, or ``make_engine`` to build it on the worker with the first request
        (llama.cpp's modules then load off the GUI thread); neither: a local engine."""
        super().__init__(parent)
        self._given_engine = engine
        self._make_engine = make_engine
        self._cond = threading.Condition()
        self._queue: list[_Request] = []
        self._running: _Request | None = None
        self._stopping = False
        self._ids = itertools.count(1)
        self._seq = itertools.count()
        self._info: ModelInfo | None = None
        self._n_ctx: int | None = None
        self._run_config: RunConfig | None = None
        # the typed error behind the last ``load_failed`` (set before it is emitted), for
        # a window that shows it in its own words and language
        self.last_load_error: LLMasOSError | None = None
        self._thread = _WorkerThread(self)
        _workers.add(self._thread)
        self._thread.start()

    # -- state (GUI thread) ----------------------------------------------------
    @property
    def model_info(self) -> ModelInfo | None:
        """The loaded model's metadata, as of the last load or unload."""
        return self._info

    @property
    def run_config(self) -> RunConfig | None:
        """The llama.cpp paths the loaded local model runs with (None: none, or remote)."""
        return self._run_config

    @property
    def n_ctx(self) -> int | None:
        """Context length of the loaded model (None when none is loaded)."""
        return self._n_ctx

    @property
    def is_busy(self) -> bool:
        with self._cond:
            return self._running is not None or bool(self._queue)

    def pending(self) -> list[int]:
        """Ids of queued requests in the order they will run."""
        with self._cond:
            return [r.id for r in sorted(self._queue)]

    # -- submitting ------------------------------------------------------------
    def submit(
        self, job: JobFn, *, owner: str = "", priority: Priority = Priority.INTERACTIVE
    ) -> int:
        """Queue ``job`` to run on the worker thread; return its request id.

        ``job`` runs on the worker thread: it must not touch widgets.
        """
        return self._enqueue(self._run_job, owner, priority, job)

    def chat(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams | None = None,
        *,
        owner: str = "",
        priority: Priority = Priority.INTERACTIVE,
    ) -> int:
        """Queue an assistant reply to ``messages``."""
        msgs = tuple(messages)
        return self.submit(
            lambda eng, cancel: eng.chat(msgs, params, cancel), owner=owner, priority=priority
        )

    def complete(
        self,
        prompt: str,
        params: SamplingParams | None = None,
        *,
        owner: str = "",
        priority: Priority = Priority.INTERACTIVE,
    ) -> int:
        """Queue a plain-text continuation of ``prompt``."""
        return self.submit(
            lambda eng, cancel: eng.complete(prompt, params, cancel), owner=owner, priority=priority
        )

    def load_model(self, path: str | Path, settings: EngineSettings | None = None) -> int:
        """Queue a model load; requests submitted after it run on the new model."""
        target = Path(path)

        def run(req: _Request) -> None:
            self.loading.emit(str(target))
            try:
                info = self._engine().load(target, settings, self._progress_reporter())
            except LLMasOSError as exc:
                self._set_model(self._engine().info)
                self.last_load_error = exc
                self.load_failed.emit(self._load_failed_text(target, exc))
                self.failed.emit(req.id, Failure(str(exc), exc))
                return
            self._set_model(info)
            self.loaded.emit(info)
            self.finished.emit(req.id, None)

        return self._enqueue(run, "kernel", Priority.MODEL, None)

    def expect_new_model(self) -> None:
        """A model the probe has not seen is likely to load soon (a file dialog opened, a
        download finished, the welcome page is up): start the probe's spare child now, so
        that checking the new file skips Python's start-up and the import of llama.cpp."""
        from llmasos.foundation.engine import probe

        probe.prestart()

    def unload_model(self) -> int:
        """Queue freeing the model's memory."""

        def run(req: _Request) -> None:
            self._engine().close()
            self._set_model(None)
            self.unloaded.emit()
            self.finished.emit(req.id, None)

        return self._enqueue(run, "kernel", Priority.MODEL, None)

    def _progress_reporter(self) -> Callable[[float], None]:  # worker thread
        """A listener that passes load progress on, at most every 50 ms, and always 1.0."""
        last = [0.0]

        def report(value: float) -> None:
            now = time.monotonic()
            if value >= 1.0 or now - last[0] >= 0.05:
                last[0] = now
                self.load_progress.emit(value)

        return report

    def _set_model(self, info: ModelInfo | None) -> None:  # worker thread
        self._n_ctx = self._engine().n_ctx if info is not None else None
        self._run_config = getattr(self._engine(), "run_config", None) if info else None
        self._info = info

    def _enqueue(
        self, run: Callable[[_Request], None], owner: str, priority: Priority, job: JobFn | None
    ) -> int:
        req = _Request(int(priority), next(self._seq), next(self._ids), owner, run, job)
        with self._cond:
            if self._stopping:
                raise RuntimeError("The kernel is shut down.")
            was_busy = self._running is not None or bool(self._queue)
            heapq.heappush(self._queue, req)
            self._cond.notify()
        if not was_busy:
            self.busy_changed.emit(True)
        return req.id

    # -- cancelling (any thread) -----------------------------------------------
    def cancel(self, request_id: int) -> bool:
        """Cancel a queued or running request. Returns False if it already ended."""
        with self._cond:
            running = self._running
            if running is not None and running.id == request_id:
                running.cancel.cancel()
                return True
            for req in self._queue:
                if req.id == request_id:
                    self._queue.remove(req)
                    heapq.heapify(self._queue)
                    break
            else:
                return False
            idle = running is None and not self._queue
        self.cancelled.emit(request_id, None)
        if idle:
            self.busy_changed.emit(False)
        return True

    def cancel_owner(self, owner: str) -> int:
        """Cancel every request of ``owner`` (e.g. a closing window); return how many."""
        with self._cond:
            ids = [r.id for r in self._queue if r.owner == owner]
            if self._running is not None and self._running.owner == owner:
                ids.append(self._running.id)
        return sum(self.cancel(i) for i in ids)

    def cancel_all(self) -> None:
        """Cancel everything queued and running."""
        with self._cond:
            ids = [r.id for r in self._queue]
            if self._running is not None:
                ids.append(self._running.id)
        for i in ids:
            self.cancel(i)

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Cancel all, stop the worker, free the model. True if it stopped in time."""
        self.cancel_all()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        stopped = bool(self._thread.wait(int(timeout_s * 1000)))
        if not stopped:
            log.error("The engine thread did not stop within %.1f s", timeout_s)
        return stopped

    # -- the worker thread -------------------------------------------------------
    def _engine(self) -> Engine:  # worker thread
        """The engine, created on the worker with the first request that needs it."""
        if self._given_engine is None and self._make_engine is not None:
            self._given_engine = self._make_engine()
        if self._given_engine is None:
            from llmasos.foundation.engine.llama import LlamaEngine

            self._given_engine = LlamaEngine()
        return self._given_engine

    def _serve(self) -> None:  # worker thread
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    break
                req = heapq.heappop(self._queue)
                self._running = req
            try:
                req.run(req)
            except Exception:  # a bug, not an expected failure: report it, keep serving
                details = traceback.format_exc()
                log.error("Unexpected error in request %d:\n%s", req.id, details)
                self.failed.emit(req.id, Failure(BUG_MESSAGE))
                self.unexpected.emit(details)
            with self._cond:
                self._running = None
                idle = not self._queue
            if idle:
                self.busy_changed.emit(False)
        if self._given_engine is not None:
            self._given_engine.close()

    def _run_job(self, req: _Request) -> None:  # worker thread
        assert req.job is not None
        self.started.emit(req.id)
        try:
            stream = req.job(self._engine(), req.cancel)
            self._pump(req.id, stream)
        except LLMasOSError as exc:
            self.failed.emit(req.id, Failure(str(exc), exc))
            return
        from llmasos.foundation.engine.stream import TextStream  # not part of the app's start

        stats = stream.stats if isinstance(stream, TextStream) else None
        if req.cancel.is_cancelled:
            self.cancelled.emit(req.id, stats)
        else:
            self.finished.emit(req.id, stats)

    def _pump(self, request_id: int, stream: Iterator[Any]) -> None:  # worker thread
        """Forward text, coalesced so the GUI repaints at most every COALESCE_S.

        Events (non-text items) go out at once, after any text that came before them.
        """
        parts: list[str] = []
        last = 0.0  # the first text goes out at once
        for item in stream:
            if not isinstance(item, str):
                if parts:
                    self.tokens.emit(request_id, "".join(parts))
                    parts.clear()
                self.yielded.emit(request_id, item)
                continue
            parts.append(item)
            now = time.monotonic()
            if now - last >= COALESCE_S:
                self.tokens.emit(request_id, "".join(parts))
                parts.clear()
                last = now
        if parts:
            self.tokens.emit(request_id, "".join(parts))

    @staticmethod
    def _load_failed_text(path: Path, exc: LLMasOSError) -> str:
        return f"Could not open {path.name}: {exc}"
