"""The cycle collector runs on the GUI thread only while the app runs (kernel/collector.py)."""

from __future__ import annotations

import gc
import threading
import weakref

from llmasos.kernel.collector import INTERVAL_MS, GuiThreadCollector, collect_due


class Node:
    other: Node


def cycle_noting_where_it_dies(where: list[str]) -> None:
    """Leave behind two objects that only the cycle collector can free; when it does,
    ``where`` gets the name of the thread it ran on."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    weakref.finalize(a, lambda: where.append(threading.current_thread().name))


def churn_on_a_worker() -> None:
    """What the kernel's worker does to the collector's counters: allocate a lot
    (here cycles, so nothing is freed before a collection)."""

    def churn() -> None:
        for _ in range(100_000):
            x: list[object] = []
            x.append(x)

    worker = threading.Thread(target=churn, name="worker")
    worker.start()
    worker.join(30)


def test_without_it_the_worker_collects_the_gui_threads_garbage() -> None:
    # the hazard itself, so the next test is known to be able to fail
    was = gc.isenabled()
    gc.enable()
    try:
        gc.collect()
        where: list[str] = []
        cycle_noting_where_it_dies(where)
        churn_on_a_worker()
        assert where == ["worker"]
    finally:
        if not was:
            gc.disable()


def test_with_it_the_garbage_waits_for_the_gui_thread(qtbot) -> None:
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled() and collector.active
        gc.collect()
        where: list[str] = []
        cycle_noting_where_it_dies(where)
        churn_on_a_worker()
        assert where == []  # the worker crossed every threshold and collected nothing
        qtbot.waitUntil(lambda: where != [], timeout=20 * INTERVAL_MS)
        assert where == [threading.main_thread().name]
    finally:
        collector.stop()
        collector.deleteLater()


def test_stop_gives_collection_back_only_if_it_was_on() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        collector = GuiThreadCollector()
        collector.start()
        assert not gc.isenabled()
        collector.start()  # a second start changes nothing
        collector.stop()
        assert gc.isenabled()
        gc.disable()
        collector.start()
        collector.stop()
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_collect_due_follows_the_interpreters_thresholds() -> None:
    was = gc.isenabled()
    gc.disable()
    old = gc.get_threshold()
    try:
        gc.collect()
        gc.set_threshold(100, 3, 3)
        assert collect_due() is None  # nothing allocated since the full collection
        young = [[] for _ in range(150)]
        assert collect_due() == 0
        del young
        seen, kept = [], []
        for _ in range(30):
            kept.append([[] for _ in range(150)])
            seen.append(collect_due())
        assert 0 in seen and 1 in seen and 2 in seen  # older generations in their turn
    finally:
        gc.set_threshold(*old)
        (gc.enable if was else gc.disable)()
