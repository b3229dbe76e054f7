"""The local model store: GGUF files kept in the data folder, and their index.

Models are kept by where they came from, so same-named files of different origins live
side by side (as LM Studio does):

- ``<models>/<publisher>/<repository>/<file>``: a Hub download;
- ``<models>/local/<file>``: an imported file (``local/<sha256[:8]>/<file>`` when another
  imported file already has that name);
- anywhere else: a file put there by hand (found by :meth:`ModelStore.rescan`).

A model's *qualified name* is its place in the store (``publisher/repo/file.gguf``); it
is unique. Its *origin* is a stable id of what it is: ``hf:publisher/repo@revision:file``,
``file:<sha256[:16]>`` (an imported copy), ``path:/original/path`` (an imported link) or
``local:<qualified name>`` (a file added by hand). A bare file name still names a model
when only one installed model has it; otherwise :class:`AmbiguousModelName` lists the
qualified names to use.

The index (``<data>/models.json``) holds each installed model's metadata as read by
:func:`~llmasos.foundation.gguf.file.read_model_info`, its origin, its verified SHA-256
when known, and the default model. The folder is the truth: :meth:`ModelStore.rescan`
notices files added, moved or removed by hand and brings the index in line. All parts of
a split model are one entry, named by the first part.

Stores of earlier versions (every file directly in ``<models>``, index version 1) are
migrated when first opened: files are renamed into the layout above (no copy, no
download), following the origin the old index recorded. The planned moves are written
into the index before any file moves, so a migration killed midway finishes on the next
open; running it again changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from llmasos.errors import (
    AmbiguousModelName,
    DiskFullError,
    LLMasOSError,
    ModelExistsError,
    ModelFileError,
    ModelFileNotFound,
    ModelStoreError,
)
from llmasos.foundation.hub.download_parts import repo_dir
from llmasos.foundation.hub.errors import UnsafeFileNameError
from llmasos.foundation.hub.types import split_info
from llmasos.foundation.platform.paths import app_paths

log = logging.getLogger(__name__)

INDEX_VERSION = 2
LOCAL_DIR = "local"  # imported files (and, after a migration, files added by hand)
ImportMode = Literal["copy", "hardlink", "symlink"]
_CHUNK = 1 << 20
_T = TypeVar("_T")


@dataclass(frozen=True)
class InstalledModel:
    """One model in the store. Plain data, safe to pass between threads."""

    name: str  # file name (first part's for a split model); several models may share it
    path: Path
    size: int  # bytes of all parts
    mtime: float
    source: str  # "hf:owner/repo", "import:/original/path" or "manual"
    sha256: str | None = None  # verified digest of the (first) file, when known
    parts: tuple[str, ...] = ()  # further parts of a split model, beside the first
    architecture: str | None = None
    quantization: str | None = None
    parameter_count: int | None = None
    context_length: int | None = None
    problem: str | None = None  # why the file cannot be used, when it cannot
    added_at: float = field(default_factory=time.time)
    qualified_name: str = ""  # its place in the store, unique: "owner/repo/x.gguf"
    origin: str = ""  # stable id: "hf:owner/repo@main:x.gguf", "file:<sha>", "path:…", "local:…"
    repo: str | None = None  # the Hub repository it came from ("owner/repo")
    revision: str | None = None  # the revision asked for; None: the default branch
    file: str | None = None  # its path in that repository
    imported_from: str | None = None  # the file it was imported from

    @property
    def is_usable(self) -> bool:
        return self.problem is None

    @property
    def origin_label(self) -> str:
        """Where it came from, for lists: ``owner/repo``, ``imported from …``, ``added by hand``."""
        if self.repo:
            revision = f"@{self.revision}" if self.revision not in (None, "main") else ""
            return f"{self.repo}{revision}"
        if self.imported_from:
            return f"imported from {self.imported_from}"
        return "added by hand"


@dataclass(frozen=True)
class ScanResult:
    """What :meth:`ModelStore.rescan` found changed in the folder (qualified names)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


def _visible(path: Path, folder: Path) -> bool:
    """Not in a hidden folder (``.partial``) and not a hidden file."""
    return not any(part.startswith(".") for part in path.relative_to(folder).parts)


def installed_models() -> list[Path]:
    """GGUF files in the store (every folder of it), sorted by path."""
    folder = app_paths().models
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.gguf") if p.is_file() and _visible(p, folder))


def _strip_gguf(name: str) -> str:
    return name[: -len(".gguf")] if name.lower().endswith(".gguf") else name


def _choose(name: str, entries: Sequence[tuple[str, str, _T]]) -> _T | None:
    """The entry ``name`` names, from ``(qualified name, origin, item)`` triples.

    ``name`` is a qualified name or an origin id, or the end of a qualified name (a bare
    file name, ``repo/file``), with or without ``.gguf``, in any case. A model directly in
    the folder is named in full as ``./file.gguf``.

    Raises:
        AmbiguousModelName: the end of several qualified names.
    """
    wanted = name.replace("\\", "/").strip().lower()
    explicit = "/" in wanted or ":" in wanted
    wanted = wanted.removeprefix("./").strip("/")
    if not wanted:
        return None
    exact = [
        item
        for qualified, origin, item in entries
        if wanted in (qualified.lower(), _strip_gguf(qualified).lower(), origin.lower())
    ]
    if exact and explicit:
        return exact[0]
    tails = [
        (qualified, item)
        for qualified, _, item in entries
        if any(
            f"/{q}".endswith(f"/{wanted}")
            for q in (qualified.lower(), _strip_gguf(qualified).lower())
        )
    ]
    if len(tails) == 1:
        return tails[0][1]
    if tails:
        choices = tuple(sorted(q if "/" in q else f"./{q}" for q, _ in tails))
        raise AmbiguousModelName(
            f"{len(choices)} installed models are called '{name}': "
            + ", ".join(choices)
            + f". Name one of them in full, e.g. '{choices[0]}'.",
            choices,
        )
    return exact[0] if exact else None


def embedder_file(setting: str) -> Path | None:
    """The embedding model's file that the ``knowledge.embedding_model`` setting names
    (None when it names none).

    Raises:
        ModelFileNotFound: the name is neither a file nor an installed model.
        AmbiguousModelName: several installed models have that file name.
    """
    name = setting.strip()
    return resolve_model(name).resolve() if name else None


def resolve_model(name_or_path: str | os.PathLike[str]) -> Path:
    """Turn a path or an installed model's name into a file path.

    A name is an installed model's qualified name (``publisher/repo/file.gguf``), or its
    file name or stem when no other installed model has it, case-insensitively. A path
    into the models folder from before the store kept files by origin finds the file
    where it was moved.

    Raises:
        AmbiguousModelName: several installed models have that file name.
        ModelFileNotFound: neither a file nor an installed model has that name.
    """
    text = os.fspath(name_or_path)
    path = Path(text).expanduser()
    if path.exists():
        return path
    folder = app_paths().models
    entries = [(p.relative_to(folder).as_posix(), "", p) for p in installed_models()]
    found = _choose(text, entries)
    if found is None and os.path.dirname(os.path.abspath(path)) == os.path.abspath(folder):
        found = _choose(path.name, entries)  # the old flat place of a migrated model
    if found is not None:
        return found
    if path.suffix.lower() == ".gguf" or os.sep in text or "/" in text:
        return path
    raise ModelFileNotFound(
        f"No model file or installed model is called '{name_or_path}'. Give the path of a "
        f".gguf file, or put the file in {folder}."
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


def hub_origin(repo: str, revision: str | None, file: str) -> str:
    """The origin id of ``file`` of Hub repository ``repo`` at ``revision``."""
    return f"hf:{repo}@{revision or 'main'}:{file}"


def _origin_fields(
    source: str,
    qualified: str,
    sha256: str | None,
    revision: str | None = None,
    file: str | None = None,
) -> dict[str, Any]:
    """The origin fields of a model at ``qualified`` that came from ``source``."""
    name = qualified.rsplit("/", 1)[-1]
    if source.startswith("hf:") and source[3:]:
        repo, file = source[3:], file or name
        return {
            "origin": hub_origin(repo, revision, file),
            "repo": repo,
            "revision": revision,
            "file": file,
            "imported_from": None,
        }
    if source.startswith("import:"):
        original = source[len("import:") :]
        return {
            "origin": f"file:{sha256[:16]}" if sha256 else f"path:{original}",
            "repo": None,
            "revision": None,
            "file": None,
            "imported_from": original,
        }
    place = qualified.split("/")
    if len(place) >= 3 and place[0] != LOCAL_DIR:  # publisher/repo/file, put there by hand
        repo, file = "/".join(place[:2]), "/".join(place[2:])
        return {
            "origin": hub_origin(repo, None, file),
            "repo": repo,
            "revision": None,
            "file": file,
            "imported_from": None,
        }
    return {
        "origin": f"local:{qualified}",
        "repo": None,
        "revision": None,
        "file": None,
        "imported_from": None,
    }


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


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _group(folder: Path, names: list[str]) -> list[tuple[Path, tuple[str, ...]]]:
    """The models among ``names`` in ``folder``: (first file, further part names)."""
    files = sorted(
        n
        for n in names
        if n.lower().endswith(".gguf") and not n.startswith(".") and (folder / n).is_file()
    )
    present = set(files)
    found: list[tuple[Path, tuple[str, ...]]] = []
    for n in files:
        split = split_info(n)
        if split is None:
            found.append((folder / n, ()))
        elif split[1] == 1:
            base, _, count = split
            rest = tuple(f"{base}-{i:05d}-of-{count:05d}.gguf" for i in range(2, count + 1))
            found.append((folder / n, tuple(r for r in rest if r in present)))
    return found


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

    # -- places -----------------------------------------------------------------------------
    def qualified_name(self, path: Path) -> str | None:
        """``path``'s place in the store (``owner/repo/x.gguf``); None when outside it."""
        try:
            relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(self.folder))
        except ValueError:
            return None
        return relative.as_posix() if relative.parts else None

    def _qualified(self, path: Path) -> str:
        return self.qualified_name(path) or path.name

    # -- index file -------------------------------------------------------------------------
    def _read_index(self) -> dict[str, Any] | None:
        try:
            raw = json.loads(self.index_path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or not isinstance(raw.get("models", []), list):
                raise TypeError("not a model index")
            return raw
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            log.warning("model index %s unreadable (%s); rebuilding it", self.index_path, exc)
            return None

    def _load(self) -> tuple[dict[str, InstalledModel], str | None]:
        """The index: qualified name → model, and the default's qualified name.

        Migrates an index of an earlier version (and finishes an interrupted migration).
        """
        raw = self._read_index()
        if raw is None:
            return {}, None
        if raw.get("version", 1) == 1:
            return self._migrate(raw)
        try:
            models: dict[str, InstalledModel] = {}
            for data in raw.get("models", []):
                model = _from_json(data)
                qualified = model.qualified_name or self._qualified(model.path)
                models[qualified] = replace(model, qualified_name=qualified)
            default = raw.get("default")
            moves = [(self.folder / s, self.folder / d) for s, d in raw.get("migrating") or []]
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("model index %s unreadable (%s); rebuilding it", self.index_path, exc)
            return {}, None
        if moves:
            return self._finish_migration(models, default, moves)
        return models, default if isinstance(default, str) else None

    def _save(
        self,
        models: dict[str, InstalledModel],
        default: str | None,
        moves: Sequence[tuple[Path, Path]] = (),
    ) -> None:
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {
            "version": INDEX_VERSION,
            "default": default,
            "models": [_to_json(models[q]) for q in sorted(models)],
        }
        if moves:  # a migration under way: what is still to be moved
            data["migrating"] = [[self._qualified(s), self._qualified(d)] for s, d in moves]
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

    # -- migration from the flat layout -----------------------------------------------------
    def migrate(self) -> None:
        """Bring a store of an earlier version into the per-origin layout, if needed.

        Every query does this first; call it before writing into the folder by other means
        (a download), so the old files are where the store expects them.
        """
        with self._lock:
            self._load()

    def _migrate(self, raw: dict[str, Any]) -> tuple[dict[str, InstalledModel], str | None]:
        """Move the files of a version-1 store (all in the folder itself) by origin."""
        old: dict[str, InstalledModel] = {}
        for data in raw.get("models", []):
            try:
                model = _from_json(data)
            except (KeyError, TypeError, ValueError):
                continue
            old[model.name] = model
        top = _group(self.folder, os.listdir(self.folder)) if self.folder.is_dir() else []
        moves: list[tuple[Path, Path]] = []
        taken: set[Path] = set()
        models: dict[str, InstalledModel] = {}
        names: dict[str, str] = {}  # old name → new qualified name
        for path, parts in top:
            before = old.get(path.name)
            files = (path.name, *parts)
            dest = self._migration_dir(before, files, taken)
            taken.update(dest / f for f in files)
            moves += [(self.folder / f, dest / f) for f in files]
            if before is None:
                continue  # found by hand: the next scan reads it at its new place
            qualified = self._qualified(dest / path.name)
            names[path.name] = qualified
            fields = _origin_fields(before.source, qualified, before.sha256)
            models[qualified] = replace(
                before, path=dest / path.name, parts=parts, qualified_name=qualified, **fields
            )
        default = names.get(str(raw.get("default")))
        log.info("model store: moving %d file(s) into per-origin folders", len(moves))
        self._save(models, default, moves)  # the plan first: a kill midway resumes it
        return self._finish_migration(models, default, moves)

    def _migration_dir(
        self, before: InstalledModel | None, files: tuple[str, ...], taken: set[Path]
    ) -> Path:
        """Where the files of a version-1 model go."""
        dest = self.folder / LOCAL_DIR
        if before is not None and before.source.startswith("hf:"):
            with contextlib.suppress(UnsafeFileNameError):  # an odd name: local/
                dest = repo_dir(self.folder, before.source[3:])
        tag = (before and before.sha256) or hashlib.sha256(files[0].encode()).hexdigest()
        candidates = [
            dest,
            self.folder / LOCAL_DIR / tag[:8],
            *(self.folder / LOCAL_DIR / f"{tag[:8]}-{i}" for i in range(2, 100)),
        ]
        for candidate in candidates:
            if not any(_lexists(candidate / f) or candidate / f in taken for f in files):
                return candidate
        raise ModelStoreError(f"Cannot find a free place for {files[0]} in {self.folder}.")

    def _finish_migration(
        self,
        models: dict[str, InstalledModel],
        default: str | None,
        moves: Sequence[tuple[Path, Path]],
    ) -> tuple[dict[str, InstalledModel], str | None]:
        """Do the planned moves still to do, then save the index without the plan."""
        for src, dst in moves:
            self._move(src, dst)
        back = {dst: src for src, dst in moves}
        for qualified, model in list(models.items()):
            was = back.get(model.path)
            if was is not None and not _lexists(model.path) and _lexists(was):
                # the move failed: the model stays where it was
                del models[qualified]
                kept = self._qualified(was)
                models[kept] = replace(model, path=was, qualified_name=kept)
                default = kept if default == qualified else default
        self._save(models, default)
        self._follow_default_setting(moves)
        return models, default

    @staticmethod
    def _move(src: Path, dst: Path) -> None:
        """Rename ``src`` to ``dst`` (a link keeps pointing where it pointed)."""
        if not _lexists(src):
            return  # moved already
        if _lexists(dst):
            if src.is_symlink() and _same_file(src, dst):
                src.unlink()  # a relative link re-made at dst before a kill
            else:
                log.warning("model store: %s is taken; %s stays where it is", dst, src)
            return
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            link = os.readlink(src) if src.is_symlink() else None
            if link is not None and not os.path.isabs(link):
                os.symlink(os.path.normpath(os.path.join(src.parent, link)), dst)
                src.unlink()
            else:
                os.rename(src, dst)  # same filesystem: nothing is copied
        except OSError as exc:
            log.warning("model store: cannot move %s to %s (%s); it stays", src, dst, exc)

    @staticmethod
    def _follow_default_setting(moves: Sequence[tuple[Path, Path]]) -> None:
        """Point the Settings' default model at its new place when it was moved."""
        if not moves:
            return
        try:
            from llmasos.foundation.settings.store import SettingsStore

            settings_store = SettingsStore()
            if not settings_store.path.exists():
                return
            settings, _ = settings_store.load()
            if not settings.default_model:
                return
            current = os.path.abspath(os.path.expanduser(settings.default_model))
            for src, dst in moves:
                if os.path.abspath(src) == current:
                    settings_store.save(replace(settings, default_model=str(dst)))
                    return
        except (LLMasOSError, OSError, ValueError) as exc:
            log.warning("model store: default model setting not updated (%s)", exc)

    # -- folder scan ------------------------------------------------------------------------
    def _on_disk(self) -> dict[str, tuple[Path, tuple[str, ...]]]:
        """Model files in the folder and its sub-folders: qualified name → (first file,
        further part names). Hidden files and folders (``.partial``) are left out."""
        found: dict[str, tuple[Path, tuple[str, ...]]] = {}
        if not self.folder.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(self.folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for path, parts in _group(Path(dirpath), filenames):
                found[self._qualified(path)] = (path, parts)
        return found

    def rescan(self) -> ScanResult:
        """Bring the index in line with the folder (files added, moved or removed by hand)."""
        with self._lock:
            models, default = self._load()
            disk = self._on_disk()
            removed = tuple(sorted(set(models) - set(disk)))
            gone = {q: models[q] for q in removed}
            added: list[str] = []
            changed: list[str] = []
            for qualified, (path, parts) in disk.items():
                size = path.stat().st_size + sum((path.parent / q).stat().st_size for q in parts)
                mtime = path.stat().st_mtime
                old = models.get(qualified)
                if old is not None and (old.size, old.mtime, old.parts) == (size, mtime, parts):
                    if old.path != path:
                        models[qualified] = replace(old, path=path)
                    continue
                (changed if old else added).append(qualified)
                moved = next(
                    (
                        m
                        for m in gone.values()
                        if (m.name, m.size, m.mtime, m.parts) == (path.name, size, mtime, parts)
                    ),
                    None,
                )
                if old is None and moved is not None:  # moved by hand: keeps origin, checksum
                    del gone[moved.qualified_name]
                    models[qualified] = replace(moved, path=path, qualified_name=qualified)
                    default = qualified if default == moved.qualified_name else default
                    continue
                base = old or InstalledModel(
                    path.name,
                    path,
                    size,
                    mtime,
                    "manual",
                    qualified_name=qualified,
                    **_origin_fields("manual", qualified, None),
                )
                base = replace(base, path=path, size=size, mtime=mtime, parts=parts, sha256=None)
                models[qualified] = _describe(path, base)
            for qualified in removed:
                del models[qualified]
            self._save(models, default if default in models else None)
            if added or removed or changed:
                log.info("store rescan: +%s -%s ~%s", added, removed, changed)
            return ScanResult(tuple(added), removed, tuple(changed))

    # -- queries ----------------------------------------------------------------------------
    def models(self) -> list[InstalledModel]:
        """Installed models, sorted by name, then place (rescans the folder first)."""
        with self._lock:
            self.rescan()
            models, _ = self._load()
            return sorted(models.values(), key=lambda m: (m.name.lower(), m.qualified_name))

    def get(self, name: str) -> InstalledModel:
        """The installed model called ``name``.

        ``name`` is a qualified name (``owner/repo/x.gguf``), an origin id, or a file name
        or stem that only one installed model has (any case, ``.gguf`` optional).

        Raises:
            AmbiguousModelName: Several installed models have that file name.
            ModelFileNotFound: No installed model has that name.
        """
        found = _choose(name, [(m.qualified_name, m.origin, m) for m in self.models()])
        if found is None:
            raise ModelFileNotFound(
                f"No installed model is called '{name}'. 'llmasos models list' shows the "
                "installed ones."
            )
        return found

    def installed_from(self, repo: str, file: str) -> InstalledModel | None:
        """The model downloaded from ``file`` of Hub repository ``repo``, if installed."""
        place = self.qualified_name(repo_dir(self.folder, repo) / file.rsplit("/", 1)[-1])
        for model in self.models():
            same_file = model.file == file or model.qualified_name == place
            if model.repo and model.repo.lower() == repo.lower() and same_file:
                return model
        return None

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
            self._save(models, model.qualified_name)
            return model

    def register(
        self,
        path: Path,
        *,
        source: str,
        sha256: str | None = None,
        revision: str | None = None,
        file: str | None = None,
    ) -> InstalledModel:
        """Record a file that is already in the folder (e.g. a finished download).

        Args:
            source: ``hf:owner/repo``, ``import:/original/path`` or ``manual``.
            revision: The Hub revision it was downloaded at (None: the default branch).
            file: Its path in the Hub repository (default: its file name).
        """
        with self._lock:
            self.rescan()
            models, default = self._load()
            qualified = self.qualified_name(path)
            model = models.get(qualified) if qualified else None
            if model is None or qualified is None:
                raise ModelFileNotFound(f"{path} is not in the models folder {self.folder}.")
            sha = sha256 or model.sha256
            fields = _origin_fields(source, qualified, sha, revision, file)
            model = replace(model, source=source, sha256=sha, **fields)
            models[qualified] = model
            self._save(models, default)
            return model

    def import_file(self, source: Path, *, mode: ImportMode = "copy") -> InstalledModel:
        """Validate a local .gguf file, then copy or link it into ``<models>/local``.

        A different file with the same name goes to ``local/<sha256[:8]>/``.

        Raises:
            ModelFileError: The file is not a usable GGUF model (nothing is copied).
            ModelExistsError: That file (same place, or same content) is already installed.
        """
        source = Path(source).expanduser().resolve()
        from llmasos.foundation.gguf.file import read_model_info

        read_model_info(source)  # raises a ModelFileError subclass with a helpful message
        models = self.models()
        size = source.stat().st_size
        for model in models:
            if model.imported_from == str(source) and model.size == size:
                raise ModelExistsError(
                    f"{source} is already installed as '{model.qualified_name}'. "
                    "Remove it first to import it again."
                )
        target = self.folder / LOCAL_DIR / source.name
        sha: str | None = None
        if _lexists(target):
            sha = _sha256_file(source)  # tell the two apart by content
            placed = {m.qualified_name: m for m in models}.get(self._qualified(target))
            placed_sha = placed.sha256 if placed is not None else None
            if placed_sha is None and target.is_file():
                placed_sha = _sha256_file(target)
            if _same_file(source, target) or placed_sha == sha:
                raise ModelExistsError(
                    f"This model is already installed as '{self._qualified(target)}'. "
                    "Remove it first to import it again."
                )
            target = self.folder / LOCAL_DIR / sha[:8] / source.name
            if _lexists(target):
                raise ModelExistsError(
                    f"This model is already installed as '{self._qualified(target)}'. "
                    "Remove it first to import it again."
                )
        target.parent.mkdir(parents=True, exist_ok=True)
        placed_sha = self._place(source, target, mode)
        return self.register(target, source=f"import:{source}", sha256=placed_sha or sha)

    def link_opened(self, path: Path) -> InstalledModel | None:
        """List a model file opened from elsewhere among the installed models; nothing is copied.

        The file gets a symbolic link in ``<models>/local`` (``local/<tag>/`` when that name
        is taken), recorded as imported from ``path`` (origin ``path:<path>``), so it shows
        under Installed and can be loaded, made the default or removed from there
        (removing deletes the link only).

        Returns:
            The new entry; None when nothing was added: the file is in the models folder,
            is installed or linked already, or no link can be made here (e.g. Windows
            without the right to make symbolic links).

        Raises:
            ModelFileError: The file is not a usable GGUF model.
        """
        source = Path(os.path.abspath(Path(path).expanduser()))  # its name, not its target's
        if self.qualified_name(source) or self.qualified_name(source.resolve()):
            return None
        from llmasos.foundation.gguf.file import read_model_info

        read_model_info(source)  # raises a ModelFileError subclass with a helpful message
        with self._lock:
            for model in self.models():
                if model.imported_from == str(source) or _same_file(model.path, source):
                    return None
            target = self.folder / LOCAL_DIR / source.name
            if _lexists(target):
                tag = hashlib.sha256(str(source).encode()).hexdigest()[:8]
                target = self.folder / LOCAL_DIR / tag / source.name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(source)
            except OSError as exc:  # taken, or links are not allowed here
                log.info("cannot link %s into the model store (%s); not listed", source, exc)
                return None
            return self.register(target, source=f"import:{source}")

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
        tmp = target.parent / f".{target.name}.importing"
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
        """Delete an installed model's files (a linked model's link only) from the store.

        ``name`` as for :meth:`get`; folders left empty are removed too.
        """
        with self._lock:
            model = self.get(name)
            for file_name in (model.name, *model.parts):
                (model.path.parent / file_name).unlink(missing_ok=True)
            folder = model.path.parent
            while self.qualified_name(folder) is not None:
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break
                folder = folder.parent
            self.rescan()
            log.info("removed model %s", model.qualified_name)
            return model
