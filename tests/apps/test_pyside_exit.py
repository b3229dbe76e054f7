"""Guard against PySide6 6.12.0's abort at exit after many cross-thread signals.

6.12.0 kills the interpreter at exit ("Fatal Python error: bool_dealloc", status
134) once a worker QThread has emitted a few hundred signals. This runs such a
loop in a child process and requires a clean exit, so an upgrade that brings the
crash back fails CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

    class Worker(QObject):
        token = Signal(str, bool)
        done = Signal()

        @Slot()
        def run(self):
            for i in range(2000):
                self.token.emit(f"t{i}", i % 2 == 0)
            self.done.emit()

    app = QCoreApplication(sys.argv)
    thread = QThread()
    worker = Worker()
    worker.moveToThread(thread)
    got = []
    worker.token.connect(lambda text, flag: got.append(flag))
    worker.done.connect(thread.quit)
    thread.started.connect(worker.run)
    thread.finished.connect(app.quit)
    thread.start()
    app.exec()
    thread.wait(5000)
    assert len(got) == 2000, len(got)
    print("ok", len(got))
    """
)


def test_worker_thread_emit_loop_exits_cleanly() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert proc.stdout.strip() == "ok 2000"
