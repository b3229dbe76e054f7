"""``llmasos ocr IMAGE`` (see the README for the interface).

Recognizes the Chinese and English text in an image file (``-``: the image's bytes on
stdin) offline and prints it, one row a line in reading order. ``--json`` prints one
object instead: ``text``, ``width``, ``height``, ``elapsed_ms`` and ``lines`` (each with
``text``, ``box``: four [x, y] corners clockwise from the top left, and ``confidence``).
Needs the OCR extra (``pip install 'llmasos[ocr]'``); without it the error says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``ocr`` command to the top-level parser's subparsers."""
    p = subparsers.add_parser(
        "ocr",
        help="print the text in an image (Chinese and English, offline)",
        description="Recognize the text in an image (PNG, JPEG, BMP, GIF, WebP) offline "
        "and print it in reading order. Needs: pip install 'llmasos[ocr]'.",
    )
    p.add_argument("image", metavar="IMAGE", help="the image file ('-': read it from stdin)")
    p.add_argument("--json", action="store_true", help="print one JSON object with each line's box")
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="C",
        help="leave out lines recognized with less confidence than C (0-1; default 0)",
    )
    p.set_defaults(func=_cmd_ocr)


def _cmd_ocr(args: argparse.Namespace) -> int:
    from llmasos.services.everywhere.ocr import shared_engine

    image: bytes | Path = sys.stdin.buffer.read() if args.image == "-" else Path(args.image)
    result = shared_engine().read(image).confident(args.min_confidence)
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif result.text:
        sys.stdout.write(result.text + "\n")
    else:
        print("warning: no text found in the image", file=sys.stderr)
    return 0
