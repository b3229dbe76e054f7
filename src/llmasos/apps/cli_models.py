"""``llmasos models …`` commands of the model manager (list, search, files, download, …)."""

from __future__ import annotations

from typing import Any


def register(models_subparsers: Any) -> None:
    """Add the model-manager subcommands to ``llmasos models``."""
