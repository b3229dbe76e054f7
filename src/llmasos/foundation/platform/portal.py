"""The XDG desktop portal as LLMasOS uses it on Wayland: global shortcuts and a screenshot.

A Wayland program cannot grab keys or read the screen; it asks the desktop, through the
portal service ``org.freedesktop.portal.Desktop`` on the session bus, and the desktop asks
the person. Two interfaces matter here:

* ``org.freedesktop.portal.GlobalShortcuts``: ``CreateSession``, then ``BindShortcuts``
  (the desktop shows its approval dialog), then an ``Activated`` signal whenever one of
  the shortcuts is pressed, in any program.
* ``org.freedesktop.portal.Screenshot``: ``Screenshot`` with ``interactive`` lets the
  person pick the region in the desktop's own tool; the answer is a file URI.

Every portal call that asks the person follows the *Request* pattern: the call returns
at once with the object path of a request, and the answer comes later as that object's
``org.freedesktop.portal.Request.Response(u code, a{sv} results)`` signal: code 0 is
success, 1 means the person cancelled, 2 that the request ended some other way. The
path is ``/org/freedesktop/portal/desktop/request/SENDER/TOKEN`` (``SENDER``: our unique
bus name without its ``:`` and with ``.`` as ``_``; ``TOKEN``: the ``handle_token`` we
pass), so :class:`DesktopPortal` knows it before calling and cannot miss a quick answer.

D-Bus is spoken with jeepney (pure Python, no dependencies, sans-I/O core): its blocking
connection is used without ever blocking the GUI — :meth:`DesktopPortal.events` reads
only what has arrived, and the GUI watches :meth:`DesktopPortal.fileno` with a socket
notifier, as it does for the X connection. Call it from one thread only.

Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from llmasos.errors import PortalError
from llmasos.foundation.platform.hotkeys import Hotkey, keysym_name

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.portal.Desktop"
OBJECT_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
SCREENSHOT = "org.freedesktop.portal.Screenshot"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
SUCCESS, CANCELLED, ENDED = 0, 1, 2  # Request.Response codes
CALL_TIMEOUT_S = 5.0  # a portal call returns its request at once; the person answers later
# the errors that mean "this portal or interface is not here" (the rest are failures)
_ABSENT = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownObject",
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownProperty",
    "org.freedesktop.DBus.Error.InvalidArgs",
}


@dataclass(frozen=True)
class Response:
    """A request's answer: ``code`` is :data:`SUCCESS`, :data:`CANCELLED` or :data:`ENDED`."""

    request: str
    code: int
    results: dict[str, Any]

    @property
    def is_success(self) -> bool:
        return self.code == SUCCESS


@dataclass(frozen=True)
class Activated:
    """A bound shortcut was pressed (``timestamp`` in milliseconds, the portal's clock)."""

    session: str
    shortcut_id: str
    timestamp: int


@dataclass(frozen=True)
class Shortcut:
    """One shortcut to bind: ``id`` is ours, ``trigger`` is a preference the desktop may
    ignore, ``description`` is shown to the person in the approval dialog."""

    id: str
    description: str
    trigger: Hotkey | None = None


@dataclass(frozen=True)
class BoundShortcut:
    """A shortcut the desktop bound: ``trigger`` is its description of the keys
    (the person may have chosen others than we asked for)."""

    id: str
    description: str
    trigger: str


def escaped_sender(unique_name: str) -> str:
    """``:1.42`` → ``1_42``: how a sender appears in request and session paths."""
    return unique_name.lstrip(":").replace(".", "_")


def request_path(unique_name: str, token: str) -> str:
    """The object path the portal gives the request made with ``handle_token=token``."""
    return f"{OBJECT_PATH}/request/{escaped_sender(unique_name)}/{token}"


def new_token() -> str:
    """A fresh handle token (letters, digits and ``_`` only, as the spec requires)."""
    return f"llmasos_{secrets.token_hex(8)}"


def preferred_trigger(hotkey: Hotkey) -> str:
    """``Ctrl+Alt+T`` as the shortcuts specification writes it: ``CTRL+ALT+t``."""
    names = {"ctrl": "CTRL", "alt": "ALT", "shift": "SHIFT", "meta": "LOGO"}
    mods = [names[m] for m in ("ctrl", "alt", "shift", "meta") if m in hotkey.modifiers]
    return "+".join([*mods, keysym_name(hotkey.key)])


def session_bus_address(env: Mapping[str, str] | None = None) -> str:
    """``DBUS_SESSION_BUS_ADDRESS``, or the systemd user bus in ``XDG_RUNTIME_DIR``.

    Raises:
        PortalError: neither names a bus.
    """
    env = os.environ if env is None else env
    address = env.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "bus").exists():
        return f"unix:path={Path(runtime, 'bus')}"
    raise PortalError("There is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set).")


class DesktopPortal:
    """One connection to the session bus, for the desktop portal's requests and signals."""

    def __init__(self, address: str | None = None) -> None:
        """Connect to the session bus (``address``: a D-Bus address, default the session's).

        Raises:
            PortalError: the bus cannot be reached.
        """
        from jeepney import MatchRule
        from jeepney.io.blocking import open_dbus_connection

        address = address or session_bus_address()
        try:
            self._conn = open_dbus_connection(address)
        except (OSError, ValueError, RuntimeError) as exc:  # refused, bad address, auth
            raise PortalError(
                f"Cannot connect to the D-Bus session bus {address!r}: {exc}"
            ) from exc
        self.unique_name: str = self._conn.unique_name
        self._signals: deque[Any] = deque()
        for interface, member in ((REQUEST, "Response"), (SHORTCUTS, "Activated")):
            # the bus routes by the portal's name; our own filter sees its unique name
            bus_rule = MatchRule(type="signal", sender=BUS_NAME, interface=interface, member=member)
            self._call_bus("AddMatch", bus_rule.serialise())
            local_rule = MatchRule(type="signal", interface=interface, member=member)
            self._conn.filter(local_rule, queue=self._signals)

    def _call_bus(self, method: str, *args: Any) -> Any:
        from jeepney import DBusErrorResponse, message_bus

        message = getattr(message_bus, method)(*args)
        try:
            return _unwrap(self._conn.send_and_get_reply(message, timeout=CALL_TIMEOUT_S))
        except (DBusErrorResponse, OSError) as exc:
            raise PortalError(f"The session bus refused {method}: {exc}") from exc

    def fileno(self) -> int:
        """The socket to watch for readability; then call :meth:`events`."""
        return int(self._conn.sock.fileno())

    def version(self, interface: str) -> int:
        """The portal's version of ``interface``; 0 when the portal or interface is absent.

        Raises:
            PortalError: the bus failed otherwise (the connection broke, a timeout).
        """
        from jeepney import DBusAddress, DBusErrorResponse, Properties

        props = Properties(DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=interface))
        try:
            reply = self._conn.send_and_get_reply(props.get("version"), timeout=CALL_TIMEOUT_S)
            (signature, value), *_ = _unwrap(reply)
        except DBusErrorResponse as exc:
            if exc.name in _ABSENT:
                log.info("portal %s: %s", interface, exc)
                return 0
            raise PortalError(f"The desktop portal failed: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise PortalError(f"The desktop portal does not answer: {exc}") from exc
        return int(value) if signature == "u" else 0

    def request(
        self,
        interface: str,
        method: str,
        signature: str,
        args: Sequence[Any],
        options: Mapping[str, tuple[str, Any]] | None = None,
    ) -> str:
        """Call ``method`` with ``args`` and then the options ``a{sv}`` (a ``handle_token``
        added); return the request's object path, whose :class:`Response` comes later.

        Raises:
            PortalError: the portal refused the call itself.
        """
        from jeepney import DBusAddress, DBusErrorResponse, new_method_call

        token = new_token()
        expected = request_path(self.unique_name, token)
        body = (*args, {**(options or {}), "handle_token": ("s", token)})
        address = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=interface)
        message = new_method_call(address, method, signature + "a{sv}", body)
        try:
            (handle,) = _unwrap(self._conn.send_and_get_reply(message, timeout=CALL_TIMEOUT_S))
        except DBusErrorResponse as exc:
            raise PortalError(f"The desktop portal refused {method}: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise PortalError(f"The desktop portal does not answer {method}: {exc}") from exc
        if handle != expected:  # portals before 0.9 chose the path themselves
            log.info("portal request %s answered as %s", expected, handle)
        return str(handle)

    def close_session(self, session: str) -> None:
        """Close a portal session (its shortcuts are released); errors are only logged."""
        from jeepney import DBusAddress, new_method_call

        try:
            self._conn.send(new_method_call(DBusAddress(session, BUS_NAME, SESSION), "Close"))
        except OSError:
            log.debug("closing portal session %s", session, exc_info=True)

    def events(self, timeout_s: float = 0.0) -> list[Response | Activated]:
        """The responses and activations that arrived (waiting up to ``timeout_s`` for
        the first one; 0 only reads what is there).

        Raises:
            PortalError: the connection to the bus broke.
        """
        waited = False
        while True:
            try:
                self._conn.recv_messages(timeout=0.0 if waited else timeout_s)
            except TimeoutError:
                break
            except (OSError, ValueError) as exc:  # EOF comes as ConnectionResetError
                raise PortalError(f"The connection to the session bus broke: {exc}") from exc
            waited = True
        found = [_event(m) for m in self._signals]
        self._signals.clear()
        return [e for e in found if e is not None]

    def close(self) -> None:
        self._conn.close()


def _unwrap(message: Any) -> tuple[Any, ...]:
    from jeepney.wrappers import unwrap_msg

    return tuple(unwrap_msg(message))


def _event(message: Any) -> Response | Activated | None:
    from jeepney import HeaderFields

    fields = message.header.fields
    path, member = fields.get(HeaderFields.path, ""), fields.get(HeaderFields.member, "")
    body = message.body
    if member == "Response" and len(body) == 2:
        code, results = body
        return Response(path, int(code), {k: v for k, (_sig, v) in results.items()})
    if member == "Activated" and len(body) >= 3:
        return Activated(str(body[0]), str(body[1]), int(body[2]))
    return None


# -- GlobalShortcuts ---------------------------------------------------------------------
def create_shortcuts_session(portal: DesktopPortal) -> str:
    """Ask for a GlobalShortcuts session; the :class:`Response` carries
    :func:`session_handle`. Returns the request path."""
    options = {"session_handle_token": ("s", new_token())}
    return portal.request(SHORTCUTS, "CreateSession", "", (), options)


def session_handle(response: Response) -> str:
    """The session a successful ``CreateSession`` created (the spec types it ``s``)."""
    return str(response.results.get("session_handle", ""))


def bind_shortcuts(portal: DesktopPortal, session: str, shortcuts: Sequence[Shortcut]) -> str:
    """Ask the desktop to bind ``shortcuts`` in ``session`` (it may ask the person).
    Returns the request path; its :class:`Response` lists what was bound."""
    wire = []
    for shortcut in shortcuts:
        props: dict[str, tuple[str, Any]] = {"description": ("s", shortcut.description)}
        if shortcut.trigger is not None:
            props["preferred_trigger"] = ("s", preferred_trigger(shortcut.trigger))
        wire.append((shortcut.id, props))
    return portal.request(SHORTCUTS, "BindShortcuts", "oa(sa{sv})s", (session, wire, ""))


def bound_shortcuts(response: Response) -> list[BoundShortcut]:
    """The shortcuts a successful ``BindShortcuts`` bound, with the desktop's trigger."""
    bound = []
    for shortcut_id, props in response.results.get("shortcuts", []):
        values = {k: v for k, (_sig, v) in props.items()}
        bound.append(
            BoundShortcut(
                shortcut_id,
                str(values.get("description", "")),
                str(values.get("trigger_description", "")),
            )
        )
    return bound


# -- Screenshot --------------------------------------------------------------------------
def take_screenshot(portal: DesktopPortal, *, interactive: bool = True) -> str:
    """Ask for a screenshot (``interactive``: the person picks the region in the
    desktop's tool). Returns the request path; see :func:`screenshot_file`."""
    options = {"interactive": ("b", interactive), "modal": ("b", True)}
    return portal.request(SCREENSHOT, "Screenshot", "s", ("",), options)


def screenshot_file(response: Response) -> Path:
    """The picture a successful ``Screenshot`` saved.

    Raises:
        PortalError: the answer has no local file URI.
    """
    uri = str(response.results.get("uri", ""))
    parsed = urlparse(uri)
    if parsed.scheme != "file" or not parsed.path:
        raise PortalError(f"The desktop's screenshot is not a local file ({uri!r}).")
    return Path(unquote(parsed.path))


def remove_fresh_screenshot(path: Path, requested_ns: int) -> bool:
    """Delete the desktop's screenshot ``path`` if it is a file made for this request.

    The person asked for text, not for a picture, but the portal saves one (GNOME in
    ``~/Pictures/Screenshots``). It is removed only when it cannot be anything the person
    had before: a plain file (not a link) of this user's with no other name (one hard
    link), written and last changed at or after ``requested_ns`` (``time.time_ns()``
    taken before asking). File times come from the kernel's coarse clock, a few
    milliseconds behind, so a file made at once may look older and is kept: the safe side.

    Returns:
        Whether it was removed (never raises: a file that stays is reported, not an error).
    """
    try:
        info = path.lstat()
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_nlink != 1
            or info.st_uid != os.getuid()
            or min(info.st_mtime_ns, info.st_ctime_ns) < requested_ns
        ):
            return False
        path.unlink()
    except OSError:
        log.info("the screenshot %s stays", path, exc_info=True)
        return False
    return True


__all__ = [
    "CANCELLED",
    "ENDED",
    "SCREENSHOT",
    "SHORTCUTS",
    "SUCCESS",
    "Activated",
    "BoundShortcut",
    "DesktopPortal",
    "Response",
    "Shortcut",
    "bind_shortcuts",
    "bound_shortcuts",
    "create_shortcuts_session",
    "escaped_sender",
    "new_token",
    "preferred_trigger",
    "remove_fresh_screenshot",
    "request_path",
    "screenshot_file",
    "session_bus_address",
    "session_handle",
    "take_screenshot",
]
