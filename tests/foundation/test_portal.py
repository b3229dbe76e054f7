"""The desktop portal client (foundation/platform/portal.py) on a real bus: a real
``dbus-daemon`` started by the test, and a portal in its own process on it.

The portal is ``tests/helpers/fake_portal.py``, written from the portal specification,
not Debian's xdg-desktop-portal: no backend that implements GlobalShortcuts runs headless
here (fake_portal.py's docstring says why). What is real: the bus, the wire format,
the Request/Response round trips, the unicast signals, the errors. No Qt.
"""

from __future__ import annotations

import os
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.dbus_session import FakePortal, session_bus
from llmasos.errors import PortalError
from llmasos.foundation.platform.hotkeys import parse_hotkey
from llmasos.foundation.platform.portal import (
    CANCELLED,
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
    preferred_trigger,
    remove_fresh_screenshot,
    request_path,
    screenshot_file,
    session_bus_address,
    session_handle,
    take_screenshot,
)


@pytest.fixture
def bus() -> Iterator[str]:
    with session_bus() as address:
        yield address


def wait_response(portal: DesktopPortal, request: str, timeout_s: float = 10) -> Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in portal.events(timeout_s=0.5):
            if isinstance(event, Response) and event.request == request:
                return event
    raise AssertionError(f"no Response for {request}")


def wait_activated(portal: DesktopPortal, timeout_s: float = 10) -> Activated:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [e for e in portal.events(timeout_s=0.5) if isinstance(e, Activated)]
        if found:
            return found[0]
    raise AssertionError("no Activated signal")


def open_session(portal: DesktopPortal) -> str:
    response = wait_response(portal, create_shortcuts_session(portal))
    assert response.is_success
    return session_handle(response)


SHORTCUTS_WANTED = [
    Shortcut("translate", "Translate selection", parse_hotkey("Ctrl+Alt+T")),
    Shortcut("ask", "Ask box", parse_hotkey("Ctrl+Alt+Space")),
]


def test_paths_tokens_and_triggers_follow_the_spec() -> None:
    assert request_path(":1.42", "tok_1") == "/org/freedesktop/portal/desktop/request/1_42/tok_1"
    assert preferred_trigger(parse_hotkey("Ctrl+Alt+T")) == "CTRL+ALT+t"
    assert preferred_trigger(parse_hotkey("Shift+Meta+Space")) == "SHIFT+LOGO+space"
    assert session_bus_address({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}) == "unix:path=/x"
    with pytest.raises(PortalError, match="no D-Bus session bus"):
        session_bus_address({})


def test_versions_of_the_offered_interfaces_and_none_without_a_portal(bus: str) -> None:
    portal = DesktopPortal(bus)
    try:
        assert portal.version(SHORTCUTS) == 0  # nobody owns the portal's name yet
        fake = FakePortal(bus, "--without", "GlobalShortcuts")
        try:
            assert portal.version(SHORTCUTS) == 0  # the portal runs, without the interface
            assert portal.version(SCREENSHOT) == 2
        finally:
            fake.stop()
    finally:
        portal.close()


def test_binding_then_a_press_in_any_program_reaches_us(bus: str) -> None:
    fake = FakePortal(bus)
    portal = DesktopPortal(bus)
    try:
        assert portal.version(SHORTCUTS) == 1
        session = open_session(portal)
        assert fake.next_call() == {
            "call": "CreateSession",
            "options": ["handle_token", "session_handle_token"],
        }
        assert session.startswith("/org/freedesktop/portal/desktop/session/")
        request = bind_shortcuts(portal, session, SHORTCUTS_WANTED)
        assert request.startswith(request_path(portal.unique_name, "llmasos_"))
        response = wait_response(portal, request)
        call = fake.next_call()
        assert call["known"] and call["session"] == session
        assert call["shortcuts"] == [
            [
                "translate",
                {"description": "Translate selection", "preferred_trigger": "CTRL+ALT+t"},
            ],
            ["ask", {"description": "Ask box", "preferred_trigger": "CTRL+ALT+space"}],
        ]
        assert bound_shortcuts(response) == [
            BoundShortcut("translate", "Translate selection", "Ctrl+Alt+T"),
            BoundShortcut("ask", "Ask box", "Ctrl+Alt+space"),
        ]
        fake.command("activate translate")
        assert fake.next_call() == {"activated": "translate", "sessions": 1}
        pressed = wait_activated(portal)
        assert (pressed.session, pressed.shortcut_id) == (session, "translate")
        portal.close_session(session)
        assert fake.next_call() == {"call": "Close", "session": session}
    finally:
        portal.close()
        fake.stop()


def test_the_person_refusing_is_response_code_1(bus: str) -> None:
    fake = FakePortal(bus, "--bind", "ask")
    portal = DesktopPortal(bus)
    try:
        session = open_session(portal)
        request = bind_shortcuts(portal, session, SHORTCUTS_WANTED)
        assert portal.events(timeout_s=0.3) == []  # the dialog is open: no answer yet
        fake.command("refuse")
        response = wait_response(portal, request)
        assert response.code == CANCELLED and not response.is_success
        assert bound_shortcuts(response) == []
    finally:
        portal.close()
        fake.stop()


def _png(path: Path) -> Path:
    raw = b"".join(b"\0" + b"\xff\x00\x00" * 4 for _ in range(3))  # 4x3 red
    chunk = lambda kind, data: (  # noqa: E731
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    )
    ihdr = struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def test_screenshot_answers_with_a_file_uri(bus: str, tmp_path: Path) -> None:
    picture = _png(tmp_path / "Screenshot from today 1.png")  # a space: the URI escapes it
    fake = FakePortal(bus, "--screenshot", str(picture))
    portal = DesktopPortal(bus)
    try:
        response = wait_response(portal, take_screenshot(portal))
        assert fake.next_call() == {
            "call": "Screenshot",
            "options": {
                "handle_token": response.request.rsplit("/", 1)[1],
                "interactive": True,
                "modal": True,
            },
        }
        assert screenshot_file(response) == picture
        with pytest.raises(PortalError, match="not a local file"):
            screenshot_file(Response(response.request, 0, {"uri": "https://example.org/x.png"}))
    finally:
        portal.close()
        fake.stop()


def _after(path: Path) -> int:
    """A request time after ``path`` was written (past the file clock's coarseness)."""
    time.sleep(0.05)
    return time.time_ns()


def _before() -> int:
    """A request time before the file written next."""
    asked = time.time_ns()
    time.sleep(0.05)
    return asked


def test_only_a_screenshot_made_after_the_request_is_removed(tmp_path: Path) -> None:
    asked = _before()
    fresh = _png(tmp_path / "Screenshot from now.png")
    assert remove_fresh_screenshot(fresh, asked) and not fresh.exists()

    had = _png(tmp_path / "Screenshot the person had.png")
    assert not remove_fresh_screenshot(had, _after(had)) and had.exists()
    assert not remove_fresh_screenshot(tmp_path / "gone.png", 0)  # nothing to remove


def test_an_old_picture_changed_after_the_request_is_kept(tmp_path: Path) -> None:
    old = _png(tmp_path / "holiday.png")
    asked = _after(old)
    time.sleep(0.05)  # past the file clock's coarseness
    os.chmod(old, 0o600)  # its inode changed after the request, its content did not
    assert old.stat().st_ctime_ns >= asked
    assert not remove_fresh_screenshot(old, asked) and old.exists()


def test_links_and_files_with_other_names_are_kept(tmp_path: Path) -> None:
    asked = _before()
    target = _png(tmp_path / "target.png")
    link = tmp_path / "Screenshot link.png"
    link.symlink_to(target)
    assert not remove_fresh_screenshot(link, asked)
    assert link.is_symlink() and target.exists()
    second = tmp_path / "second name.png"
    os.link(target, second)  # the same file under another name the person may use
    assert not remove_fresh_screenshot(second, asked) and second.exists()
    assert not remove_fresh_screenshot(tmp_path, asked) and tmp_path.is_dir()  # a folder


def test_no_bus_is_a_portal_error(tmp_path: Path) -> None:
    with pytest.raises(PortalError, match="Cannot connect"):
        DesktopPortal(f"unix:path={tmp_path / 'no-bus'}")
