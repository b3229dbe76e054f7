"""Which session this is (foundation/platform/session.py), against real display servers:
a real Xvfb (X11), a real headless weston (pure Wayland) and weston's real XWayland.

No Qt. The servers are required (``.ci/run`` installs xvfb, weston and xwayland).

Each detection runs in a child process with exactly the environment under test, as a
program started in that session would: python-xlib 0.33 keeps the extension event table
of its connections in one class attribute, so a process that has talked to Xvfb fails
to connect to XWayland afterwards (``TypeError`` in ``add_extension_event``), the two
numbering their extensions' events differently. The app talks to one X server only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.wayland import start_weston
from llmasos.foundation.platform.session import (
    DisplaySession,
    SessionKind,
    XServer,
    detect_session,
)

SRC = Path(__file__).resolve().parents[2] / "src"
CHILD = """
import json
from llmasos.foundation.platform.session import detect_session, probe_x_server
s = detect_session()
x = s.x_server
print(json.dumps([s.kind.value, s.wayland_socket, x and [x.display, x.is_xwayland],
                  s.session_type, probe_x_server(x.display) == x if x else None]))
"""


def detect_in_child(env: dict[str, str]) -> DisplaySession:
    """``detect_session()`` in a fresh process whose whole environment is ``env``."""
    child_env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(SRC), **env}
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=child_env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    kind, wayland, x, session_type, probed_again = json.loads(out.stdout)
    assert probed_again in (None, True)  # probe_x_server says the same on its own
    server = XServer(x[0], x[1]) if x else None
    return DisplaySession(SessionKind(kind), wayland, server, session_type)


@contextmanager
def xvfb() -> Iterator[str]:
    """A real Xvfb; yields its DISPLAY."""
    assert shutil.which("Xvfb"), "Xvfb is missing: install the Debian package xvfb"
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_plain_x_server_is_x11_and_its_grabs_are_global() -> None:
    with xvfb() as display:
        session = detect_in_child({"DISPLAY": display, "XDG_SESSION_TYPE": "x11"})
    assert session.kind is SessionKind.X11
    assert session.x_server == XServer(display, is_xwayland=False)
    assert session.x_grabs_are_global and not session.is_wayland


def test_pure_wayland_under_a_real_weston() -> None:
    with start_weston(xwayland=False) as weston:
        env = {"WAYLAND_DISPLAY": weston.socket, "XDG_RUNTIME_DIR": str(weston.runtime_dir)}
        session = detect_in_child(env)
    assert session.kind is SessionKind.WAYLAND
    assert session.wayland_socket == str(weston.runtime_dir / weston.socket)
    assert session.x_server is None and not session.x_grabs_are_global


def test_xwayland_under_a_real_weston_is_told_apart_even_without_wayland_display() -> None:
    with start_weston(xwayland=True) as weston:
        env = {
            "WAYLAND_DISPLAY": weston.socket,
            "XDG_RUNTIME_DIR": str(weston.runtime_dir),
            "DISPLAY": weston.display,
        }
        full = detect_in_child(env)
        # a program started with the Wayland variables removed still talks to XWayland:
        # the X server itself says what it is (its RandR output is XWAYLAND0)
        stripped = detect_in_child({"DISPLAY": weston.display})
    assert full.kind is SessionKind.XWAYLAND and full.wayland_socket
    assert full.x_server == XServer(weston.display, is_xwayland=True)
    assert not full.x_grabs_are_global and full.is_wayland
    assert stripped.kind is SessionKind.XWAYLAND and not stripped.wayland_socket


def test_session_type_hint_counts_only_when_an_x_server_answers() -> None:
    with xvfb() as display:
        hinted = detect_in_child({"DISPLAY": display, "XDG_SESSION_TYPE": "wayland"})
    assert hinted.kind is SessionKind.XWAYLAND  # an X server in a declared Wayland session
    nothing = detect_in_child({"XDG_SESSION_TYPE": "wayland"})
    assert nothing == DisplaySession(SessionKind.NONE, session_type="wayland")


def test_names_that_do_not_answer_are_not_believed(tmp_path: Path) -> None:
    (tmp_path / "wayland-0").write_text("not a socket")
    with xvfb() as display:
        pass  # stopped: its name no longer answers
    env = {"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(tmp_path), "DISPLAY": display}
    assert detect_in_child(env) == DisplaySession(SessionKind.NONE)
    # a relative WAYLAND_DISPLAY without XDG_RUNTIME_DIR names nothing (libwayland agrees)
    assert detect_in_child({"WAYLAND_DISPLAY": "wayland-0"}).kind is SessionKind.NONE


def test_windows_and_macos_are_other() -> None:
    env = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    for platform in ("win32", "darwin"):
        assert detect_session(env, platform=platform).kind is SessionKind.OTHER  # no probe
