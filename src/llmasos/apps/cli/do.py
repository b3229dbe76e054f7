"""``llmasos do ACTION``: ask the running app to act on the selected text.

The app reads the selection (PRIMARY on X11) itself and shows the answer in its popup;
this command only hands the request over (exit 0) or says that no app runs (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from llmasos.services.everywhere.protocol import ACTIONS
from llmasos.services.writing.actions import TONES


def register(subparsers: Any) -> None:
    """Add the ``do`` command to the top-level parser's subparsers."""
    p = subparsers.add_parser(
        "do", help="ask the running app to act on the selected text (shown in a popup)"
    )
    p.add_argument("action", choices=ACTIONS, help="what to do with the selection")
    p.add_argument(
        "--to",
        default="",
        metavar="LANG",
        help="translate: the target language (code or name; default English)",
    )
    p.add_argument("--tone", default="formal", choices=tuple(TONES), help="rewrite: the tone")
    p.set_defaults(func=_cmd_do)


def _cmd_do(args: argparse.Namespace) -> int:
    from llmasos.apps.gui.everywhere.instance import send

    request = {"cmd": "do", "action": args.action, "to": args.to, "tone": args.tone}
    reply = send(request)
    if reply is None:
        print(
            "error: LLMasOS is not running; start it with 'llmasos', then run this again",
            file=sys.stderr,
        )
        return 1
    if not reply.get("ok"):
        print(f"error: {reply.get('error', 'the app refused the request')}", file=sys.stderr)
        return 1
    return 0
