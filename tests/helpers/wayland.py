"""A private headless Wayland compositor for the session tests: weston, with or without
XWayland.

:func:`start_weston` runs the real ``weston --backend=headless-backend.so`` in a private
``XDG_RUNTIME_DIR`` and yields what a program started in that session would see. weston
is required (``.ci/run`` installs ``weston`` and ``xwayland``): a missing one fails the
test instead of skipping it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Weston:
    runtime_dir: Path
    socket: str  # WAYLAND_DISPLAY, relative to runtime_dir
    display: str  # XWayland's DISPLAY (":N"), "" without XWayland


@contextmanager
def start_weston(*, xwayland: bool, timeout_s: float = 30.0) -> Iterator[Weston]:
    """A headless weston; with ``xwayland`` its (lazily started) XWayland server too."""
    assert shutil.which("weston"), "weston is missing: install the Debian package weston"
    if xwayland:
        assert shutil.which("Xwayland"), "Xwayland is missing: install the Debian package xwayland"
    with tempfile.TemporaryDirectory(prefix="llmasos-wl-") as runtime:
        runtime_dir = Path(runtime)
        runtime_dir.chmod(0o700)  # libwayland refuses a runtime folder others can read
        log = runtime_dir / "weston.log"
        args = ["weston", "--backend=headless-backend.so", "--socket=wl-llmasos", "--idle-time=0"]
        args += [f"--log={log}", *(["--xwayland"] if xwayland else [])]
        env = {"XDG_RUNTIME_DIR": runtime, "PATH": "/usr/bin:/bin"}
        proc = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=runtime
        )
        try:
            display = _wait_ready(proc, runtime_dir, log, xwayland, timeout_s)
            yield Weston(runtime_dir, "wl-llmasos", display)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(
    proc: subprocess.Popen[bytes], runtime: Path, log: Path, xwayland: bool, timeout_s: float
) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"weston exited: {log.read_text() if log.exists() else ''}"
        text = log.read_text() if log.exists() else ""
        found = re.search(r"xserver listening on display (:\d+)", text)
        if (runtime / "wl-llmasos").exists() and (found or not xwayland):
            return found.group(1) if found else ""
        time.sleep(0.1)
    raise AssertionError(f"weston did not start in {timeout_s} s")
