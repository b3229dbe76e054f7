"""A private X desktop for the system-wide tests: Xvfb, xclip, xdotool, the real app.

:func:`start_xvfb` starts a real Xvfb on a free display; :class:`App` runs the real
``llmasos`` in a child process and waits for its single-instance server; :func:`state`
asks it what it shows. The X tools are required (``.ci/run`` installs them): a missing
one fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from llmasos.apps.gui.everywhere.instance import send
from llmasos.services.everywhere.protocol import server_name

LLMASOS = [sys.executable, "-m", "llmasos"]


def wait_for(predicate: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something true; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def require_x_tools(*tools: str) -> None:
    """Fail (never skip) when an X tool is missing."""
    packages = {
        "Xvfb": "xvfb",
        "xclip": "xclip",
        "xdotool": "xdotool",
        "xterm": "xterm",
        "st": "stterm",
    }
    for tool in tools or ("Xvfb", "xclip", "xdotool"):
        assert shutil.which(tool), f"{tool} is missing: install the Debian package {packages[tool]}"


@contextmanager
def start_xvfb(home: Path) -> Iterator[dict[str, str]]:
    """A private Xvfb; yields the environment that points the app (xcb) and the tools at it."""
    require_x_tools()
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        display = pipe.readline().strip()
    assert display, "Xvfb did not start"
    env = {
        **os.environ,
        "DISPLAY": f":{display}",
        "QT_QPA_PLATFORM": "xcb",
        "LLMASOS_HOME": str(home),
    }
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("XDG_SESSION_TYPE", None)
    try:
        yield env
    finally:
        proc.terminate()  # xclip's background owners exit with their X server
        proc.wait(timeout=10)


def xclip_set(env: dict[str, str], selection: str, data: bytes, target: str = "") -> None:
    """Make xclip (a separate X client) own ``selection`` with ``data``."""
    extra = ["-t", target] if target else []
    subprocess.run(
        ["xclip", "-selection", selection, *extra, "-i"],
        input=data,
        env=env,
        check=True,
        timeout=10,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def xclip_get(env: dict[str, str], selection: str, target: str = "") -> bytes:
    extra = ["-t", target] if target else []
    return subprocess.run(
        ["xclip", "-selection", selection, *extra, "-o"], env=env, capture_output=True, timeout=10
    ).stdout


def xdotool(env: dict[str, str], *args: str) -> None:
    subprocess.run(["xdotool", *args], env=env, check=True, timeout=20)


def state() -> dict[str, Any] | None:
    """The running app's ``state`` reply (None when none answers)."""
    reply = send({"cmd": "state"}, timeout_ms=1000)
    return reply if reply and reply.get("ok") else None


def socket_file() -> Path:
    """Where QLocalServer puts this test's socket (a plain name: the temp folder)."""
    from PySide6.QtCore import QDir

    return Path(QDir.tempPath()) / server_name()


class App:
    """A running ``llmasos`` child process (its environment: the test's LLMASOS_HOME)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [*LLMASOS, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_for(lambda: self.proc.poll() is not None or state(), 60, "the app's server")
        except AssertionError:
            self.stop()
            raise
        assert self.proc.poll() is None, self.output()

    def output(self) -> str:
        return self.proc.stdout.read() if self.proc.stdout and self.proc.poll() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def clean_up(self) -> None:
        """Stop it and remove the socket a killed app leaves behind."""
        self.stop()
        socket_file().unlink(missing_ok=True)


class TextFieldApp:
    """A separate application (text_field_app.py): its field's text as it changes, read
    from its output; ``window`` is its X window once shown."""

    def __init__(self, env: dict[str, str], text: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent / "text_field_app.py"), text],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.text = text
        self.window = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            kind, _, rest = line.strip().partition(" ")
            if kind == "ready":
                self.window = int(rest)
            elif kind == "text":
                self.text = json.loads(rest)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


class Terminal:
    """A real terminal (``program``: its command and options, xterm by default) whose
    shell prints ``text`` and then records every byte typed or pasted into it (the
    terminal in raw-ish mode: no line buffering, no echo) in a file.

    ``window`` is its top-level window (``$WINDOWID``), ``text_area`` the window inside
    it that draws the text (xterm has one; st draws on its top-level window).
    """

    def __init__(
        self, env: dict[str, str], folder: Path, text: str, program: Sequence[str] = ("xterm",)
    ) -> None:
        require_x_tools(program[0])
        self.received_file = folder / "received.bin"
        window_file = folder / "window"
        script = (
            f'echo "$WINDOWID" > {shlex.quote(str(window_file))}; printf "%s\\n" "$0"; '
            f"stty -icanon -echo; exec cat > {shlex.quote(str(self.received_file))}"
        )
        self.proc = subprocess.Popen(
            [*program, "-e", "sh", "-c", script, text],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.window = int(
            wait_for(
                lambda: self.received_file.exists() and window_file.read_text().strip(),
                30,
                f"{program[0]}'s shell",
            )
        )
        from Xlib import display

        d = display.Display(env["DISPLAY"])
        try:
            children = d.create_resource_object("window", self.window).query_tree().children
            self.text_area = int(children[0].id) if children else self.window
        finally:
            d.close()

    def received(self) -> bytes:
        """What the terminal has passed to its program so far."""
        return self.received_file.read_bytes()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def focused_window(env: dict[str, str]) -> int:
    """The X window with the keyboard focus (xdotool; 0 for none)."""
    out = subprocess.run(
        ["xdotool", "getwindowfocus"], env=env, capture_output=True, text=True, timeout=10
    ).stdout.strip()
    return int(out) if out.isdigit() else 0


def popup_when(predicate: Any, timeout_s: float, what: str) -> dict[str, Any]:
    """The app's state once ``predicate(popup state)`` holds."""

    def check() -> dict[str, Any] | None:
        s = state()
        return s if s and predicate(s["popup"]) else None

    try:
        return wait_for(check, timeout_s, what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the app's state: {state()}") from None
