"""System-wide shortcuts in the running app: registered on X11, explained elsewhere.

:class:`GlobalHotkeys` owns one :class:`~llmasos.foundation.platform.x11.X11Display`,
grabs each configured shortcut on it and emits :attr:`GlobalHotkeys.triggered` (on the
GUI thread, from a socket notifier) when one is pressed in any application. A shortcut
another program holds is not silently dead: :meth:`GlobalHotkeys.apply` returns one
:class:`HotkeyReport` per shortcut, which the app shows (Settings, the tray, ``state``).

On Wayland there is no way for a client to grab keys; the report says so and gives
the ``llmasos do`` command to bind in the desktop's own keyboard settings. Under
XWayland (the xcb platform in a Wayland session, told apart by
:func:`~llmasos.foundation.platform.session.detect_session`) the X grab is made but
reported as :data:`LIMITED`: it fires only while an X11 program has the focus, so it
is never presented as system-wide.

In a Wayland session whose desktop portal offers GlobalShortcuts, the shortcuts are
bound through it instead (:mod:`~llmasos.apps.gui.everywhere.portal`): the reports say
:data:`PENDING` until the person answers the desktop's dialog, then :data:`OK` with the
keys the desktop chose, or :data:`REFUSED`; :attr:`GlobalHotkeys.reported` announces
each change. Without the portal the X grabs (XWayland) or the command to bind remain.
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, Signal
from PySide6.QtGui import QGuiApplication

from llmasos.apps.gui.common.messages import error_text
from llmasos.apps.gui.everywhere.portal import (
    BOUND,
    PortalConnection,
    PortalShortcuts,
)
from llmasos.errors import DisplayUnavailableError, HotkeyInvalidError, HotkeyTakenError
from llmasos.foundation.platform.hotkeys import Hotkey, parse_hotkey
from llmasos.foundation.platform.portal import SHORTCUTS, Shortcut
from llmasos.foundation.platform.session import (
    DisplaySession,
    SessionKind,
    XServer,
    detect_session,
    is_xwayland,
)
from llmasos.foundation.platform.x11 import X11Display, open_display

log = logging.getLogger(__name__)

OK, TAKEN, INVALID, UNSUPPORTED = "ok", "taken", "invalid", "unsupported"
LIMITED = "limited"  # grabbed through XWayland: only while an X11 program has the focus
PENDING, REFUSED = "pending", "refused"  # the portal: waiting for / refused by the person


@dataclass(frozen=True)
class HotkeyReport:
    """How registering one shortcut went; ``message`` is translated, for people."""

    action: str
    shortcut: str
    status: str  # OK, LIMITED, PENDING, REFUSED, TAKEN, INVALID or UNSUPPORTED
    message: str


def action_name(action: str) -> str:
    """The translated name of a shortcut's action."""
    names = {
        "translate": QCoreApplication.translate("GlobalHotkeys", "Translate selection"),
        "proofread": QCoreApplication.translate("GlobalHotkeys", "Improve selection"),
        "ask": QCoreApplication.translate("GlobalHotkeys", "Ask box"),
        "ocr": QCoreApplication.translate("GlobalHotkeys", "OCR a screen region"),
    }
    return names.get(action, action)


def do_command(action: str, to: str = "") -> str:
    """The command a desktop shortcut can run for ``action`` (the Ask box: ``do ask``)."""
    parts = ["llmasos", "do", action]
    if action == "translate" and to:
        parts += ["--to", to]
    return shlex.join(parts)


def platform_name() -> str:
    """Qt's platform plugin: ``xcb`` (X11), ``wayland``, ``windows``, ``cocoa``, …"""
    return QGuiApplication.platformName()


class GlobalHotkeys(QObject):
    """The app's registered system-wide shortcuts.

    Signals (GUI thread):
        triggered: the action (``"translate"``, ``"proofread"``, ``"ask"``, ``"ocr"``)
            whose shortcut was pressed.
        reported: :attr:`reports` changed after :meth:`apply` returned (the desktop
            answered the portal's dialog).
    """

    triggered = Signal(str)
    reported = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._x: X11Display | None = None
        self._notifier: QSocketNotifier | None = None
        self._actions: dict[Hotkey, str] = {}
        self.reports: list[HotkeyReport] = []
        self._translate_to = ""
        self.session: DisplaySession | None = None  # known after the first apply()
        self._portal: PortalConnection | None = None
        self._portal_opened = False
        self._portal_shortcuts: PortalShortcuts | None = None

    @property
    def x11(self) -> X11Display | None:
        """Our X connection (None before :meth:`apply`, or where there is no X)."""
        return self._x

    def _connect(self) -> str:
        """Open our X connection once; "" when ready, else why there is none."""
        if self._x is not None:
            return ""
        platform = platform_name()
        if platform != "xcb":
            if platform.startswith("wayland"):  # X is not ours to use: do not start XWayland
                self.session = detect_session(probe_x=lambda _display: None)
                return "wayland"
            return platform
        try:
            self._x = open_display()
        except DisplayUnavailableError as exc:
            log.warning("global shortcuts: %s", exc)
            self.session = detect_session()
            return str(exc)
        x = self._x
        self.session = detect_session(probe_x=lambda d: XServer(d, is_xwayland(x.display)))
        self._notifier = QSocketNotifier(self._x.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self.drain)
        return ""

    def apply(self, bindings: dict[str, str], translate_to: str = "") -> list[HotkeyReport]:
        """Register exactly ``bindings`` (action → shortcut text), releasing the rest.

        Returns one report per shortcut, also kept in :attr:`reports`.
        """
        self._translate_to = translate_to
        why = self._connect()
        if self._use_portal(bindings):
            return self.reports
        if why:
            self.reports = [self._unsupported(a, t, why) for a, t in bindings.items()]
            return self.reports
        assert self._x is not None
        self._x.ungrab_all()
        self._actions.clear()
        reports = []
        for action, text in bindings.items():
            reports.append(self._register(action, text))
        self.reports = reports
        self.drain()  # events python-xlib read while it waited for the grabs' replies
        return reports

    # -- through the desktop portal (Wayland) ---------------------------------------------
    @property
    def portal(self) -> PortalConnection | None:
        """Our connection to the desktop portal: opened in a Wayland session only."""
        if not self._portal_opened and self.session is not None and self.session.is_wayland:
            self._portal_opened = True
            self._portal = PortalConnection.open(self)
        return self._portal

    def _use_portal(self, bindings: dict[str, str]) -> bool:
        """Bind ``bindings`` through the portal where it offers GlobalShortcuts; False
        where it does not (then the X grabs or the command to bind remain)."""
        portal = self.portal
        if portal is None or not portal.offers(SHORTCUTS):
            return False
        if self._x is not None:
            self._x.ungrab_all()  # the portal's shortcuts replace the XWayland grabs
        self._actions.clear()
        if self._portal_shortcuts is None:
            self._portal_shortcuts = PortalShortcuts(portal, self)
            self._portal_shortcuts.triggered.connect(self.triggered)
            self._portal_shortcuts.answered.connect(self._portal_answered)
        wanted, self.reports = [], []
        for action, text in bindings.items():
            try:
                hotkey = parse_hotkey(text)
            except ValueError as exc:
                self.reports.append(self._invalid(action, text, exc))
                continue
            wanted.append(Shortcut(action, action_name(action), hotkey))
            message = self.tr(
                "{shortcut} for “{action}”: waiting for you to approve it in your desktop's dialog."
            ).format(shortcut=text, action=action_name(action))
            self.reports.append(HotkeyReport(action, text, PENDING, message))
        self._portal_shortcuts.bind(wanted)
        return True

    def _portal_answered(self) -> None:
        assert self._portal_shortcuts is not None
        answer = self._portal_shortcuts
        bound = {b.id: b for b in answer.bound} if answer.state == BOUND else {}
        reports = []
        for report in self.reports:
            action, text = report.action, report.shortcut
            if report.status != PENDING:
                reports.append(report)
            elif action in bound:
                message = self.tr("{keys}: {action} (set in your desktop)").format(
                    keys=bound[action].trigger or text, action=action_name(action)
                )
                reports.append(HotkeyReport(action, bound[action].trigger or text, OK, message))
            elif answer.state == BOUND:  # the desktop left this one out
                message = self.tr(
                    "Your desktop did not bind {shortcut} for “{action}”. Add it in your "
                    "desktop's keyboard settings with the command: {command}"
                ).format(
                    shortcut=text,
                    action=action_name(action),
                    command=do_command(action, self._translate_to),
                )
                reports.append(HotkeyReport(action, text, UNSUPPORTED, message))
            else:
                message = self.tr(
                    "The shortcuts were not approved in your desktop's dialog, so {shortcut} "
                    "for “{action}” does nothing. Apply the settings again to be asked "
                    "again, or add {shortcut} in your desktop's keyboard settings with the "
                    "command: {command}"
                ).format(
                    shortcut=text,
                    action=action_name(action),
                    command=do_command(action, self._translate_to),
                )
                reports.append(HotkeyReport(action, text, REFUSED, message))
        self.reports = reports
        self.reported.emit()

    def _invalid(self, action: str, text: str, exc: Exception) -> HotkeyReport:
        message = self.tr(
            "The shortcut {shortcut} for “{action}” cannot be used ({error}). Pick "
            "another one in Settings › Everywhere."
        ).format(shortcut=text, action=action_name(action), error=error_text(exc))
        return HotkeyReport(action, text, INVALID, message)

    # -- X11 grabs --------------------------------------------------------------------------
    def _register(self, action: str, text: str) -> HotkeyReport:
        assert self._x is not None
        name = action_name(action)
        try:
            hotkey = parse_hotkey(text)
            self._x.grab(hotkey)
        except HotkeyTakenError:
            message = self.tr(
                "The shortcut {shortcut} for “{action}” is already taken by another "
                "program, so it does nothing in LLMasOS. Pick another one in Settings › "
                "Everywhere, or free it in the other program."
            ).format(shortcut=text, action=name)
            log.warning("global shortcut %s for %s is taken", text, action)
            return HotkeyReport(action, text, TAKEN, message)
        except (ValueError, HotkeyInvalidError) as exc:
            return self._invalid(action, text, exc)
        self._actions[hotkey] = action
        if self.session is not None and self.session.kind is SessionKind.XWAYLAND:
            message = self.tr(
                "{shortcut} for “{action}” works only while an X11 program has the focus: "
                "this is a Wayland session and LLMasOS runs on XWayland. For every program, "
                "add {shortcut} in your desktop's keyboard settings with the command: {command}"
            ).format(shortcut=text, action=name, command=do_command(action, self._translate_to))
            return HotkeyReport(action, text, LIMITED, message)
        message = self.tr("{shortcut}: {action}").format(shortcut=text, action=name)
        return HotkeyReport(action, text, OK, message)

    def _unsupported(self, action: str, text: str, why: str) -> HotkeyReport:
        command = do_command(action, self._translate_to)
        if why == "wayland":
            message = self.tr(
                "On Wayland, programs cannot set system-wide shortcuts themselves, and your "
                "desktop offers no shortcuts portal. Add {shortcut} in your desktop's keyboard "
                "settings (custom shortcut) with the command: {command}"
            ).format(shortcut=text, command=command)
        else:
            message = self.tr(
                "LLMasOS registers system-wide shortcuts only on X11 ({error}). Bind "
                "{shortcut} in your desktop's keyboard settings to the command: {command}"
            ).format(shortcut=text, error=why, command=command)
        return HotkeyReport(action, text, UNSUPPORTED, message)

    def session_note(self) -> str:
        """What this session limits beyond the shortcuts ("" where nothing is limited)."""
        if self.session is None or self.session.kind is not SessionKind.XWAYLAND:
            return ""
        return self.tr(
            "This is a Wayland session and LLMasOS runs on XWayland: Replace pastes only "
            "into X11 programs (in a Wayland program, use Copy and paste it yourself), and "
            "the selection of a Wayland program reaches LLMasOS only where your desktop "
            "shares it with XWayland."
        )

    def problems(self) -> list[str]:
        """What does not work here: the session's limits, then each shortcut's problem."""
        note = self.session_note()
        return [*([note] if note else []), *(r.message for r in self.reports if r.status != OK)]

    def drain(self) -> None:
        """Read the X events; emit :attr:`triggered` for each grabbed shortcut pressed.

        Also call it after other requests on :attr:`x11`: python-xlib queues the events
        it reads while waiting for a reply, and the socket notifier does not see those.
        """
        if self._x is None:
            return
        for hotkey in self._x.pressed():
            action = self._actions.get(hotkey)
            if action is not None:
                self.triggered.emit(action)

    def close(self) -> None:
        """Release every shortcut, the X connection and the portal's session."""
        if self._portal_shortcuts is not None:
            self._portal_shortcuts.release()
        if self._portal is not None:
            self._portal.close()
            self._portal = None
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._x is not None:
            self._x.close()
            self._x = None
