"""System-wide shortcuts as text: ``"Ctrl+Alt+T"`` parsed into modifiers and a key.

The text is Qt's portable form (what ``QKeySequence.toString()`` writes and the Settings
page's shortcut editor produces), so settings, the command line and the X11 code agree
on one spelling. Nothing here talks to a display server: :mod:`.x11` turns a
:class:`Hotkey` into a grab.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The modifier names accepted (any case), and the one each stands for.
MODIFIERS = {
    "ctrl": "ctrl",
    "control": "ctrl",
    "alt": "alt",
    "shift": "shift",
    "meta": "meta",  # Qt's name for the Super / Windows key on X11
    "super": "meta",
    "win": "meta",
}
#: A global shortcut needs one of these: a bare key or Shift+key would eat typing.
STRONG_MODIFIERS = frozenset({"ctrl", "alt", "meta"})
_ORDER = ("ctrl", "alt", "shift", "meta")

# Qt's key names that X (and the portal's shortcut syntax, which uses X keysym names)
# spells differently (the rest: lower-case letters, F1…, digits)
_KEYSYM_NAMES = {
    "Space": "space",
    "Enter": "Return",
    "Return": "Return",
    "Esc": "Escape",
    "Escape": "Escape",
    "Backspace": "BackSpace",
    "Del": "Delete",
    "Ins": "Insert",
    "PgUp": "Prior",
    "PgDown": "Next",
    "Print": "Print",
    "+": "plus",
    "-": "minus",
    ",": "comma",
    ".": "period",
    "/": "slash",
    ";": "semicolon",
    "'": "apostrophe",
    "[": "bracketleft",
    "]": "bracketright",
    "\\": "backslash",
    "`": "grave",
    "=": "equal",
}


def keysym_name(key: str) -> str:
    """The X keysym name of a key as Qt spells it: ``"T"`` → ``"t"``, ``"Space"`` → ``"space"``."""
    return _KEYSYM_NAMES.get(key, key.lower() if len(key) == 1 else key)


@dataclass(frozen=True)
class Hotkey:
    """One key with its modifiers; ``key`` as Qt spells it (``"T"``, ``"Space"``, ``"F5"``)."""

    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        names = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "meta": "Meta"}
        return "+".join([*(names[m] for m in _ORDER if m in self.modifiers), self.key])


def parse_hotkey(text: str) -> Hotkey:
    """Parse ``"Ctrl+Alt+T"`` (case of the modifiers does not matter).

    Raises:
        ValueError: not one key with at least one of Ctrl, Alt or Meta; the message
            says what is wrong and gives an example.
    """
    if ", " in text:  # how Qt writes a sequence of several combinations
        raise ValueError(f"{text!r}: a system-wide shortcut is one key combination, not a chord.")
    parts = [p.strip() for p in text.replace(" ", "").split("+")]
    if text.strip().endswith("++"):  # "Ctrl++": the plus key itself
        parts = [*parts[:-2], "+"]
    *mods, key = parts
    if not key or any(not m for m in mods):
        raise ValueError(f"{text!r} is not a shortcut; write it like Ctrl+Alt+T.")
    unknown = [m for m in mods if m.lower() not in MODIFIERS]
    if unknown:
        raise ValueError(
            f"{text!r}: {unknown[0]!r} is not a modifier (use Ctrl, Alt, Shift or Meta)."
        )
    modifiers = frozenset(MODIFIERS[m.lower()] for m in mods)
    if not modifiers & STRONG_MODIFIERS:
        raise ValueError(
            f"{text!r} would take a key away from typing; add Ctrl, Alt or Meta (e.g. Ctrl+Alt+T)."
        )
    return Hotkey(modifiers, key[0].upper() + key[1:])  # "t" -> "T", "f5" -> "F5"


def hotkey_problem(text: str) -> str | None:
    """None when ``text`` is empty (no shortcut) or a valid shortcut, else why not."""
    if not text:
        return None
    try:
        parse_hotkey(text)
    except ValueError as exc:
        return str(exc)
    return None


__all__ = [
    "MODIFIERS",
    "STRONG_MODIFIERS",
    "Hotkey",
    "hotkey_problem",
    "keysym_name",
    "parse_hotkey",
]
