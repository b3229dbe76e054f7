"""The kernel with the real engine on SmolLM2: one worker thread, one queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from helpers.malformed_gguf import patched_field
from llmasos.errors import ContextOverflowError
from llmasos.foundation.engine.chat_format import ChatMessage
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.kernel.kernel import Kernel, Priority

pytestmark = pytest.mark.real_model

ASK = [ChatMessage("user", "Tell me a long story about a dragon.")]
SHORT = SamplingParams(temperature=0.0, max_tokens=12)
LONG = SamplingParams(temperature=0.0, max_tokens=300)


class Recorder:
    """Collects the kernel's signals in arrival order."""

    def __init__(self, kernel: Kernel) -> None:
        self.events: list[tuple[str, int]] = []
        self.text: dict[int, str] = {}
        self.stats: dict[int, object] = {}
        kernel.started.connect(lambda i: self.events.append(("started", i)))
        kernel.tokens.connect(self._tokens)
        kernel.finished.connect(lambda i, s: self._end("finished", i, s))
        kernel.cancelled.connect(lambda i, s: self._end("cancelled", i, s))
        kernel.failed.connect(lambda i, m: self.events.append(("failed", i)))

    def _tokens(self, i: int, text: str) -> None:
        self.text[i] = self.text.get(i, "") + text

    def _end(self, kind: str, i: int, stats: object) -> None:
        self.events.append((kind, i))
        self.stats[i] = stats

    def order(self, kind: str) -> list[int]:
        return [i for k, i in self.events if k == kind]


@pytest.fixture
def kernel(qtbot, smollm2_path: Path) -> Iterator[Kernel]:
    k = Kernel()
    ids: list[int] = []
    # wait for the load request's own `finished`, so no test sees it as its own
    with qtbot.waitSignal(
        k.finished, timeout=60_000, check_params_cb=lambda i, _s: bool(ids) and i == ids[0]
    ):
        ids.append(k.load_model(smollm2_path, EngineSettings(n_ctx=2048, n_batch=64)))
    yield k
    assert k.shutdown(30)


def _wait_done(qtbot, rec: Recorder, request_id: int, timeout: int = 120_000) -> None:
    qtbot.waitUntil(
        lambda: any(
            i == request_id and k in ("finished", "cancelled", "failed") for k, i in rec.events
        ),
        timeout=timeout,
    )


def test_streams_into_a_widget(qtbot, kernel: Kernel) -> None:
    view = QPlainTextEdit()
    qtbot.addWidget(view)
    rec = Recorder(kernel)
    kernel.tokens.connect(lambda i, text: view.insertPlainText(text))
    with qtbot.waitSignal(kernel.finished, timeout=60_000) as blocker:
        rid = kernel.chat(ASK, SHORT)
    assert blocker.args[0] == rid
    stats = blocker.args[1]
    assert view.toPlainText() == rec.text[rid] and view.toPlainText().strip()
    assert stats.completion_tokens > 0 and stats.prompt_tokens > 0


def test_cancel_while_running(qtbot, kernel: Kernel) -> None:
    rec = Recorder(kernel)
    rid = kernel.chat(ASK, LONG)
    qtbot.waitUntil(lambda: rid in rec.text, timeout=60_000)
    with qtbot.waitSignal(kernel.cancelled, timeout=30_000) as blocker:
        assert kernel.cancel(rid)
    assert blocker.args[0] == rid
    assert blocker.args[1].finish_reason == "cancelled"
    assert blocker.args[1].completion_tokens < 300
    assert "finished" not in [k for k, i in rec.events if i == rid]


def test_cancel_while_queued(qtbot, kernel: Kernel) -> None:
    rec = Recorder(kernel)
    first = kernel.chat(ASK, LONG)
    qtbot.waitUntil(lambda: first in rec.order("started"), timeout=30_000)
    queued = kernel.chat(ASK, SHORT)
    assert kernel.pending() == [queued]
    assert kernel.cancel(queued)
    assert ("cancelled", queued) in rec.events  # at once, not after the running one
    kernel.cancel(first)
    _wait_done(qtbot, rec, first)
    assert queued not in rec.order("started")
    assert not kernel.cancel(queued)  # already gone


def test_two_windows_queue_in_order_and_interactive_first(qtbot, kernel: Kernel) -> None:
    rec = Recorder(kernel)
    a = kernel.chat(ASK, SHORT, owner="chat-1")
    qtbot.waitUntil(lambda: a in rec.order("started"), timeout=30_000)
    b = kernel.chat(ASK, SHORT, owner="write-1", priority=Priority.BACKGROUND)
    c = kernel.chat(ASK, SHORT, owner="translate-1")
    d = kernel.chat(ASK, SHORT, owner="chat-1")
    _wait_done(qtbot, rec, b)
    assert rec.order("started") == [a, c, d, b]
    assert rec.order("finished") == [a, c, d, b]


def test_closing_a_window_cancels_its_requests(qtbot, kernel: Kernel) -> None:
    rec = Recorder(kernel)
    a = kernel.chat(ASK, LONG, owner="chat-2")
    b = kernel.chat(ASK, SHORT, owner="chat-2")
    c = kernel.chat(ASK, SHORT, owner="other")
    qtbot.waitUntil(lambda: a in rec.order("started"), timeout=30_000)
    assert kernel.cancel_owner("chat-2") == 2
    _wait_done(qtbot, rec, c)
    assert set(rec.order("cancelled")) == {a, b}
    assert rec.order("finished") == [c]


def test_model_switch_while_request_queued(qtbot, kernel: Kernel, gemma3_path: Path) -> None:
    rec = Recorder(kernel)
    loaded: list[object] = []
    kernel.loaded.connect(loaded.append)
    running = kernel.chat(ASK, SHORT)
    qtbot.waitUntil(lambda: running in rec.order("started"), timeout=30_000)
    a = kernel.chat(ASK, SHORT)
    kernel.load_model(gemma3_path, EngineSettings(n_ctx=1024))
    b = kernel.chat(ASK, SHORT)
    _wait_done(qtbot, rec, b)
    # the running request finishes on the old model; the switch goes before queued work
    assert rec.stats[running].model.startswith("SmolLM2")  # type: ignore[attr-defined]
    assert rec.stats[a].model.startswith("gemma-3")  # type: ignore[attr-defined]
    assert rec.stats[b].model.startswith("gemma-3")  # type: ignore[attr-defined]
    assert loaded and kernel.model_info is not None
    assert kernel.model_info.architecture == "gemma3" and kernel.n_ctx == 1024


def test_load_progress_reaches_the_status_bar(qtbot, smollm2_path: Path) -> None:
    from llmasos.apps.gui.shell.status import StatusBar

    k = Kernel()
    bar = StatusBar(k)
    qtbot.addWidget(bar)
    values: list[float] = []
    texts: list[str] = []
    k.load_progress.connect(values.append)
    k.load_progress.connect(lambda _v: texts.append(bar.model.text()))
    try:
        with qtbot.waitSignal(k.loaded, timeout=60_000):
            k.load_model(smollm2_path, EngineSettings(n_ctx=512))
        assert values and values[-1] == 1.0 and values == sorted(values)
        assert texts[-1].endswith("100 %") and "smollm2" in texts[-1].lower()
        assert "smollm2" in bar.model.text().lower() and "Loading" not in bar.model.text()
    finally:
        assert k.shutdown(30)


def test_failed_load_keeps_previous_model(qtbot, kernel: Kernel, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 10)
    with qtbot.waitSignal(kernel.load_failed, timeout=30_000) as blocker:
        kernel.load_model(bad)
    assert "broken.gguf" in blocker.args[0] and "truncated" in blocker.args[0]
    assert kernel.model_info is not None and kernel.model_info.architecture == "llama"
    rec = Recorder(kernel)
    rid = kernel.chat(ASK, SHORT)
    _wait_done(qtbot, rec, rid)
    assert rec.order("finished") == [rid]


def test_errors_reach_the_asker(qtbot, kernel: Kernel) -> None:
    huge = [ChatMessage("user", "word " * 5000)]
    with qtbot.waitSignal(kernel.failed, timeout=30_000) as blocker:
        rid = kernel.chat(huge, SHORT)
    failure = blocker.args[1]
    assert blocker.args[0] == rid and "context" in failure.message
    assert isinstance(failure.error, ContextOverflowError) and not failure.is_bug


def test_unexpected_exception_is_reported_and_worker_survives(qtbot, kernel: Kernel) -> None:
    def broken(engine, cancel):
        raise ZeroDivisionError("bug")

    with qtbot.waitSignal(kernel.unexpected, timeout=10_000) as blocker:
        kernel.submit(broken)
    assert "ZeroDivisionError" in blocker.args[0]
    rec = Recorder(kernel)
    rid = kernel.chat(ASK, SHORT)
    _wait_done(qtbot, rec, rid)
    assert rec.order("finished") == [rid]


def test_shutdown_while_generating(qtbot, smollm2_path: Path) -> None:
    k = Kernel()
    k.load_model(smollm2_path, EngineSettings(n_ctx=1024))
    rec = Recorder(k)
    rid = k.chat(ASK, LONG)
    qtbot.waitUntil(lambda: rid in rec.text, timeout=60_000)
    assert k.shutdown(10)
    with pytest.raises(RuntimeError):
        k.chat(ASK, SHORT)


def test_job_events_arrive_in_order_with_text(qtbot, kernel: Kernel) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Progress:
        done: int

    def job(engine, cancel):
        yield "a"
        yield Progress(1)
        yield "b"
        yield Progress(2)

    seen: list[object] = []
    kernel.tokens.connect(lambda i, t: seen.append(t))
    kernel.yielded.connect(lambda i, e: seen.append(e))
    with qtbot.waitSignal(kernel.finished, timeout=10_000):
        kernel.submit(job)
    assert seen == ["a", Progress(1), "b", Progress(2)]


def test_a_file_that_crashes_at_decode_keeps_the_previous_model(
    qtbot, kernel: Kernel, smollm2_path: Path, tmp_path: Path
) -> None:
    """Zero layers: loads in llama.cpp, aborts at the first decode; the probe's child dies,
    the kernel reports the failure and keeps serving the model it had."""
    bad = patched_field(smollm2_path, tmp_path / "zero-layers.gguf", "llama.block_count", 0)
    rec = Recorder(kernel)
    with qtbot.waitSignal(kernel.load_failed, timeout=120_000) as blocker:
        rid = kernel.load_model(bad, EngineSettings(n_ctx=2048, n_batch=64))
    assert "zero-layers.gguf" in blocker.args[0]
    _wait_done(qtbot, rec, rid)
    assert rec.order("failed") == [rid]
    assert kernel.model_info is not None and kernel.model_info.path == smollm2_path.resolve()
    rid = kernel.chat(ASK, SHORT)
    _wait_done(qtbot, rec, rid)
    assert rec.order("finished") == [rid] and rec.text[rid].strip()


def test_status_bar_says_what_was_turned_off(
    qtbot, smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmasos.apps.gui.shell.status import StatusBar
    from llmasos.foundation.engine.probe import CRASH_HOOK_ENV
    from llmasos.foundation.engine.runtime import RunConfig

    monkeypatch.setenv(CRASH_HOOK_ENV, "extra_bufts")
    k = Kernel()
    bar = StatusBar(k)
    qtbot.addWidget(bar)
    try:
        assert bar.notice.isHidden()
        with qtbot.waitSignal(k.loaded, timeout=120_000):
            k.load_model(smollm2_path, EngineSettings(n_ctx=512, n_batch=64, n_threads=1))
        assert k.run_config == RunConfig(extra_bufts=False)
        assert not bar.notice.isHidden() and "LLMasOS runs without" in bar.notice.text()
    finally:
        assert k.shutdown(30)
