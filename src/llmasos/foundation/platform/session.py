"""Which kind of desktop session LLMasOS runs in: X11, Wayland with XWayland, or pure Wayland.

It matters because the same X11 calls mean different things in each. On X11 a key grab
(``XGrabKey``) is global. Under Wayland with XWayland — a Qt app started with
``QT_QPA_PLATFORM=xcb``, or any X program in a Wayland session — the grab and the
synthetic paste still *work*, but only while an X program has the focus: Wayland
programs never see them. :func:`detect_session` tells the three apart so that the app
never presents an XWayland grab as a system-wide shortcut.

The environment alone is not trusted: ``WAYLAND_DISPLAY`` and ``DISPLAY`` are checked
by connecting to them, and an X server is recognized as XWayland by what it reports
(its ``XWAYLAND`` extension, from Xwayland 23.1, or its RandR outputs, named
``XWAYLAND0``…), so ``env -u WAYLAND_DISPLAY`` in a Wayland session still reads as one.
``XDG_SESSION_TYPE`` is a hint used only when the servers leave it open.

Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from Xlib.display import Display

log = logging.getLogger(__name__)


class SessionKind(str, Enum):
    """The kinds of session; the value is what ``llmasos`` logs and tests compare."""

    X11 = "x11"
    XWAYLAND = "xwayland"  # a Wayland session whose X server is XWayland
    WAYLAND = "wayland"  # Wayland, no X server answering
    NONE = "none"  # a console, a service, a broken environment
    OTHER = "other"  # Windows, macOS: no X, no Wayland


@dataclass(frozen=True)
class XServer:
    """An X server that answered: its name and whether it is XWayland."""

    display: str
    is_xwayland: bool


@dataclass(frozen=True)
class DisplaySession:
    """What :func:`detect_session` found."""

    kind: SessionKind
    wayland_socket: str = ""  # the Wayland socket that accepted a connection, or ""
    x_server: XServer | None = None  # the X server that answered, if any
    session_type: str = ""  # XDG_SESSION_TYPE as set ("x11", "wayland", "tty", "")

    @property
    def is_wayland(self) -> bool:
        """A Wayland session, with or without XWayland."""
        return self.kind in (SessionKind.WAYLAND, SessionKind.XWAYLAND)

    @property
    def x_grabs_are_global(self) -> bool:
        """Whether an X key grab sees the keys pressed in every program (X11 only)."""
        return self.kind is SessionKind.X11


def wayland_socket_path(env: Mapping[str, str]) -> Path | None:
    """The socket ``WAYLAND_DISPLAY`` names (relative names live in ``XDG_RUNTIME_DIR``)."""
    name = env.get("WAYLAND_DISPLAY", "")
    if not name:
        return None
    path = Path(name)
    if not path.is_absolute():
        runtime = env.get("XDG_RUNTIME_DIR", "")
        if not runtime:
            return None  # libwayland refuses a relative name without it, and so do we
        path = Path(runtime) / name
    return path


def wayland_answers(path: Path, timeout_s: float = 1.0) -> bool:
    """Whether a Wayland compositor accepts a connection on ``path`` (closed at once)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def is_xwayland(conn: Display) -> bool:
    """Whether the X server of the python-xlib connection ``conn`` is XWayland."""
    from Xlib.ext import randr

    if "XWAYLAND" in conn.list_extensions():
        return True
    if not conn.has_extension("RANDR"):
        return False
    root = conn.screen().root
    resources = randr.get_screen_resources(root)
    names = [
        randr.get_output_info(root, output, resources.config_timestamp).name
        for output in resources.outputs
    ]
    return any(name.startswith("XWAYLAND") for name in names)


def probe_x_server(display: str) -> XServer | None:
    """Connect to the X server ``display``; None when it does not answer.

    A lazily started XWayland (weston, mutter) is launched by this connection, which
    takes a few seconds the first time; Qt's xcb platform would start it anyway.
    """
    try:
        from Xlib.display import Display
        from Xlib.error import DisplayError
    except ImportError:  # not a Linux install: no X server of ours to ask
        return None
    try:
        conn = Display(display)
    except (DisplayError, OSError, ValueError) as exc:
        log.info("X display %r does not answer: %s", display, exc)
        return None
    try:
        return XServer(display, is_xwayland(conn))
    finally:
        conn.close()


def detect_session(
    env: Mapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    probe_x: Callable[[str], XServer | None] = probe_x_server,
) -> DisplaySession:
    """Say which kind of session this is, from ``env`` (default ``os.environ``) and
    from which servers actually answer.

    Args:
        env: the environment to read.
        platform: ``sys.platform``; Windows and macOS are :attr:`SessionKind.OTHER`.
        probe_x: asks an X server whether it answers and is XWayland.
    """
    env = os.environ if env is None else env
    if platform in ("win32", "cygwin", "darwin"):
        return DisplaySession(SessionKind.OTHER)
    session_type = env.get("XDG_SESSION_TYPE", "").lower()
    path = wayland_socket_path(env)
    wayland = str(path) if path is not None and wayland_answers(path) else ""
    display = env.get("DISPLAY", "")
    x_server = probe_x(display) if display else None
    if x_server is None:
        kind = SessionKind.WAYLAND if wayland else SessionKind.NONE
    elif wayland or x_server.is_xwayland or session_type == "wayland":
        kind = SessionKind.XWAYLAND
    else:
        kind = SessionKind.X11
    session = DisplaySession(kind, wayland, x_server, session_type)
    log.info("display session: %s", session)
    return session


__all__ = [
    "DisplaySession",
    "SessionKind",
    "XServer",
    "detect_session",
    "is_xwayland",
    "probe_x_server",
    "wayland_answers",
    "wayland_socket_path",
]
