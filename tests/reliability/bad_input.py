"""Bad input shared by the tests and the report: texts, an engine that counts model calls,
and a runner for ``llmasos`` subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.llama import LlamaEngine

_PARA = (
    "The quick brown fox jumps over the lazy dog near the river bank today.\n"
    "敏捷的棕色狐狸跳过了懒狗。Ein Satz auf Deutsch. مرحبا بالعالم 😀\n\n"
)


def megabyte() -> str:
    """About 1 MB (UTF-8) of mixed paragraphs, as a paste of a long document would be."""
    text = _PARA * (1_000_000 // len(_PARA.encode()) + 1)
    return text.encode()[:1_000_000].decode("utf-8", "ignore")


#: Inputs that must go through every tool without a crash.
ODD_TEXTS = {
    "control": "Hello\x00\x01\x07 \x1b[31mred\x1b[0m\x7f \u200b\ufeff world.\r\n\x0cEnd\x08.",
    "rtl": "مرحبا بالعالم، كيف حالك اليوم؟ שלום עולם. Hello \u202eevil\u202c text.",
    "emoji": "Family 👨‍👩‍👧‍👦 and flags 🇨🇳🇺🇸, thumbs 👍🏽, faces 😀😀😀 in one line.",
    "cjk": "今天天气很好。日本語の文章です。한국어 문장입니다. Mixed 中文 and English.",
}
NOT_UTF8 = "Caf\u00e9 \u4e2d\u6587".encode("gbk") + b"\xff\xfe\x80 end"


class CountingEngine:
    """An :class:`LlamaEngine` that counts generation calls (``chat`` and ``complete``)."""

    def __init__(self, engine: LlamaEngine) -> None:
        self._engine = engine
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    @property
    def n_ctx(self) -> int:
        return self._engine.n_ctx

    def chat(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._engine.chat(*args, **kwargs)

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._engine.complete(*args, **kwargs)


def run_until(job: Any, stop_after: type, cancel: CancelToken, limit_s: float = 300) -> list[Any]:
    """Iterate ``job``; cancel once an item of type ``stop_after`` arrived; return the items."""
    items: list[Any] = []
    deadline = time.monotonic() + limit_s
    for item in job:
        items.append(item)
        if isinstance(item, stop_after) or time.monotonic() > deadline:
            cancel.cancel()
    return items


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: bytes
    stderr: str
    seconds: float


def run_cli(
    args: Sequence[str],
    stdin: bytes,
    *,
    interrupt_after_output: bool = False,
    timeout_s: float = 240,
) -> CliResult:
    """Run ``python -m llmasos ARGS`` with ``stdin``; optionally Ctrl+C it once it printed.

    With ``interrupt_after_output`` the process gets SIGINT when its first stdout
    bytes arrive (a long job that streams), as a person pressing Ctrl+C would.
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmasos", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    out: list[bytes] = []
    err: list[bytes] = []
    first = threading.Event()

    def pump_out() -> None:
        assert proc.stdout is not None
        while chunk := proc.stdout.read1(65536):
            out.append(chunk)
            first.set()

    def pump_err() -> None:
        assert proc.stderr is not None
        err.append(proc.stderr.read())

    readers = [threading.Thread(target=f, name=f.__name__) for f in (pump_out, pump_err)]
    for r in readers:
        r.start()
    try:
        assert proc.stdin is not None
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it refused the input before reading all of it
        if interrupt_after_output and first.wait(timeout_s):
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=timeout_s)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for r in readers:
            r.join(timeout=30)
    return CliResult(
        proc.returncode,
        b"".join(out),
        b"".join(err).decode("utf-8", "replace"),
        time.perf_counter() - t0,
    )


def model_args(model: Path) -> list[str]:
    return ["--model", str(model), "--ctx", "512", "--threads", "1"]
