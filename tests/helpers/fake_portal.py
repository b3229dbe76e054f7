"""A small desktop portal for the tests: ``org.freedesktop.portal.Desktop`` on a private bus.

Why not the real one: Debian's xdg-desktop-portal (1.16) forwards GlobalShortcuts and
Screenshot to a desktop backend; of those packaged, only the KDE backend implements
GlobalShortcuts, and it needs a running Plasma session (kglobalaccel, KWin); the wlroots
backend has no GlobalShortcuts and its screenshots need a wlroots compositor; the GNOME
one needs GNOME Shell. None runs headless here in reasonable time, so this program
plays the portal, written from the portal specification (flatpak.github.io/xdg-desktop-
portal, the interfaces GlobalShortcuts v1 and Screenshot v2, the Request and Session
objects), with the same method signatures, request object paths, unicast Response and
Activated signals, and GDBus's error for an interface it does not offer.

Run: ``fake_portal.py [--without IFACE]... [--bind approve|refuse|ask]
[--screenshot FILE|refuse [--fresh-in DIR]]`` with ``DBUS_SESSION_BUS_ADDRESS`` set. With
``--fresh-in``, each screenshot is saved as a desktop does: a new file in DIR (a copy of
FILE, written once "the person has picked the region", a moment after the call), whose
path the report of the call gives as ``saved``. It prints JSON lines:
``{"ready": true}``, then one per call it answers (``{"call": "BindShortcuts", …}``).
Commands on its input, one a line: ``activate ID`` (press a bound shortcut), ``approve``
or ``refuse`` (the person's answer to a pending ``--bind ask`` dialog).
"""

from __future__ import annotations

import argparse
import json
import selectors
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    Message,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from llmasos.foundation.platform.portal import escaped_sender

NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
VERSIONS = {"org.freedesktop.portal.GlobalShortcuts": 1, "org.freedesktop.portal.Screenshot": 2}


def report(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def plain(options: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    return {k: v for k, (_sig, v) in options.items()}


def pretty(trigger: str) -> str:
    """How a desktop might describe ``CTRL+ALT+t`` in its dialog: ``Ctrl+Alt+T``."""
    names = {"CTRL": "Ctrl", "ALT": "Alt", "SHIFT": "Shift", "LOGO": "Meta"}
    *mods, key = trigger.split("+")
    return "+".join([*(names.get(m, m) for m in mods), key.upper() if len(key) == 1 else key])


class Portal:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.offered = {
            i: v for i, v in VERSIONS.items() if i.rsplit(".", 1)[1] not in args.without
        }
        self.conn = open_dbus_connection("SESSION")
        reply = self.conn.send_and_get_reply(message_bus.RequestName(NAME, 4))  # DO_NOT_QUEUE
        assert reply.body == (1,), reply.body  # primary owner
        self.sessions: dict[str, str] = {}  # session path -> owner's unique name
        self.pending_bind: tuple[str, str, list[Any]] | None = None

    # -- the Request pattern --------------------------------------------------------
    def request(self, msg: Message, options: dict[str, Any]) -> tuple[str, str]:
        sender = msg.header.fields[HeaderFields.sender]
        token = plain(options).get("handle_token", f"t{time.monotonic_ns()}")
        path = f"{PATH}/request/{escaped_sender(sender)}/{token}"
        self.conn.send(new_method_return(msg, "o", (path,)))  # the call returns at once…
        return sender, path

    def respond(self, sender: str, path: str, code: int, results: dict[str, Any]) -> None:
        # …and the answer comes later, as the request object's signal, to the caller only
        signal = new_signal(
            DBusAddress(path, interface="org.freedesktop.portal.Request"),
            "Response",
            "ua{sv}",
            (code, results),
        )
        signal.header.fields[HeaderFields.destination] = sender
        self.conn.send(signal)

    # -- methods ------------------------------------------------------------------
    def handle(self, msg: Message) -> None:
        fields = msg.header.fields
        iface, member = fields.get(HeaderFields.interface), fields.get(HeaderFields.member)
        if msg.header.message_type is not MessageType.method_call:
            return
        if iface == "org.freedesktop.DBus.Properties" and member == "Get":
            interface, prop = msg.body
            if interface in self.offered and prop == "version":
                self.conn.send(new_method_return(msg, "v", (("u", self.offered[interface]),)))
            else:  # what GDBus answers for an interface the object does not export
                self.conn.send(
                    new_error(
                        msg,
                        "org.freedesktop.DBus.Error.InvalidArgs",
                        "s",
                        (f"No such interface '{interface}'",),
                    )
                )
            return
        if iface not in self.offered and iface != "org.freedesktop.portal.Session":
            self.conn.send(
                new_error(
                    msg,
                    "org.freedesktop.DBus.Error.UnknownMethod",
                    "s",
                    (f"No such interface '{iface}'",),
                )
            )
            return
        getattr(self, f"do_{member}")(msg)

    def do_CreateSession(self, msg: Message) -> None:
        (options,) = msg.body
        sender, path = self.request(msg, options)
        token = plain(options)["session_handle_token"]
        session = f"{PATH}/session/{escaped_sender(sender)}/{token}"
        self.sessions[session] = sender
        report(call="CreateSession", options=sorted(plain(options)))
        self.respond(sender, path, 0, {"session_handle": ("s", session)})

    def do_BindShortcuts(self, msg: Message) -> None:
        session, shortcuts, parent, options = msg.body
        sender, path = self.request(msg, options)
        wire = [[sid, plain(props)] for sid, props in shortcuts]
        report(
            call="BindShortcuts",
            session=session,
            known=session in self.sessions,
            shortcuts=wire,
            parent=parent,
        )
        self.pending_bind = (sender, path, wire)
        if self.args.bind != "ask":
            self.decide(self.args.bind)

    def decide(self, answer: str) -> None:
        assert self.pending_bind is not None, "no dialog is open"
        sender, path, wire = self.pending_bind
        self.pending_bind = None
        if answer == "refuse":  # the person closed the dialog
            self.respond(sender, path, 1, {})
            return
        bound = [
            (
                sid,
                {
                    "description": ("s", props["description"]),
                    "trigger_description": ("s", pretty(props.get("preferred_trigger", ""))),
                },
            )
            for sid, props in wire
        ]
        self.respond(sender, path, 0, {"shortcuts": ("a(sa{sv})", bound)})

    def do_Screenshot(self, msg: Message) -> None:
        _parent, options = msg.body
        sender, path = self.request(msg, options)
        if self.args.screenshot == "refuse":
            report(call="Screenshot", options=plain(options))
            self.respond(sender, path, 1, {})
            return
        picture = Path(self.args.screenshot).resolve()
        if self.args.fresh_in:
            time.sleep(0.2)  # the person picks the region in the desktop's tool
            saved = Path(self.args.fresh_in) / f"Screenshot from {time.time_ns()}.png"
            shutil.copyfile(picture, saved)
            report(call="Screenshot", options=plain(options), saved=str(saved))
            picture = saved
        else:
            report(call="Screenshot", options=plain(options))
        self.respond(sender, path, 0, {"uri": ("s", picture.as_uri())})

    def do_Close(self, msg: Message) -> None:  # org.freedesktop.portal.Session
        session = msg.header.fields[HeaderFields.path]
        self.sessions.pop(session, None)
        report(call="Close", session=session)
        if not msg.header.flags & 1:  # NO_REPLY_EXPECTED
            self.conn.send(new_method_return(msg))

    # -- commands from the test -----------------------------------------------------
    def command(self, line: str) -> None:
        word, _, arg = line.strip().partition(" ")
        if word == "activate":
            for session, owner in self.sessions.items():
                signal = new_signal(
                    DBusAddress(PATH, interface="org.freedesktop.portal.GlobalShortcuts"),
                    "Activated",
                    "osta{sv}",
                    (session, arg, int(time.time() * 1000), {}),
                )
                signal.header.fields[HeaderFields.destination] = owner
                self.conn.send(signal)
            report(activated=arg, sessions=len(self.sessions))
        elif word in ("approve", "refuse"):
            self.decide(word)
            report(decided=word)

    def serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.conn.sock, selectors.EVENT_READ, "bus")
        selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
        report(ready=True)
        while True:
            for key, _ in selector.select():
                if key.data == "stdin":
                    line = sys.stdin.readline()
                    if not line:
                        return
                    self.command(line)
                    continue
                while True:
                    try:
                        self.handle(self.conn.receive(timeout=0))
                    except TimeoutError:
                        break


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--without", action="append", default=[])
    parser.add_argument("--bind", choices=["approve", "refuse", "ask"], default="approve")
    parser.add_argument("--screenshot", default="refuse")
    parser.add_argument("--fresh-in", default="")
    Portal(parser.parse_args()).serve()


if __name__ == "__main__":
    main()
