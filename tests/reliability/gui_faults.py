"""GUI checks shared by the tests and the report: a 1 MB paste into the tool pages with a
QTimer probe measuring how long the GUI thread stalls, and the Markdown view fed links and
remote images. Needs a QApplication."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from llmasos.foundation.engine.settings import SamplingParams
from llmasos.kernel.kernel import Kernel


def wait_until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    """Process Qt events until ``predicate()`` or the timeout; return whether it held."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    return True


class Probe:
    """A 20 ms QTimer on the GUI thread: ``ticks`` and the longest gap between ticks."""

    def __init__(self) -> None:
        self.ticks = 0
        self.max_gap_s = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap_s = max(self.max_gap_s, now - self._last)
        self._last = now
        self.ticks += 1

    def stop(self) -> None:
        self.timer.stop()


@dataclass(frozen=True)
class PasteOutcome:
    page: str
    notice: str  # the status line the page showed
    ended: bool  # the request ended (or was stopped) within the bounded wait
    ticks_after: int  # probe ticks after the paste (0 would mean a frozen GUI thread)
    max_stall_s: float


def paste_megabyte(
    page_name: str, kernel: Kernel, text: str, keep: Callable[[QWidget], None]
) -> PasteOutcome:
    """Paste ``text`` into a tool page, run it, stop chunked work after the first part."""
    from llmasos.apps.gui.chat.page import ChatPage
    from llmasos.apps.gui.translate.page import TranslatePage
    from llmasos.apps.gui.write.page import WritePage

    params = SamplingParams(temperature=0.0, max_tokens=8, seed=1)
    cls = {"chat": ChatPage, "write": WritePage, "translate": TranslatePage}[page_name]
    page = cls(kernel, lambda: params)  # type: ignore[abstract]
    keep(page)
    page.show()
    editor = page.input if page_name == "chat" else page.source  # type: ignore[attr-defined]
    if page_name == "translate":
        page.as_you_type.setChecked(False)  # type: ignore[attr-defined]
    probe = Probe()
    try:
        QGuiApplication.clipboard().setText(text)
        editor.paste()
        start = probe.ticks
        (page.submit if page_name == "chat" else page.run)()  # type: ignore[attr-defined]
        ended = wait_until(lambda: page.request_id is None or "part" in page.status.text(), 180)
        if page.request_id is not None:
            page.stop()
            ended = wait_until(lambda: page.request_id is None, 120)
        wait_until(lambda: False, 0.2)  # let the probe tick once more
        return PasteOutcome(
            page_name, page.status.text(), ended, probe.ticks - start, probe.max_gap_s
        )
    finally:
        probe.stop()
        page.cancel_all()
        wait_until(lambda: not kernel.is_busy, 60)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def recording_server() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that records every request path; yields (port, hits)."""
    hits: ClassVar[list[str]] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="pixel-server"
    )
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
