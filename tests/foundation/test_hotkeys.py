"""System-wide shortcut text: parsing, and the settings rules that use it (no Qt, no X)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from llmasos.foundation.platform.hotkeys import Hotkey, hotkey_problem, parse_hotkey
from llmasos.foundation.settings.store import AppSettings, EverywhereConfig


def test_parse_the_portable_text() -> None:
    assert parse_hotkey("Ctrl+Alt+T") == Hotkey(frozenset({"ctrl", "alt"}), "T")
    assert parse_hotkey("ctrl+alt+t") == parse_hotkey("Alt+Ctrl+T")
    assert parse_hotkey("Meta+Space").key == "Space"
    assert parse_hotkey("Ctrl++").key == "+"
    assert str(parse_hotkey("shift+meta+ctrl+f5")) == "Ctrl+Shift+Meta+F5"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("T", "take a key away from typing"),
        ("Shift+T", "take a key away from typing"),
        ("Hyper+T", "not a modifier"),
        ("Ctrl+", "not a shortcut"),
        ("Ctrl+K, Ctrl+T", "chord"),
    ],
)
def test_bad_shortcuts_say_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_hotkey(text)
    assert why in (hotkey_problem(text) or "")


def test_settings_check_the_shortcuts() -> None:
    assert hotkey_problem("") is None  # no shortcut
    settings = AppSettings()
    assert settings.problems() == []
    assert settings.everywhere.hotkeys() == {
        "translate": "Ctrl+Alt+T",
        "proofread": "Ctrl+Alt+W",
        "ask": "Ctrl+Alt+Space",
        "ocr": "Ctrl+Alt+O",
    }
    bad = replace(settings, everywhere=EverywhereConfig(hotkey_ask="Q", hotkey_proofread=""))
    problems = bad.problems()
    assert len(problems) == 1 and "everywhere.hotkey_ask" in problems[0]
    assert "proofread" not in bad.everywhere.hotkeys()
    same = replace(settings, everywhere=EverywhereConfig(hotkey_ask="ctrl+alt+t"))
    assert any("both translate and ask" in p for p in same.problems())
