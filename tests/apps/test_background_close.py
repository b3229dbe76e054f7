"""Closing the owner of a :class:`BackgroundRunner` right after, or during, its job never
crashes and never hangs, however the owner goes: ``shutdown()`` then dropped by Python, dropped
with its job still running, or deleted by Qt (``deleteLater``, as a closed page is).

Each case runs many times in a child process, so a crash is seen as the child's exit status
(-11 for a segfault) instead of killing the test run. The owner's only reference is the one
its task's ``succeeded`` slot holds, as :class:`FileList` has: destroying the finished task
frees that slot and with it the owner, the runner and the runner's other children.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = textwrap.dedent(
    """
    import sys, tempfile, threading, time
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop
    from PySide6.QtWidgets import QApplication, QWidget
    from llmasos.apps.gui.common.background import BackgroundRunner, active_tasks

    case, rounds = sys.argv[1], int(sys.argv[2])
    app = QApplication([])
    gone = []


    def spin(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1)


    def until_ended(seconds=10.0):
        end = time.monotonic() + seconds
        while active_tasks() and time.monotonic() < end:
            spin(0.001)
        spin(0.002)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert active_tasks() == 0, "a job never ended"


    class Owner(QWidget):
        def __init__(self, job):
            super().__init__()
            self.runner = BackgroundRunner(self, max_threads=1)
            task = self.runner.run(job, group="scan")
            task.succeeded.connect(lambda result: self.show_result(result))
            task.progressed.connect(lambda item: self.show_result(item))
            self.destroyed.connect(lambda: gone.append(1))

        def show_result(self, result):
            self.setWindowTitle(str(result))


    def quick(ctx):
        ctx.report("half")
        return "done"


    def brief(ctx):
        time.sleep(0.003)
        return "done"


    def slow(ctx):
        for _ in range(1000):  # at most 5 s
            if ctx.is_cancelled:
                return "stopped"
            time.sleep(0.005)
        return "done"


    def file_list(store):
        from llmasos.apps.gui.knowledge.files import FileList

        view = FileList()
        view.show_collection(store, "docs")
        view.destroyed.connect(lambda: gone.append(1))
        return view


    store = None
    if case.startswith("files"):
        from llmasos.services.knowledge.indexer import sync
        from llmasos.services.knowledge.store import KnowledgeStore

        docs = Path(tempfile.mkdtemp()) / "docs"
        docs.mkdir()
        (docs / "fine.md").write_text("# Fine\\n\\nSome text.\\n")
        store = KnowledgeStore(docs.parent / "k.sqlite3")
        store.add_collection("docs", [docs])
        list(sync(store, "docs"))
        (docs / "new.md").write_text("# New\\n")  # waiting: the scan lists it

    for i in range(rounds):
        if case == "shutdown-after-job":
            owner = Owner(quick)
            time.sleep(0.001 * (i % 3))  # the job ends before, while or after shutdown
            owner.runner.shutdown()
        elif case == "dropped-after-job":
            owner = Owner(quick)
            time.sleep(0.001 * (i % 3))
        elif case == "dropped-during-job":
            owner = Owner(brief)
            time.sleep(0.001 * (i % 3))
        elif case == "deleted-during-job":
            owner = Owner(slow)
            spin(0.001 * (i % 3))
            owner.close()
            owner.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as a loop would
        elif case == "files-shutdown-after-scan":
            owner = file_list(store)
            time.sleep(0.001 * (i % 3))
            owner.shutdown()
        elif case == "files-deleted-during-scan":
            owner = file_list(store)
            owner.close()
            owner.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # as a loop would
        else:
            raise SystemExit(f"unknown case {case}")
        del owner
        until_ended()
    assert len(gone) == rounds, f"{rounds - len(gone)} owners were never destroyed"
    print("rounds", rounds)
    """
)

CASES = [
    "shutdown-after-job",
    "dropped-after-job",
    "dropped-during-job",
    "deleted-during-job",
    "files-shutdown-after-scan",
    "files-deleted-during-scan",
]


@pytest.mark.parametrize("case", CASES)
def test_closing_the_owner_right_after_or_during_a_job_many_times(case: str) -> None:
    rounds = 200
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(SRC)}
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", SCRIPT, case, str(rounds)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert proc.returncode == 0, f"status {proc.returncode}\n{proc.stderr[-3000:]}"
    assert f"rounds {rounds}" in proc.stdout
