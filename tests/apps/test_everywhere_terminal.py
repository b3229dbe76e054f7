"""Replace into a terminal (issue 16): a real xterm and a real st on a private Xvfb.

Terminals do not paste with Ctrl+V (it types ``^V``): xterm pastes the PRIMARY selection
with Shift+Insert, st (like GNOME Terminal, Konsole, kitty…) the clipboard with
Ctrl+Shift+V. The text is selected in the terminal itself (a triple click: it owns
PRIMARY), the shortcut is pressed from there, and Replace must deliver exactly the answer
to the program running in the terminal (a ``cat`` that records its input), with the
clipboard and PRIMARY the person had put back. In xterm the focus is on its text area, a
window inside its top-level one, so the window class is found by walking up.

The same xterm under a class LLMasOS does not know gets Ctrl+V, does not paste, and the
person is told to copy the answer instead; nothing is lost there either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.xdesktop import (
    App,
    Terminal,
    popup_when,
    start_xvfb,
    state,
    wait_for,
    xclip_get,
    xclip_set,
    xdotool,
)

CLIPBOARD = "the person's clipboard, not the terminal's: café 🙂".encode()
LINE = "Good morning. The weather is nice today."


@pytest.fixture
def xvfb(llmasos_home: Path) -> Iterator[dict[str, str]]:
    with start_xvfb(llmasos_home) as env:
        yield env


def _select_and_ask(env: dict[str, str], term: Terminal) -> tuple[bytes, dict[str, Any]]:
    """Select the terminal's first line, improve it with the shortcut; PRIMARY then,
    the answer."""
    xdotool(env, "mousemove", "--window", str(term.window), "30", "8")
    xdotool(env, "click", "--repeat", "3", "--delay", "80", "1")  # the whole line
    primary = wait_for(
        lambda: (p := xclip_get(env, "primary")).startswith(LINE.encode()) and p,
        10,
        "the terminal's selection",
    )
    xdotool(env, "windowfocus", "--sync", str(term.text_area))
    xdotool(env, "key", "ctrl+alt+w")
    s = popup_when(
        lambda p: p.get("visible") and p["action"] == "proofread" and p["can_replace"],
        180,
        "the answer",
    )
    assert s["popup"]["source"].strip() == LINE and s["source_window"] == term.text_area
    assert s["popup"]["answer"], s["popup"]
    return primary, s


@pytest.mark.real_model
@pytest.mark.parametrize("program", ["xterm", "st"], ids=["shift-insert", "ctrl-shift-v"])
def test_replace_pastes_into_a_terminal_with_its_keys(
    xvfb: dict[str, str], smollm2_path: Path, tmp_path: Path, program: str
) -> None:
    xclip_set(xvfb, "clipboard", CLIPBOARD)
    app = App(xvfb, "--model", str(smollm2_path))
    term = Terminal(xvfb, tmp_path, LINE, (program,))
    try:
        wait_for(lambda: (s := state()) and s["model"], 90, "the model to load")
        primary, s = _select_and_ask(xvfb, term)
        answer = s["popup"]["answer"]

        xdotool(xvfb, "key", "ctrl+Return")  # Replace, typed into the popup
        s = wait_for(lambda: (x := state()) and x["replace"] and x, 30, "the replace")
        assert s["replace"] == {"ok": True, "message": ""}
        expected = answer.encode()
        wait_for(lambda: term.received() == expected, 10, f"{program} to pass on {answer!r}")
        wait_for(lambda: xclip_get(xvfb, "clipboard") == CLIPBOARD, 10, "the clipboard back")
        wait_for(lambda: xclip_get(xvfb, "primary") == primary, 10, "the selection back")
        assert term.received() == expected  # nothing more arrived (no stray ^V)
    finally:
        term.stop()
        app.clean_up()


@pytest.mark.real_model
def test_an_unknown_terminal_is_told_to_copy_and_keeps_the_clipboard(
    xvfb: dict[str, str], smollm2_path: Path, tmp_path: Path
) -> None:
    xclip_set(xvfb, "clipboard", CLIPBOARD)
    app = App(xvfb, "--model", str(smollm2_path))
    term = Terminal(xvfb, tmp_path, LINE, ("xterm", "-name", "someterm", "-class", "SomeTerm"))
    try:
        wait_for(lambda: (s := state()) and s["model"], 90, "the model to load")
        primary, _ = _select_and_ask(xvfb, term)

        xdotool(xvfb, "key", "ctrl+Return")
        s = wait_for(lambda: (x := state()) and x["replace"] and x, 30, "the replace")
        assert s["replace"]["ok"] is False
        message = s["replace"]["message"]
        assert "did not take the text" in message and "Ctrl+V" in message
        assert "Copy the answer and paste it by hand" in message
        assert term.received() == b"\x16"  # Ctrl+V reached it as a control character
        wait_for(lambda: xclip_get(xvfb, "clipboard") == CLIPBOARD, 10, "the clipboard back")
        assert xclip_get(xvfb, "primary") == primary  # never touched on this path
    finally:
        term.stop()
        app.clean_up()
