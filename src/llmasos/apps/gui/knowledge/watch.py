"""Watching collections' folders while the app runs: :class:`FolderWatcher`.

A change under a collection's folder (a file written, added, removed or renamed) asks
for that collection's sync once the folder has been quiet for ``debounce_ms`` (an editor
saving writes several times; a copy of a hundred files is one sync). The sync itself
reads only what changed: files whose size and time are unchanged are not opened, and
files whose content hash is unchanged are not re-chunked.

Qt's watcher is not recursive, so every folder below a source is watched, and each
indexed file too (a file saved in place changes no folder on some systems); both are
capped, as the system's watch budget is shared with other programs (inotify: 8,192 per
user by default). A slow timer re-checks every collection in case a change was missed
(past the cap, or while a drive was away).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

log = logging.getLogger(__name__)

MAX_FOLDERS = 2000
MAX_FILES = 4000
DEBOUNCE_MS = 1500
RECHECK_MS = 15 * 60 * 1000


def folders_under(source: str, limit: int) -> list[str]:
    """``source`` and its folders, hidden ones left out, at most ``limit`` of them."""
    if not os.path.isdir(source):
        return []
    found: list[str] = []
    for folder, dirs, _names in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.append(folder)
        if len(found) >= limit:
            log.info("watching only the first %d folders under %s", limit, source)
            break
    return found


class FolderWatcher(QObject):
    """Emits ``changed(name)`` (GUI thread) after a collection's files changed on disk and
    stayed quiet for ``debounce_ms``, and ``recheck()`` every ``recheck_ms``."""

    changed = Signal(str)
    recheck = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        recheck_ms: int = RECHECK_MS,
    ) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._owners: dict[str, set[str]] = {}  # watched path -> collection names
        self._by_name: dict[str, set[str]] = {}  # collection name -> watched paths
        self._dirty: set[str] = set()
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(debounce_ms)
        self._quiet.timeout.connect(self._flush)
        self._recheck = QTimer(self)
        self._recheck.setInterval(recheck_ms)
        self._recheck.timeout.connect(self.recheck)
        self._recheck.start()
        self._watcher.directoryChanged.connect(self._on_change)
        self._watcher.fileChanged.connect(self._on_change)

    def watch(self, name: str, sources: Iterable[str], files: Iterable[str] = ()) -> None:
        """Watch collection ``name``: its folders (and the folders below) and its files."""
        self.forget(name)
        wanted: set[str] = set()
        folder_room = MAX_FOLDERS - sum(1 for p in self._owners if os.path.isdir(p))
        for source in sources:
            if os.path.isdir(source):
                wanted.update(folders_under(source, max(folder_room - len(wanted), 0)))
            elif os.path.exists(source):
                wanted.add(source)
                wanted.add(os.path.dirname(source))  # a named file may be replaced
        file_room = MAX_FILES - len(self._owners)
        wanted.update(list(files)[: max(file_room, 0)])
        new = [p for p in wanted if p not in self._owners]
        if new:
            self._watcher.addPaths(new)
        for path in wanted:
            self._owners.setdefault(path, set()).add(name)
        self._by_name[name] = wanted

    def forget(self, name: str) -> None:
        """Stop watching collection ``name``."""
        gone = []
        for path in self._by_name.pop(name, set()):
            owners = self._owners.get(path, set())
            owners.discard(name)
            if not owners:
                self._owners.pop(path, None)
                gone.append(path)
        if gone:
            self._watcher.removePaths(gone)
        self._dirty.discard(name)

    def watched(self) -> list[str]:
        """Every path watched now (for tests and the log)."""
        return sorted(self._owners)

    def stop(self) -> None:
        """Stop every timer and watch (the app is closing)."""
        self._quiet.stop()
        self._recheck.stop()
        for name in list(self._by_name):
            self.forget(name)

    def _on_change(self, path: str) -> None:
        names = self._owners.get(path, set())
        if not names:
            return
        self._dirty.update(names)
        self._quiet.start()  # restarted by every change: fires after a quiet spell

    def _flush(self) -> None:
        dirty, self._dirty = sorted(self._dirty), set()
        for name in dirty:
            self.changed.emit(name)
