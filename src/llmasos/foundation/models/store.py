"""The local model store: GGUF files kept in the data folder, and their index.

The index (``<data>/models.json``) holds each installed model's metadata as read
by :func:`~llmasos.foundation.gguf.file.read_model_info`, where it came from, its
verified SHA-256 when known, and the default model. The folder is the truth:
:meth:`ModelStore.rescan` notices files added or removed by hand and brings the
index in line. All parts of a split model are one entry, named by the first part.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from llmasos.errors import (
    DiskFullError,
    LLMasOSError,
    ModelExistsError,
    ModelFileError,
    ModelFileNotFound,
    ModelStoreError,
)
from llmasos.foundation.hub.types import split_info
from llmasos.foundation.platform.paths import app_paths

log = logging.getLogger(__name__)

INDEX_VERSION = 1
ImportMode = Literal["copy", "hardlink", "symlink"]
_CHUNK = 1 << 20


@dataclass(frozen=True)
class InstalledModel:
    """One model in the store. Plain data, safe to pass between threads."""

    name: str  # file name (first part's for a split model), unique in the store
    path: Path
    size: int  # bytes of all parts
    mtime: float
    source: str  # "hf:owner/repo", "import:/original/path" or "manual"
    sha256: str | None = None  # verified digest of the (first) file, when known
    parts: tuple[str, ...] = ()  # further parts of a split model
    architecture: str | None = None
    quantization: str | None = None
    parameter_count: int | None = None
    context_length: int | None = None
    problem: str | None = None  # why the file cannot be used, when it cannot
    added_at: float = field(default_factory=time.time)

    @property
    def is_usable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class ScanResult:
    """What :meth:`ModelStore.rescan` found changed in the folder."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


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


def _describe(path: Path, base: InstalledModel) -> InstalledModel:
    """Fill ``base`` with what the file's header says (or why it cannot be read)."""
    try:
        from llmasos.foundation.gguf.file import read_model_info

        info = read_model_info(path)
    except ModelFileError as exc:
        return replace(base, problem=str(exc))
    return replace(
        base,
        architecture=info.architecture,
        quantization=info.quantization,
        parameter_count=info.parameter_count,
        context_length=info.context_length,
        problem=None,
    )


def _to_json(model: InstalledModel) -> dict[str, Any]:
    data = asdict(model)
    data["path"] = str(model.path)
    data["parts"] = list(model.parts)
    return data


def _from_json(data: dict[str, Any]) -> InstalledModel:
    known = set(InstalledModel.__dataclass_fields__)
    kept = {k: v for k, v in data.items() if k in known}
    kept["path"] = Path(kept["path"])
    kept["parts"] = tuple(kept.get("parts", ()))
    return InstalledModel(**kept)


def _sha256_copy(src: Path, dst: Path) -> str:
    """Copy ``src`` to ``dst`` in chunks, returning the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()
    with src.open("rb") as fin, dst.open("wb") as fout:
        for block in iter(lambda: fin.read(_CHUNK), b""):
            digest.update(block)
            fout.write(block)
    return digest.hexdigest()


class ModelStore:
    """The installed models and their index. Methods are safe to call from any thread.

    Args:
        folder: The models folder; default ``app_paths().models``.
        index_path: The index file; default ``<data>/models.json``.
    """

    def __init__(self, folder: Path | None = None, index_path: Path | None = None) -> None:
        paths = app_paths()
        self.folder = folder or paths.models
        self.index_path = index_path or paths.data / "models.json"
        self._lock = threading.RLock()

    # -- index file -------------------------------------------------------------------------
    def _load(self) -> tuple[dict[str, InstalledModel], str | None]:
        try:
            raw = json.loads(self.index_path.read_text(encoding="utf-8"))
            models = {m["name"]: _from_json(m) for m in raw.get("models", [])}
            return models, raw.get("default")
        except FileNotFoundError:
            return {}, None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("model index %s unreadable (%s); rebuilding it", self.index_path, exc)
            return {}, None

    def _save(self, models: dict[str, InstalledModel], default: str | None) -> None:
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": INDEX_VERSION,
            "default": default,
            "models": [_to_json(m) for m in sorted(models.values(), key=lambda m: m.name)],
        }
        tmp = self.index_path.with_name(self.index_path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.index_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFullError(
                    f"Cannot save the model list in {self.index_path.parent}: "
                    "the disk is full. Free some space and try again."
                ) from exc
            raise ModelStoreError(
                f"Cannot save the model list at {self.index_path} "
                f"({exc.strerror or exc}). Check the folder's permissions."
            ) from exc

    # -- folder scan ------------------------------------------------------------------------
    def _on_disk(self) -> dict[str, tuple[Path, tuple[str, ...]]]:
        """Model files in the folder: name → (first file, further part names)."""
        if not self.folder.is_dir():
            return {}
        files = sorted(
            p
            for p in self.folder.iterdir()
            if p.suffix.lower() == ".gguf" and p.is_file() and not p.name.startswith(".")
        )
        found: dict[str, tuple[Path, tuple[str, ...]]] = {}
        by_name = {p.name for p in files}
        for p in files:
            split = split_info(p.name)
            if split is None:
                found[p.name] = (p, ())
            elif split[1] == 1:
                base, _, count = split
                rest = tuple(f"{base}-{i:05d}-of-{count:05d}.gguf" for i in range(2, count + 1))
                found[p.name] = (p, tuple(r for r in rest if r in by_name))
        return found

    def rescan(self) -> ScanResult:
        """Bring the index in line with the folder (files added or removed by hand)."""
        with self._lock:
            models, default = self._load()
            disk = self._on_disk()
            removed = tuple(sorted(set(models) - set(disk)))
            added: list[str] = []
            changed: list[str] = []
            for name, (path, parts) in disk.items():
                size = path.stat().st_size + sum((self.folder / q).stat().st_size for q in parts)
                mtime = path.stat().st_mtime
                old = models.get(name)
                if old is not None and (old.size, old.mtime, old.parts) == (size, mtime, parts):
                    continue
                (changed if old else added).append(name)
                base = old or InstalledModel(name, path, size, mtime, "manual")
                base = replace(base, path=path, size=size, mtime=mtime, parts=parts, sha256=None)
                models[name] = _describe(path, base)
            for name in removed:
                del models[name]
            self._save(models, default if default in models else None)
            if added or removed or changed:
                log.info("store rescan: +%s -%s ~%s", added, removed, changed)
            return ScanResult(tuple(added), removed, tuple(changed))

    # -- queries ----------------------------------------------------------------------------
    def models(self) -> list[InstalledModel]:
        """Installed models, sorted by name (rescans the folder first)."""
        with self._lock:
            self.rescan()
            models, _ = self._load()
            return sorted(models.values(), key=lambda m: m.name.lower())

    def get(self, name: str) -> InstalledModel:
        """The installed model called ``name`` (file name or stem, any case).

        Raises:
            ModelFileNotFound: No installed model has that name.
        """
        wanted = name.lower()
        for model in self.models():
            if wanted in (model.name.lower(), Path(model.name).stem.lower()):
                return model
        raise ModelFileNotFound(
            f"No installed model is called '{name}'. 'llmasos models list' shows the "
            "installed ones."
        )

    def default(self) -> InstalledModel | None:
        """The default model, if one is set and still installed."""
        with self._lock:
            self.rescan()
            models, default = self._load()
            return models.get(default) if default else None

    # -- changes ----------------------------------------------------------------------------
    def set_default(self, name: str) -> InstalledModel:
        """Make ``name`` the model the app loads at start."""
        with self._lock:
            model = self.get(name)
            models, _ = self._load()
            self._save(models, model.name)
            return model

    def register(self, path: Path, *, source: str, sha256: str | None = None) -> InstalledModel:
        """Record a file that is already in the folder (e.g. a finished download)."""
        with self._lock:
            self.rescan()
            models, default = self._load()
            model = models.get(path.name)
            if model is None:
                raise ModelFileNotFound(f"{path} is not in the models folder {self.folder}.")
            model = replace(model, source=source, sha256=sha256 or model.sha256)
            models[model.name] = model
            self._save(models, default)
            return model

    def import_file(self, source: Path, *, mode: ImportMode = "copy") -> InstalledModel:
        """Validate a local .gguf file, then copy or link it into the store.

        Raises:
            ModelFileError: The file is not a usable GGUF model (nothing is copied).
            ModelExistsError: A model with that file name is already installed.
        """
        source = Path(source).expanduser().resolve()
        from llmasos.foundation.gguf.file import read_model_info

        read_model_info(source)  # raises a ModelFileError subclass with a helpful message
        target = self.folder / source.name
        if target.exists() or target.is_symlink():
            raise ModelExistsError(
                f"A model called '{source.name}' is already installed. "
                "Remove it first, or rename the file you are importing."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        sha = self._place(source, target, mode)
        return self.register(target, source=f"import:{source}", sha256=sha)

    def _place(self, source: Path, target: Path, mode: ImportMode) -> str | None:
        if mode == "symlink":
            target.symlink_to(source)
            return None
        if mode == "hardlink":
            try:
                os.link(source, target)
                return None
            except OSError as exc:
                log.info("hard link failed (%s); copying %s instead", exc, source.name)
        tmp = self.folder / f".{target.name}.importing"
        try:
            sha = _sha256_copy(source, tmp)
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise LLMasOSError(
                f"Copying {source} into {self.folder} failed ({exc}). Check "
                "free space and permissions."
            ) from exc
        return sha

    def remove(self, name: str) -> InstalledModel:
        """Delete an installed model's files (a linked model's link only) from the store."""
        with self._lock:
            model = self.get(name)
            for file_name in (model.name, *model.parts):
                (self.folder / file_name).unlink(missing_ok=True)
            self.rescan()
            log.info("removed model %s", model.name)
            return model
