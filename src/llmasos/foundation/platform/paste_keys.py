"""Which keys paste in a given X program, told from its window class (``WM_CLASS``).

Most programs paste the CLIPBOARD with Ctrl+V. Terminals cannot: Ctrl+V is a control
character there (``^V``, "insert the next key literally" in a shell), so they paste with
Ctrl+Shift+V. xterm and the rxvt family bind neither: out of the box they paste the
PRIMARY selection with Shift+Insert (checked with a real xterm 379: Ctrl+Shift+V sends
``^V``, Shift+Insert pastes PRIMARY; with its ``selectToClipboard`` resource it pastes the
CLIPBOARD instead, so the answer goes on both).

A program not in the table gets Ctrl+V; when it does not read the answer, Replace says
which keys it pressed and to paste by hand. Nothing here talks to the X server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PasteKeys:
    """How to paste into one program.

    Attributes:
        keys: X keysym names, pressed in order and released in reverse.
        label: the keys as a person writes them, for messages.
        uses_primary: the program pastes the PRIMARY selection (the answer must be there
            as well as on the clipboard).
    """

    keys: tuple[str, ...]
    label: str
    uses_primary: bool = False


CTRL_V = PasteKeys(("Control_L", "v"), "Ctrl+V")
CTRL_SHIFT_V = PasteKeys(("Control_L", "Shift_L", "v"), "Ctrl+Shift+V")
SHIFT_INSERT = PasteKeys(("Shift_L", "Insert"), "Shift+Insert", uses_primary=True)

#: Terminal window classes (either ``WM_CLASS`` string, lower case) and their paste keys.
TERMINALS: dict[str, PasteKeys] = {
    **dict.fromkeys(
        ("xterm", "uxterm", "urxvt", "rxvt", "rxvt-unicode", "aterm", "eterm"), SHIFT_INSERT
    ),
    **dict.fromkeys(
        (
            "gnome-terminal",
            "gnome-terminal-server",
            "org.gnome.console",
            "kgx",
            "org.gnome.ptyxis",
            "ptyxis",
            "konsole",
            "org.kde.konsole",
            "yakuake",
            "alacritty",
            "kitty",
            "org.wezfurlong.wezterm",
            "wezterm",
            "xfce4-terminal",
            "tilix",
            "com.gexperts.tilix",
            "terminator",
            "mate-terminal",
            "lxterminal",
            "qterminal",
            "terminology",
            "sakura",
            "termite",
            "tilda",
            "guake",
            "st",
            "st-256color",
            "com.mitchellh.ghostty",
            "ghostty",
            "cool-retro-term",
            "deepin-terminal",
            "hyper",
            "tabby",
            "contour",
            "blackbox",
            "com.raggesilver.blackbox",
        ),
        CTRL_SHIFT_V,
    ),
}


def paste_keys_for(wm_class: Iterable[str]) -> PasteKeys:
    """The keys that paste in a program whose ``WM_CLASS`` strings are ``wm_class``
    (instance and class, any case); Ctrl+V for one not known to paste otherwise."""
    for name in wm_class:
        found = TERMINALS.get(name.strip().lower())
        if found is not None:
            return found
    return CTRL_V


__all__ = ["CTRL_SHIFT_V", "CTRL_V", "SHIFT_INSERT", "TERMINALS", "PasteKeys", "paste_keys_for"]
