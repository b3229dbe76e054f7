"""The ``llmasos`` command line.

``llmasos`` alone opens the app. Subcommands print to stdout; every failure ends
with exit status 1 and one ``error: …`` line on stderr (``--debug`` adds the
traceback). The commands and their ``--json`` output are a stable interface,
documented in the README.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from llmasos import __version__
from llmasos.errors import LLMasOSError

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the README and tests)."""
    parser = argparse.ArgumentParser(
        prog="llmasos",
        description="LLMasOS: offline chat, writing help and translation on a local model. "
        "Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"llmasos {__version__}")
    parser.add_argument("--debug", action="store_true", help="log to stderr, show tracebacks")
    parser.add_argument(
        "--model", dest="gui_model", metavar="PATH", help="(app) open with this model loaded"
    )
    sub = parser.add_subparsers(dest="command")
    from llmasos.apps.cli import ask as cli_ask
    from llmasos.apps.cli import chat as cli_chat
    from llmasos.apps.cli import do as cli_do
    from llmasos.apps.cli import docs as cli_docs
    from llmasos.apps.cli import models as cli_models
    from llmasos.apps.cli import ocr as cli_ocr
    from llmasos.apps.cli import serve as cli_serve
    from llmasos.apps.cli import translate as cli_translate
    from llmasos.apps.cli import write as cli_write

    for module in (
        cli_chat, cli_models, cli_write, cli_translate, cli_serve, cli_do, cli_docs, cli_ask,
        cli_ocr,
    ):  # fmt: skip
        module.register(sub)
    return parser


def _open_app(args: argparse.Namespace) -> int:
    from llmasos.apps.gui.shell.main import run_app

    return run_app(model=Path(args.gui_model) if args.gui_model else None)


def _setup_logging(debug: bool) -> None:
    """Log to stderr: everything with ``--debug``, otherwise errors only.

    The level is set on the handler too, not only on the root logger: records of
    loggers with a level of their own (the app's ``llmasos`` when it runs the window,
    huggingface_hub's) reach the root's handlers whatever the root's level is. Like
    ``logging.basicConfig``, nothing changes where the root already has a handler.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    level = logging.DEBUG if debug else logging.ERROR
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``llmasos`` and ``python -m llmasos``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.debug)
    handler: Handler = getattr(args, "func", _open_app)
    try:
        return handler(args)
    except LLMasOSError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details "
            "and report it)",
            file=sys.stderr,
        )
        return 1
