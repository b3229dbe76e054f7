"""``llmasos write`` (see the README for the interface)."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``write`` command to the top-level parser's subparsers."""
