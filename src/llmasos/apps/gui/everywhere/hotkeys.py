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
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, Signal
from PySide6.QtGui import QGuiApplication

from llmasos.apps.gui.common.messages import error_text
from llmasos.errors import DisplayUnavailableError, HotkeyInvalidError, HotkeyTakenError
from llmasos.foundation.platform.hotkeys import Hotkey, parse_hotkey
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


@dataclass(frozen=True)
class HotkeyReport:
    """How registering one shortcut went; ``message`` is translated, for people."""

    action: str
    shortcut: str
    status: str  # OK, LIMITED, TAKEN, INVALID or UNSUPPORTED
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
    """

    triggered = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._x: X11Display | None = None
        self._notifier: QSocketNotifier | None = None
        self._actions: dict[Hotkey, str] = {}
        self.reports: list[HotkeyReport] = []
        self._translate_to = ""
        self.session: DisplaySession | None = None  # known after the first apply()

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
            message = self.tr(
                "The shortcut {shortcut} for “{action}” cannot be used ({error}). Pick "
                "another one in Settings › Everywhere."
            ).format(shortcut=text, action=name, error=error_text(exc))
            return HotkeyReport(action, text, INVALID, message)
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
                "On Wayland, programs cannot set system-wide shortcuts themselves. Add "
                "{shortcut} in your desktop's keyboard settings (custom shortcut) with the "
                "command: {command}"
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
        """Release every shortcut and the X connection."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._x is not None:
            self._x.close()
            self._x = None
