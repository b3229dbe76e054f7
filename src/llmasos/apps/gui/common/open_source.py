"""Open a cited file at the cited place: :func:`plan_open`, then :func:`open_planned`.

What can be asked of the desktop, decided per kind of file:

* **PDF at its page.** ``xdg-open`` (and so ``QDesktopServices`` on Linux) drops a URL's
  ``#page=N`` before it hands the file to the viewer, so the page has to be given to the
  viewer itself. The default PDF handler (``xdg-mime query default application/pdf``) is
  looked up in :data:`PDF_VIEWERS`, the programs whose page option is known (evince and
  its forks atril and xreader, okular, zathura, qpdfview, mupdf; Firefox and Chromium
  browsers get ``file://…#page=N``, which their PDF viewers honour) and whose program is
  on ``PATH`` (a Flatpak viewer is not). Any other viewer, and Windows and macOS, open
  the file at its start, and the window says so.
* **Text, Markdown and source code at the cited line**, when Settings › Knowledge ›
  *Editor command* names one (``code --goto {file}:{line}``, ``gvim +{line} {file}``,
  ``kate --line {line} {file}``); otherwise the file opens in its usual program.
* **Other files** (Word, HTML) open in their usual program.
* **A file that moved or was deleted** opens nothing: :attr:`OpenPlan.missing` and a
  message saying to re-index.

:func:`plan_open` is pure apart from reading the cited text file (to find the line), so
tests check the URLs and commands it builds; :func:`open_planned` runs the plan. Both run
on the GUI thread.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QProcess, QUrl
from PySide6.QtGui import QDesktopServices

from llmasos.apps.gui.common.i18n import QT_TRANSLATE_NOOP
from llmasos.services.knowledge.extract import kind_of

__all__ = [
    "PDF_VIEWERS",
    "OpenPlan",
    "default_pdf_viewer",
    "line_of",
    "open_planned",
    "pdf_command",
    "plan_open",
]

log = logging.getLogger(__name__)

MISSING = QT_TRANSLATE_NOOP(
    "SourceOpener",
    "{file} is no longer there (moved or deleted). Re-index the collection on the "
    "Knowledge page (F5) to bring the index up to date.",
)
AT_START = QT_TRANSLATE_NOOP(
    "SourceOpener",
    "Opened {name} at its start: your PDF viewer cannot be told the page (page {page}).",
)
NOT_STARTED = QT_TRANSLATE_NOOP(
    "SourceOpener", "{program} could not be started; check the command in Settings › Knowledge."
)
NO_HANDLER = QT_TRANSLATE_NOOP("SourceOpener", "No program opens {name} on this computer.")


#: Desktop-file names (without ``.desktop``, matched by their last dotted part, lower
#: case) of PDF viewers whose page option is known → the program and its arguments.
PDF_VIEWERS: dict[str, tuple[str, ...]] = {
    "evince": ("evince", "--page-index={page}", "{file}"),
    "atril": ("atril", "--page-index={page}", "{file}"),
    "xreader": ("xreader", "--page-index={page}", "{file}"),
    "okular": ("okular", "--page", "{page}", "{file}"),
    "zathura": ("zathura", "--page={page}", "{file}"),
    "qpdfview": ("qpdfview", "--unique", "{file}#{page}"),
    "mupdf": ("mupdf", "{file}", "{page}"),
    "firefox": ("firefox", "{url}"),
    "chromium": ("chromium", "{url}"),
    "chromium-browser": ("chromium-browser", "{url}"),
    "google-chrome": ("google-chrome", "{url}"),
}
_LINE_KINDS = frozenset({"text", "markdown", "code"})


@dataclass(frozen=True)
class OpenPlan:
    """How to open a cited file: a ``command`` to start, else the ``url`` to hand to the
    desktop. ``missing``: the file is not there (nothing is opened). ``page_lost``: a PDF
    page the program cannot be told (the file opens at its start)."""

    path: str
    url: QUrl
    command: tuple[str, ...] = ()
    missing: bool = False
    page_lost: bool = False
    page: int | None = None
    line: int | None = None


def default_pdf_viewer() -> str:
    """The desktop's default PDF handler as a desktop-file name ("" when unknown: not on
    Linux, no ``xdg-mime``, nothing set)."""
    if not sys.platform.startswith("linux") or shutil.which("xdg-mime") is None:
        return ""
    try:
        done = subprocess.run(
            ["xdg-mime", "query", "default", "application/pdf"],
            capture_output=True,
            text=True,
            timeout=3,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("xdg-mime did not answer: %s", exc)
        return ""
    return done.stdout.strip()


def pdf_command(desktop_file: str, path: str, page: int) -> tuple[str, ...]:
    """The command that opens ``path`` at ``page`` (1-based) in the viewer of
    ``desktop_file`` (e.g. ``org.gnome.Evince.desktop``); () when its option is unknown."""
    name = desktop_file.removesuffix(".desktop").lower()
    template = PDF_VIEWERS.get(name) or PDF_VIEWERS.get(name.rsplit(".", 1)[-1])
    if template is None:
        return ()
    url = QUrl.fromLocalFile(path)
    url.setFragment(f"page={page}")
    values = {"file": path, "page": str(page), "url": url.toString()}
    return tuple(part.format(**values) for part in template)


def editor_command(template: str, path: str, line: int) -> tuple[str, ...]:
    """``template`` (Settings › Knowledge › Editor command) split like a shell would, with
    ``{file}`` and ``{line}`` filled in; the file is added at the end when the template
    does not place it. () for an empty or unparsable template."""
    try:
        parts = shlex.split(template)
    except ValueError:
        log.warning("the editor command %r cannot be split into arguments", template)
        return ()
    if not parts:
        return ()
    if not any("{file}" in p for p in parts):
        parts.append("{file}")
    return tuple(p.replace("{file}", path).replace("{line}", str(line)) for p in parts)


def line_of(path: Path, start: int, passage: str) -> int:
    """The 1-based line where ``passage`` begins in the text file ``path``: where its first
    line is found (the occurrence nearest to ``start``), else the line of offset
    ``start``; 1 when the file cannot be read."""
    try:
        text = path.read_text("utf-8", errors="replace").replace("\r\n", "\n")
    except OSError:
        return 1
    head = next((line.strip() for line in passage.splitlines() if line.strip()), "")
    found = _occurrences(text, head) if head else []
    at = min(found, key=lambda i: abs(i - start)) if found else min(max(start, 0), len(text))
    return text.count("\n", 0, at) + 1


def _occurrences(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def plan_open(
    file: str,
    *,
    page: int | None = None,
    start: int = 0,
    passage: str = "",
    editor: str = "",
    pdf_viewer: str | None = None,
) -> OpenPlan:
    """How to open ``file`` at a citation (see the module doc). ``pdf_viewer``: the
    default PDF handler's desktop file (None: ask the desktop)."""
    path = Path(file)
    url = QUrl.fromLocalFile(file)
    if not path.is_file():
        return OpenPlan(file, url, missing=True, page=page)
    kind = kind_of(path)
    if kind == "pdf" and page:
        viewer = default_pdf_viewer() if pdf_viewer is None else pdf_viewer
        command = pdf_command(viewer, file, page)
        if command and shutil.which(command[0]) is None:
            command = ()  # e.g. a Flatpak viewer: its desktop file, but no program on PATH
        return OpenPlan(file, url, command, page_lost=not command, page=page)
    if kind in _LINE_KINDS and editor.strip():
        line = line_of(path, start, passage)
        return OpenPlan(file, url, editor_command(editor, file, line), line=line)
    return OpenPlan(file, url, page=page)


def open_planned(plan: OpenPlan) -> str:
    """Open what ``plan`` says; the message to show ("" when it went as planned)."""
    name = Path(plan.path).name
    if plan.missing:
        return QCoreApplication.translate("SourceOpener", MISSING).format(file=plan.path)
    if plan.command:
        if QProcess.startDetached(plan.command[0], list(plan.command[1:]))[0]:
            return ""
        log.warning("could not start %s", plan.command)
        message = QCoreApplication.translate("SourceOpener", NOT_STARTED)
        return message.format(program=plan.command[0])
    if not QDesktopServices.openUrl(plan.url):
        return QCoreApplication.translate("SourceOpener", NO_HANDLER).format(name=name)
    if plan.page_lost:
        message = QCoreApplication.translate("SourceOpener", AT_START)
        return message.format(name=name, page=plan.page)
    return ""
