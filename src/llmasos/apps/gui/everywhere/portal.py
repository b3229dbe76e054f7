"""The desktop portal in the running app: Wayland shortcuts and the screenshot for OCR.

:class:`PortalConnection` owns one :class:`~llmasos.foundation.platform.portal.DesktopPortal`
and a socket notifier on it, and hands each answer over on the GUI thread.
:class:`PortalShortcuts` walks the GlobalShortcuts flow on it — ``CreateSession``, then
``BindShortcuts``, whose answer waits for the person to approve the desktop's dialog —
and emits :attr:`PortalShortcuts.triggered` for each ``Activated`` signal.
:class:`PortalScreenshot` asks for an interactive screenshot and hands over the picture
(the file deleted when the desktop made it for this request).

Used only in a Wayland session and only where the portal offers the interface
(:meth:`PortalConnection.offers`); elsewhere the app keeps its X11 grabs, or says
which ``llmasos do`` command to bind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal
from PySide6.QtGui import QImage

from llmasos.errors import PortalError
from llmasos.foundation.platform.portal import (
    SCREENSHOT,
    SHORTCUTS,
    Activated,
    BoundShortcut,
    DesktopPortal,
    Response,
    Shortcut,
    bind_shortcuts,
    bound_shortcuts,
    create_shortcuts_session,
    remove_fresh_screenshot,
    screenshot_file,
    session_handle,
    take_screenshot,
)

log = logging.getLogger(__name__)

PENDING, BOUND, REFUSED, FAILED = "pending", "bound", "refused", "failed"


class PortalConnection(QObject):
    """Our session-bus connection to the portal.

    Signals (GUI thread): ``responded(Response)``, ``activated(Activated)``.
    """

    responded = Signal(object)
    activated = Signal(object)

    def __init__(self, portal: DesktopPortal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.portal = portal
        self._versions: dict[str, int] = {}
        self._notifier = QSocketNotifier(portal.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self.drain)

    @classmethod
    def open(cls, parent: QObject | None = None) -> PortalConnection | None:
        """Connect to the session bus; None (logged) where there is none."""
        try:
            return cls(DesktopPortal(), parent)
        except PortalError as exc:
            log.info("no desktop portal: %s", exc)
            return None

    def offers(self, interface: str) -> bool:
        """Whether the portal runs and offers ``interface`` (version 1 or later)."""
        if interface not in self._versions:
            try:
                self._versions[interface] = self.portal.version(interface)
            except PortalError as exc:
                log.warning("desktop portal: %s", exc)
                self._versions[interface] = 0
            self.drain()  # signals read while waiting for the reply
        return self._versions[interface] >= 1

    def drain(self) -> None:
        """Hand over what has arrived (also call it after each request)."""
        try:
            events = self.portal.events()
        except PortalError as exc:
            log.warning("desktop portal: %s", exc)
            self._notifier.setEnabled(False)
            return
        for event in events:
            if isinstance(event, Response):
                self.responded.emit(event)
            elif isinstance(event, Activated):
                self.activated.emit(event)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        self.portal.close()


class PortalShortcuts(QObject):
    """The app's shortcuts bound through the portal.

    Signals (GUI thread):
        triggered: the action whose shortcut was pressed, in any program.
        answered: the desktop answered (see :attr:`state`, :attr:`bound`).
    """

    triggered = Signal(str)
    answered = Signal()

    def __init__(self, connection: PortalConnection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = connection
        self._session = ""
        self._requests: dict[str, str] = {}  # request path -> "create" / "bind"
        self._wanted: list[Shortcut] = []
        self.state = ""
        self.bound: list[BoundShortcut] = []
        connection.responded.connect(self._responded)
        connection.activated.connect(self._activated)

    def bind(self, shortcuts: list[Shortcut]) -> None:
        """Ask the desktop for exactly ``shortcuts`` (a new session: the old one is closed,
        which releases its shortcuts)."""
        self.release()
        self._wanted = list(shortcuts)
        if not shortcuts:
            return
        self.state = PENDING
        self._ask(create_shortcuts_session, "create")

    def _ask(self, call: Callable[..., str], kind: str, *args: Any) -> None:
        try:
            request = call(self._conn.portal, *args)
        except PortalError as exc:
            log.warning("global shortcuts through the portal: %s", exc)
            self.state = FAILED
            self.answered.emit()
            return
        self._requests[request] = kind
        self._conn.drain()  # an answer read while waiting for the call's reply

    def _responded(self, response: Response) -> None:
        kind = self._requests.pop(response.request, None)
        if kind is None:
            return  # another request's answer (a screenshot)
        if not response.is_success:
            log.info("portal %s answered %d", kind, response.code)
            self.state = REFUSED
            self.answered.emit()
        elif kind == "create":
            self._session = session_handle(response)
            self._ask(bind_shortcuts, "bind", self._session, self._wanted)
        else:
            self.bound = bound_shortcuts(response)
            self.state = BOUND
            self.answered.emit()

    def _activated(self, event: Activated) -> None:
        if event.session == self._session:
            self.triggered.emit(event.shortcut_id)

    def release(self) -> None:
        """Close the session: the desktop releases the shortcuts."""
        if self._session:
            self._conn.portal.close_session(self._session)
        self._session, self._requests, self.bound, self.state = "", {}, [], ""


class PortalScreenshot(QObject):
    """An interactive screenshot through the portal.

    The file the desktop saves is read, then deleted when it was made for this request
    (:func:`~llmasos.foundation.platform.portal.remove_fresh_screenshot`); any other
    file stays, and ``taken`` says where it is.

    Signals (GUI thread): ``taken(QImage, note)`` (``note``: where the picture was left,
    translated; empty when it was deleted), ``cancelled()``, ``failed(str)``.
    """

    taken = Signal(QImage, str)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, connection: PortalConnection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = connection
        self._request = ""
        self._requested_ns = 0
        connection.responded.connect(self._responded)

    @property
    def is_available(self) -> bool:
        return self._conn.offers(SCREENSHOT)

    def take(self) -> None:
        """Ask the desktop; the person picks the region in its own tool."""
        self._requested_ns = time.time_ns()  # before asking: files older than this stay
        try:
            self._request = take_screenshot(self._conn.portal, interactive=True)
        except PortalError as exc:
            self.failed.emit(str(exc))
            return
        self._conn.drain()

    def _responded(self, response: Response) -> None:
        if response.request != self._request:
            return
        self._request = ""
        if not response.is_success:
            self.cancelled.emit()
            return
        try:
            path = screenshot_file(response)
        except PortalError as exc:
            self.failed.emit(str(exc))
            return
        image = QImage(str(path))
        if image.isNull():
            self.failed.emit(
                self.tr("The desktop's screenshot {path} cannot be read.").format(path=path)
            )
            return
        note = ""
        if not remove_fresh_screenshot(path, self._requested_ns):
            note = self.tr("The desktop's screenshot was left in {path}.").format(path=path)
        self.taken.emit(image, note)


__all__ = [
    "BOUND",
    "FAILED",
    "PENDING",
    "REFUSED",
    "SHORTCUTS",
    "PortalConnection",
    "PortalScreenshot",
    "PortalShortcuts",
]
