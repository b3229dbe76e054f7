"""The probe's memory: which configuration ran which file, in ``probe.json`` in the cache.

One small JSON object, replaced atomically on every write, newest entries kept. A lost
or unreadable file only costs a repeat probe, so errors here are logged, never raised.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from llmasos.foundation.platform.paths import app_paths

log = logging.getLogger(__name__)

CACHE_FILE = "probe.json"
_MAX_ENTRIES = 256


class ProbeCache:
    """Verdicts by cache key: ``{"extra_bufts": bool, "gpu": bool, "t": seconds}``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or app_paths().cache / CACHE_FILE

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("ignoring unreadable probe cache %s", self.path, exc_info=True)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)}

    def get(self, key: str) -> dict[str, Any] | None:
        return self.load().get(key)

    def put(self, key: str, verdict: dict[str, Any]) -> None:
        """Remember ``verdict`` under ``key``, replacing the file atomically."""
        entries = self.load()
        entries[key] = {**verdict, "t": time.time()}
        newest = dict(
            sorted(entries.items(), key=lambda kv: float(kv[1].get("t", 0)))[-_MAX_ENTRIES:]
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".probe-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(newest, f, indent=0)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            # Only costs a repeat probe next time; not worth failing the load for.
            log.warning("could not write probe cache %s", self.path, exc_info=True)


__all__ = ["CACHE_FILE", "ProbeCache"]
