"""The GUI's background-work runner: threads, signal delivery, cancel, groups, shutdown."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from llmasos.apps.gui.common.background import BackgroundRunner, TaskContext, active_tasks
from llmasos.errors import LLMasOSError


@pytest.fixture
def runner() -> Iterator[BackgroundRunner]:
    r = BackgroundRunner()
    yield r
    assert r.shutdown(10.0)
    assert active_tasks() == 0


def _record(task, events: list) -> None:
    main = threading.get_ident()
    for name in ("progressed", "succeeded", "failed", "cancelled", "finished"):
        getattr(task, name).connect(
            lambda *args, n=name: events.append((n, args, threading.get_ident() == main))
        )


def _wait_until_cancelled(ctx: TaskContext) -> str:
    for _ in range(1000):  # bounded: at most 10 s
        if ctx.is_cancelled:
            return "stopped"
        threading.Event().wait(0.01)
    return "never cancelled"


def test_job_runs_off_the_gui_thread_signals_arrive_on_it(qtbot, runner) -> None:
    main = threading.get_ident()
    events: list = []

    def job(ctx: TaskContext) -> bool:
        ctx.report(1)
        ctx.report(2)
        return threading.get_ident() != main

    task = runner.run(job)
    _record(task, events)
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert [e[0] for e in events] == ["progressed", "progressed", "succeeded", "finished"]
    assert [e[1] for e in events[:3]] == [(1,), (2,), (True,)]  # True: ran on a worker
    assert all(on_gui for _, _, on_gui in events)


def test_expected_and_unexpected_errors(qtbot, runner) -> None:
    def expected(ctx: TaskContext) -> None:
        raise LLMasOSError("Cannot do it. Try that instead.")

    def bug(ctx: TaskContext) -> None:
        raise KeyError("oops")

    task = runner.run(expected)
    with qtbot.waitSignal(task.failed, timeout=10_000) as failed:
        pass
    assert failed.args == ["Cannot do it. Try that instead."]
    details: list[str] = []
    runner.unexpected.connect(details.append)
    task = runner.run(bug)
    with qtbot.waitSignals([task.failed, task.finished], timeout=10_000, order="strict"):
        pass  # signals are delivered by the event loop, i.e. only inside this block
    assert len(details) == 1 and "KeyError" in details[0] and "Traceback" in details[0]


def test_new_task_in_group_cancels_the_old_one(qtbot, runner) -> None:
    first_events: list = []
    first = runner.run(_wait_until_cancelled, group="search")
    _record(first, first_events)
    second = runner.run(lambda ctx: "new", group="search")
    with qtbot.waitSignals([first.finished, second.succeeded], timeout=10_000):
        pass
    assert [e[0] for e in first_events] == ["cancelled", "finished"]
    assert runner.running("search") is None


def test_shutdown_calls_stop_hooks_and_waits(qtbot, runner) -> None:
    stopped = threading.Event()

    def job(ctx: TaskContext) -> str:
        return "stopped" if stopped.wait(10.0) else "timed out"

    runner.run(job, stop=stopped.set)
    runner.run(_wait_until_cancelled)
    assert active_tasks() == 2
    assert runner.shutdown(10.0)
    assert stopped.is_set() and active_tasks() == 0
