"""The local model store: GGUF files kept in the data folder.

(The full store with an index, import and removal comes with the model manager;
this module already answers "which file does this name mean?".)
"""

from __future__ import annotations

import os
from pathlib import Path

from llmasos.errors import ModelFileNotFound
from llmasos.foundation.paths import app_paths


def installed_models() -> list[Path]:
    """GGUF files in the store, sorted by name."""
    folder = app_paths().models
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.gguf") if p.is_file())


def resolve_model(name_or_path: str | os.PathLike[str]) -> Path:
    """Turn a path or an installed model's name into a file path.

    A name matches an installed file by its file name or stem, case-insensitively.

    Raises:
        ModelFileNotFound: neither a file nor an installed model has that name.
    """
    path = Path(name_or_path).expanduser()
    if path.exists() or path.suffix.lower() == ".gguf" or os.sep in str(name_or_path):
        return path
    wanted = str(name_or_path).lower()
    for candidate in installed_models():
        if wanted in (candidate.name.lower(), candidate.stem.lower()):
            return candidate
    raise ModelFileNotFound(
        f"No model file or installed model is called '{name_or_path}'. Give the path of a "
        f".gguf file, or put the file in {app_paths().models}."
    )
