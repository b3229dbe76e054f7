"""``llmasos do ACTION``: ask the running app to act on the selected text.

The app reads the selection (PRIMARY on X11) itself and shows the answer in its popup
(``ask``: the Ask box; ``ocr``: pick a screen region and show its text; ``ocr-translate``:
pick one and translate its text). When no app runs, this command starts one (detached: it
keeps running after the command ends) and hands the request over once it listens; it says so
clearly when the app exits at start or does not listen within ``--start-timeout``.
``--no-start`` only hands over (exit 1 when no app runs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any

from llmasos.services.everywhere.protocol import ACTIONS
from llmasos.services.writing.actions import TONES

START_TIMEOUT_S = 60.0  # a cold start with a large model file can take a while to listen
POLL_S = 0.2


def register(subparsers: Any) -> None:
    """Add the ``do`` command to the top-level parser's subparsers."""
    p = subparsers.add_parser(
        "do", help="ask the app to act on the selected text (shown in a popup; starts the app)"
    )
    p.add_argument(
        "action",
        choices=ACTIONS,
        help="what to do with the selection (ocr: pick a screen region and show its text; "
        "ocr-translate: pick one and translate its text; ask: the Ask box)",
    )
    p.add_argument(
        "--to",
        default="",
        metavar="LANG",
        help="translate, ocr-translate: the target language (code or name; default English, "
        "for ocr-translate the one of Settings › Everywhere)",
    )
    p.add_argument("--tone", default="formal", choices=tuple(TONES), help="rewrite: the tone")
    p.add_argument(
        "--no-start", action="store_true", help="do not start the app when it is not running"
    )
    p.add_argument(
        "--start-timeout",
        type=float,
        default=START_TIMEOUT_S,
        metavar="S",
        help=f"seconds to wait for a started app to listen (default: {START_TIMEOUT_S:g})",
    )
    p.set_defaults(func=_cmd_do)


def start_detached() -> subprocess.Popen[bytes]:
    """Start the desktop app in its own session, detached from this terminal."""
    options: dict[str, Any] = {}
    if os.name == "nt":
        # Windows-only names (getattr: type checkers on Linux do not know them)
        detached = getattr(subprocess, "DETACHED_PROCESS", 0x8)
        options["creationflags"] = detached | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)
    else:
        options["start_new_session"] = True  # no SIGHUP when the terminal closes
    return subprocess.Popen(
        [sys.executable, "-m", "llmasos"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        **options,
    )


def start_and_send(request: dict[str, Any], timeout_s: float) -> tuple[dict[str, Any] | None, str]:
    """Start the app and send ``request`` once it listens: (reply, "") or (None, why not)."""
    from llmasos.apps.gui.everywhere.instance import send

    child = start_detached()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = child.poll()
        reply = send(request, timeout_ms=1000)
        if reply is not None:
            return reply, ""
        if status is not None and status != 0:
            return None, (
                f"LLMasOS exited at start (status {status}); run 'llmasos --debug' to see why"
            )
        time.sleep(POLL_S)
    return None, (
        f"LLMasOS did not start within {timeout_s:g} s; it may still be starting: try "
        "again in a moment, or raise --start-timeout"
    )


def _cmd_do(args: argparse.Namespace) -> int:
    from llmasos.apps.gui.everywhere.instance import send

    request = {"cmd": "do", "action": args.action, "to": args.to, "tone": args.tone}
    reply = send(request)
    if reply is None and args.no_start:
        print(
            "error: LLMasOS is not running; start it with 'llmasos', then run this again",
            file=sys.stderr,
        )
        return 1
    if reply is None:
        print("LLMasOS is not running; starting it…", file=sys.stderr)
        reply, why = start_and_send(request, args.start_timeout)
        if reply is None:
            print(f"error: {why}", file=sys.stderr)
            return 1
    if not reply.get("ok"):
        print(f"error: {reply.get('error', 'the app refused the request')}", file=sys.stderr)
        return 1
    return 0
