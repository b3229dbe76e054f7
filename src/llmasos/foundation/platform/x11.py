"""The X11 display as LLMasOS uses it: global key grabs, the focused window, a synthetic paste.

One :class:`X11Display` is one connection of our own (python-xlib), separate from Qt's:
its key events arrive on :meth:`X11Display.fileno`, which the GUI watches with a socket
notifier and drains with :meth:`X11Display.pressed`. Call it from one thread only.

Why python-xlib and a second connection: a passive grab (``XGrabKey``) must be checked
for ``BadAccess`` (another client holds the key) synchronously, and the grabbed key
presses must reach us whichever window has the focus; on our own connection both are
plain requests and events, with no need to reach into Qt's private xcb connection.

Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmasos.errors import DisplayUnavailableError, HotkeyInvalidError, HotkeyTakenError
from llmasos.foundation.platform.hotkeys import Hotkey, keysym_name

if TYPE_CHECKING:
    from Xlib.display import Display

log = logging.getLogger(__name__)


def has_display() -> bool:
    """Whether an X server (or XWayland) is named in the environment."""
    return bool(os.environ.get("DISPLAY"))


@dataclass(frozen=True)
class _Grab:
    keycode: int
    mask: int


class X11Display:
    """Our own connection to the X server named by ``DISPLAY`` (or ``name``)."""

    def __init__(self, name: str | None = None) -> None:
        """Connect.

        Raises:
            DisplayUnavailableError: python-xlib is missing or the server cannot be reached.
        """
        try:
            from Xlib import X
            from Xlib.display import Display
            from Xlib.error import DisplayError
        except ImportError as exc:  # Linux installs have it (a dependency); elsewhere no X
            raise DisplayUnavailableError(
                "python-xlib is not installed, so LLMasOS cannot talk to the X server."
            ) from exc
        try:
            self.display: Display = Display(name)
        except (DisplayError, OSError, ValueError) as exc:
            raise DisplayUnavailableError(
                f"Cannot connect to the X display {name or os.environ.get('DISPLAY', '')!r}: {exc}"
            ) from exc
        self._x = X
        self.root = self.display.screen().root
        self._grabs: dict[Hotkey, _Grab] = {}
        self._masks = self._modifier_masks()

    # -- modifiers ------------------------------------------------------------------
    def _modifier_masks(self) -> dict[str, int]:
        """The mask of each modifier name on this keyboard (Alt and Meta vary by layout)."""
        X, d = self._x, self.display
        from Xlib import XK

        masks = {"ctrl": X.ControlMask, "shift": X.ShiftMask, "alt": X.Mod1Mask}
        masks.update(meta=X.Mod4Mask, numlock=X.Mod2Mask)
        wanted = {"Alt_L": "alt", "Super_L": "meta", "Num_Lock": "numlock"}
        by_code = {d.keysym_to_keycode(XK.string_to_keysym(k)): v for k, v in wanted.items()}
        for index, codes in enumerate(d.get_modifier_mapping()):
            if index < 3:  # Shift, Lock, Control are fixed
                continue
            for code in codes:
                if code in by_code:
                    masks[by_code[code]] = 1 << index
        return masks

    def _ignored_masks(self) -> list[int]:
        """Caps Lock and Num Lock must not stop a shortcut: grab each combination."""
        lock, num = self._x.LockMask, self._masks["numlock"]
        return [0, lock, num, lock | num]

    def mask_of(self, hotkey: Hotkey) -> int:
        mask = 0
        for name in hotkey.modifiers:
            mask |= self._masks[name]
        return mask

    def keycode_of(self, hotkey: Hotkey) -> int:
        """The keycode for ``hotkey.key`` on this keyboard.

        Raises:
            HotkeyInvalidError: X knows no such key, or this keyboard lacks it.
        """
        from Xlib import XK

        key = hotkey.key
        name = keysym_name(key)
        keysym = XK.string_to_keysym(name)
        if not keysym:
            raise HotkeyInvalidError(f"{hotkey}: X11 knows no key called {key!r}.")
        keycode = int(self.display.keysym_to_keycode(keysym))
        if not keycode:
            raise HotkeyInvalidError(f"{hotkey}: this keyboard layout has no {key!r} key.")
        return keycode

    # -- grabs ----------------------------------------------------------------------
    def grab(self, hotkey: Hotkey) -> None:
        """Grab ``hotkey`` on the root window, for every Caps/Num Lock state.

        Raises:
            HotkeyTakenError: another client holds it (BadAccess); nothing stays grabbed.
            HotkeyInvalidError: no such key here.
        """
        from Xlib.error import BadAccess, CatchError

        if hotkey in self._grabs:
            return
        keycode, mask = self.keycode_of(hotkey), self.mask_of(hotkey)
        catchers = []
        for extra in self._ignored_masks():
            catch = CatchError(BadAccess)
            self.root.grab_key(
                keycode,
                mask | extra,
                True,
                self._x.GrabModeAsync,
                self._x.GrabModeAsync,
                onerror=catch,
            )
            catchers.append(catch)
        self.display.sync()  # the errors, if any, have arrived after this
        if any(c.get_error() for c in catchers):
            self._ungrab(keycode, mask)
            self.display.sync()
            raise HotkeyTakenError(f"{hotkey} is already taken by another program.")
        self._grabs[hotkey] = _Grab(keycode, mask)

    def _ungrab(self, keycode: int, mask: int) -> None:
        for extra in self._ignored_masks():
            self.root.ungrab_key(keycode, mask | extra)

    def ungrab(self, hotkey: Hotkey) -> None:
        """Release ``hotkey`` (nothing when it was not grabbed)."""
        grab = self._grabs.pop(hotkey, None)
        if grab is not None:
            self._ungrab(grab.keycode, grab.mask)
            self.display.sync()

    def ungrab_all(self) -> None:
        for hotkey in list(self._grabs):
            self.ungrab(hotkey)

    @property
    def grabbed(self) -> tuple[Hotkey, ...]:
        return tuple(self._grabs)

    # -- events ---------------------------------------------------------------------
    def fileno(self) -> int:
        """The socket to watch for readability (then call :meth:`pressed`)."""
        return int(self.display.fileno())

    def pressed(self) -> list[Hotkey]:
        """The grabbed shortcuts pressed since the last call (reads every queued event)."""
        found: list[Hotkey] = []
        ignored = self._x.LockMask | self._masks["numlock"]
        while self.display.pending_events():
            event = self.display.next_event()
            if event.type != self._x.KeyPress:
                continue
            state = int(event.state) & ~ignored & 0xFF
            for hotkey, grab in self._grabs.items():
                if grab.keycode == event.detail and grab.mask == state:
                    found.append(hotkey)
        return found

    # -- focus and typing -------------------------------------------------------------
    def focused_window(self) -> int:
        """The id of the window that has the keyboard focus (0: none, or the root)."""
        focus = self.display.get_input_focus().focus
        window_id = int(getattr(focus, "id", 0) or 0)
        return 0 if window_id in (0, 1, self.root.id) else window_id  # None, PointerRoot

    def focus(self, window_id: int, timeout_s: float = 1.0) -> bool:
        """Give ``window_id`` the keyboard focus (through the window manager when there
        is one); whether it has it within ``timeout_s``."""
        from Xlib import X
        from Xlib.protocol import event

        window = self.display.create_resource_object("window", window_id)
        net_active = self.display.intern_atom("_NET_ACTIVE_WINDOW")
        supported = self.root.get_full_property(
            self.display.intern_atom("_NET_SUPPORTED"), X.AnyPropertyType
        )
        if supported is not None and net_active in supported.value:
            message = event.ClientMessage(
                window=self._client_window(window_id),
                client_type=net_active,
                data=(32, [2, X.CurrentTime, 0, 0, 0]),  # 2: sent for the user, like a pager
            )
            mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
            self.root.send_event(message, event_mask=mask)
        window.set_input_focus(X.RevertToParent, X.CurrentTime)
        deadline = time.monotonic() + timeout_s
        while True:
            self.display.sync()
            if self._within(self.focused_window(), window_id):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def _client_window(self, window_id: int) -> Any:
        """The top-level window under the root that contains ``window_id``."""
        window = self.display.create_resource_object("window", window_id)
        while True:
            parent = window.query_tree().parent
            if parent is None or parent.id in (0, self.root.id):
                return window
            window = parent

    def window_class(self, window_id: int) -> tuple[str, ...]:
        """The ``WM_CLASS`` strings (instance, class) of the program owning ``window_id``.

        The focus is often on a window inside the program's top-level one (xterm's
        text area), which has no class: the first window from ``window_id`` up to the
        root that has one tells. Empty when none does or the window is gone.
        """
        from Xlib.error import XError

        try:
            window = self.display.create_resource_object("window", window_id)
            for _ in range(32):
                names = window.get_wm_class()
                if names:
                    return tuple(str(n) for n in names)
                parent = window.query_tree().parent
                if parent is None or parent.id in (0, self.root.id):
                    return ()
                window = parent
        except XError:
            log.debug("WM_CLASS of window %#x", window_id, exc_info=True)
        return ()

    def _within(self, focus: int, window_id: int) -> bool:
        """Whether ``focus`` is ``window_id`` or one of its descendants."""
        if focus == 0:
            return False
        window = self.display.create_resource_object("window", focus)
        for _ in range(32):
            if window.id == window_id:
                return True
            parent = window.query_tree().parent
            if parent is None or parent.id in (0, self.root.id):
                return False
            window = parent
        return False

    def modifiers_down(self) -> bool:
        """Whether a modifier key is still held (a paste sent now would carry it)."""
        keymap = self.display.query_keymap()
        for codes in self.display.get_modifier_mapping():
            for code in codes:
                if code and keymap[code // 8] & (1 << (code % 8)):
                    return True
        return False

    def type_keys(self, names: Iterable[str]) -> None:
        """Press the keys ``names`` (X keysym names, e.g. ``Control_L``, ``v``) in order,
        then release them in reverse, through the XTEST extension.

        Raises:
            HotkeyInvalidError: this keyboard has no key for one of the names.
        """
        from Xlib import XK, X
        from Xlib.ext import xtest

        codes = []
        for name in names:
            code = self.display.keysym_to_keycode(XK.string_to_keysym(name))
            if not code:
                raise HotkeyInvalidError(f"This keyboard layout has no {name!r} key.")
            codes.append(code)
        for code in codes:
            xtest.fake_input(self.display, X.KeyPress, code)
        for code in reversed(codes):
            xtest.fake_input(self.display, X.KeyRelease, code)
        self.display.sync()

    def close(self) -> None:
        """Release every grab and disconnect."""
        try:
            self.ungrab_all()
            self.display.close()
        except Exception:  # the server may be gone already
            log.debug("closing the X connection", exc_info=True)


def open_display() -> X11Display:
    """Our connection to the X server of ``DISPLAY``.

    Raises:
        DisplayUnavailableError: none is named or it cannot be reached.
    """
    if not has_display():
        raise DisplayUnavailableError("No X display (DISPLAY is not set).")
    return X11Display()


__all__ = ["X11Display", "has_display", "open_display"]
