"""The one way GUI code runs non-inference work off the GUI thread.

Network calls (Hub search, file lists, downloads) and slow file work (copying a
model into the store) must neither freeze the window nor wait in the inference
kernel's queue behind a generation. They go through a :class:`BackgroundRunner`:

.. code-block:: python

    task = runner.run(lambda ctx: client.search(query), group="search")
    task.succeeded.connect(show_results)      # GUI thread
    task.failed.connect(status.setText)       # GUI thread, a message a person can act on

The job runs on a worker thread of the runner's own ``QThreadPool`` and gets a
:class:`TaskContext`: it reports progress with ``ctx.report(obj)`` and checks
``ctx.is_cancelled`` to stop early (cancelling is cooperative; no thread is ever
killed). **Never touch a widget inside a job**: hand plain (preferably frozen)
data back through ``report`` or the return value. Every :class:`Task` signal is
delivered on the GUI thread, and ``finished`` always comes last.

Starting a job in a ``group`` cancels the group's previous job (a new search
supersedes the old one); a cancelled job's result is delivered as ``cancelled``,
not ``succeeded``. :meth:`BackgroundRunner.shutdown` cancels everything and waits
for the workers; owners call it when they close. An owner deleted without it (a
page closed mid-job) gets the same when its runner is destroyed, and the tasks'
signals are then never delivered. :func:`active_tasks` counts jobs not yet ended
in the whole process, for tests that check nothing was leaked.

A finished task leaves its runner before it is deleted: deleting it frees the slots
connected to it, and those may hold the last reference to the runner's owner (a
``lambda`` that calls the owner back), which then takes the runner and its children
with it while the task is still being destroyed; as a child, the task would be
deleted a second time.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal

from llmasos.apps.gui.common.messages import error_text
from llmasos.errors import LLMasOSError

log = logging.getLogger(__name__)

Job = Callable[["TaskContext"], Any]
_count_lock = threading.Lock()
_active = 0


def active_tasks() -> int:
    """Jobs started by any runner whose worker has not returned yet."""
    with _count_lock:
        return _active


def _count(delta: int) -> None:
    global _active
    with _count_lock:
        _active += delta


class TaskContext:
    """What a job sees of its task (used on the worker thread)."""

    def __init__(self, task: Task) -> None:
        self._task = task

    @property
    def is_cancelled(self) -> bool:
        """Whether the task was cancelled; a job checks this between steps."""
        return self._task.is_cancelled

    def report(self, item: object) -> None:
        """Send ``item`` to the GUI thread as ``progressed(item)`` (plain data only)."""
        self._task._report.emit(item)


class Task(QObject):
    """One background job. Create it with :meth:`BackgroundRunner.run`.

    Signals (all delivered on the GUI thread): ``progressed(object)``,
    ``succeeded(object)`` (the job's return value), ``failed(str)`` (a message to
    show), ``cancelled()``, then always ``finished()``.
    """

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()
    _report = Signal(object)
    _ended = Signal(str, object)  # "succeeded" | "failed" | "cancelled", payload
    unexpected = Signal(str)  # traceback of a bug in the job

    def __init__(self, job: Job, stop: Callable[[], None] | None, parent: QObject | None) -> None:
        super().__init__(parent)
        self._job = job
        self._stop = stop
        self._cancel = threading.Event()
        self.is_done = False
        queued = Qt.ConnectionType.QueuedConnection
        self._report.connect(self._on_report, queued)
        self._ended.connect(self._on_ended, queued)

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the job to stop (any thread); runs the ``stop`` hook given to ``run``."""
        if self._cancel.is_set() or self.is_done:
            return
        self._cancel.set()
        if self._stop is not None:
            self._stop()

    def _execute(self) -> None:  # worker thread
        try:
            if self.is_cancelled:
                self._ended.emit("cancelled", None)
                return
            result = self._job(TaskContext(self))
            self._ended.emit("cancelled" if self.is_cancelled else "succeeded", result)
        except LLMasOSError as exc:
            self._ended.emit("failed", error_text(exc))
        except Exception as exc:  # a bug: keep the worker alive, tell the app's handler
            details = traceback.format_exc()
            log.error("background job failed unexpectedly:\n%s", details)
            self.unexpected.emit(details)
            self._ended.emit(
                "failed",
                self.tr(
                    "Something went wrong ({kind}: {error}). The details are in the log file."
                ).format(kind=type(exc).__name__, error=exc),
            )
        finally:
            _count(-1)

    def _on_report(self, item: object) -> None:  # GUI thread
        if not self.is_done:
            self.progressed.emit(item)

    def _on_ended(self, how: str, payload: object) -> None:  # GUI thread
        self.is_done = True
        if how == "succeeded":
            self.succeeded.emit(payload)
        elif how == "failed":
            self.failed.emit(str(payload))
        else:
            self.cancelled.emit()
        self.finished.emit()


class BackgroundRunner(QObject):
    """Runs jobs on a private thread pool; owned by one page or window (GUI thread).

    Args:
        max_threads: Jobs that may run at once; later ones wait in line.
    """

    unexpected = Signal(str)  # traceback of a bug in any job, for the app's error handler

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 3) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._tasks: set[Task] = set()
        self._groups: dict[str, Task] = {}
        # An owner deleted without shutdown() (its page closed mid-job): stop the jobs and wait
        # for them here, with the GIL released, before the pool's own wait in its destructor,
        # which may run with the GIL held. Only plain objects are captured: the runner's
        # Python side is gone by then, its children (pool and tasks) are not.
        tasks, pool = self._tasks, self._pool
        self.destroyed.connect(lambda: _stop_and_wait(tasks, pool))

    def run(
        self, job: Job, *, group: str | None = None, stop: Callable[[], None] | None = None
    ) -> Task:
        """Start ``job(ctx)`` on a worker thread and return its :class:`Task`.

        Args:
            job: Runs on a worker thread; must not touch widgets.
            group: Cancel the group's previous task first (Textual's "exclusive" workers).
            stop: Called (on the cancelling thread) when the task is cancelled, for jobs
                that wait on something of their own, e.g. ``DownloadControl.pause``.
        """
        if group is not None and group in self._groups:
            self._groups[group].cancel()
        task = Task(job, stop, self)
        task.unexpected.connect(self.unexpected)
        task.finished.connect(lambda: self._forget(task, group))
        self._tasks.add(task)
        if group is not None:
            self._groups[group] = task
        _count(+1)
        self._pool.start(task._execute)
        return task

    def _forget(self, task: Task, group: str | None) -> None:
        self._tasks.discard(task)
        if group is not None and self._groups.get(group) is task:
            del self._groups[group]
        # Out of the runner first (see the module docstring). The connection of finished to
        # this method keeps the Python side alive until the deletion, which stays on this thread.
        task.setParent(None)
        task.deleteLater()

    def running(self, group: str) -> Task | None:
        """The group's task, while it has not finished."""
        return self._groups.get(group)

    def cancel_all(self) -> None:
        """Cancel every task of this runner."""
        for task in list(self._tasks):
            task.cancel()

    def shutdown(self, timeout_s: float = 15.0) -> bool:
        """Cancel every task and wait for the workers; True when all have returned."""
        self.cancel_all()
        done = bool(self._pool.waitForDone(int(timeout_s * 1000)))
        if not done:
            log.warning("background jobs still running after %.0f s", timeout_s)
        return done


def _stop_and_wait(tasks: set[Task], pool: QThreadPool) -> None:  # GUI thread
    for task in list(tasks):
        task.cancel()
    pool.waitForDone()
