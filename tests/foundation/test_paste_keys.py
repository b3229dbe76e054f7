"""The paste keys told from a program's window class (no X server needed)."""

from __future__ import annotations

import pytest

from llmasos.foundation.platform.paste_keys import (
    CTRL_SHIFT_V,
    CTRL_V,
    SHIFT_INSERT,
    TERMINALS,
    paste_keys_for,
)


@pytest.mark.parametrize(
    ("wm_class", "keys"),
    [
        (("xterm", "XTerm"), SHIFT_INSERT),
        (("urxvt", "URxvt"), SHIFT_INSERT),
        (("gnome-terminal-server", "Gnome-terminal"), CTRL_SHIFT_V),
        (("konsole", "konsole"), CTRL_SHIFT_V),
        (("Alacritty", "Alacritty"), CTRL_SHIFT_V),
        (("kitty", "kitty"), CTRL_SHIFT_V),
        (("org.wezfurlong.wezterm", "org.wezfurlong.wezterm"), CTRL_SHIFT_V),
        (("xfce4-terminal", "Xfce4-terminal"), CTRL_SHIFT_V),
        (("tilix", "Tilix"), CTRL_SHIFT_V),
        (("terminator", "Terminator"), CTRL_SHIFT_V),
        (("someterm", "Konsole"), CTRL_SHIFT_V),  # either string tells
        ((" kitty ",), CTRL_SHIFT_V),
        (("gedit", "Gedit"), CTRL_V),
        (("text_field_app.py", "text_field_app.py"), CTRL_V),
        (("xtermish", "XTermish"), CTRL_V),  # whole names only
        ((), CTRL_V),  # no class (the window is gone)
    ],
)
def test_the_class_decides_the_keys(wm_class: tuple[str, ...], keys: object) -> None:
    assert paste_keys_for(wm_class) == keys


def test_only_shift_insert_reads_primary_and_the_table_is_lower_case() -> None:
    assert SHIFT_INSERT.uses_primary and not CTRL_V.uses_primary
    assert not CTRL_SHIFT_V.uses_primary
    assert SHIFT_INSERT.keys == ("Shift_L", "Insert") and SHIFT_INSERT.label == "Shift+Insert"
    assert all(name == name.lower().strip() for name in TERMINALS)
