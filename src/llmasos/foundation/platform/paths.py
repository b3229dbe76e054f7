"""Where LLMasOS keeps its files.

platformdirs picks the usual per-user folders. Setting ``LLMASOS_HOME`` moves all
of them under one folder (portable installs, tests).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from llmasos.records import record

APP_NAME = "LLMasOS"
HOME_ENV = "LLMASOS_HOME"


@record
class AppPaths:
    """The four folders the app writes to."""

    data: Path
    config: Path
    cache: Path
    logs: Path

    @property
    def models(self) -> Path:
        """Folder of installed model files."""
        return self.data / "models"

    def ensure(self) -> AppPaths:
        """Create the folders if missing and return self."""
        for folder in (self.data, self.config, self.cache, self.logs, self.models):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """Return the app's folders, honouring ``LLMASOS_HOME`` when it is set."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser()
        return AppPaths(root / "data", root / "config", root / "cache", root / "logs")
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return AppPaths(
        Path(dirs.user_data_dir),
        Path(dirs.user_config_dir),
        Path(dirs.user_cache_dir),
        Path(dirs.user_log_dir),
    )
