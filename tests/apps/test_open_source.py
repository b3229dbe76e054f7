"""Opening a cited file at its place (apps/gui/common/open_source.py) with real files and
real Qt: the commands and URLs built for PDF viewers and editors, a real editor command
started, the message for a file that moved."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from helpers.documents import write_pdf
from helpers.opened_urls import Opened
from llmasos.apps.gui.common.open_source import (
    OpenPlan,
    editor_command,
    line_of,
    open_planned,
    pdf_command,
    plan_open,
)

NOTES = (
    "# Setup\n\nInstall the package.\n\n## Backups\n\n每天晚上十一点自动备份数据库。\n"
    "备份文件保留三十天。\n\n## Restore\n\nAsk the administrator.\n"
)


@pytest.fixture
def opened(qapp: object) -> object:
    handler = Opened()
    QDesktopServices.setUrlHandler("file", handler, "open")
    yield handler
    QDesktopServices.unsetUrlHandler("file")


@pytest.mark.parametrize(
    ("desktop", "expected"),
    [
        ("org.gnome.Evince.desktop", ("evince", "--page-index=3", "{file}")),
        ("atril.desktop", ("atril", "--page-index=3", "{file}")),
        ("org.kde.okular.desktop", ("okular", "--page", "3", "{file}")),
        ("org.pwmt.zathura.desktop", ("zathura", "--page=3", "{file}")),
        ("mupdf.desktop", ("mupdf", "{file}", "3")),
        ("firefox.desktop", ("firefox", "{url}#page=3")),
        ("libreoffice-draw.desktop", ()),
        ("", ()),
    ],
)
def test_pdf_viewers_are_told_the_page(tmp_path: Path, desktop: str, expected: tuple) -> None:
    path = str(tmp_path / "a report.pdf")
    url = QUrl.fromLocalFile(path).toString()
    want = tuple(p.replace("{file}", path).replace("{url}", url) for p in expected)
    assert pdf_command(desktop, path, 3) == want


def test_a_pdf_opens_at_the_page_or_says_it_could_not(
    qtbot, tmp_path: Path, opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = write_pdf(tmp_path / "manual.pdf", [["Page one"], ["Page two: backups"]])
    # an "evince" on PATH that records how it was started
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    evince = bin_dir / "evince"
    evince.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path}/evince.args"\n')
    evince.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    plan = plan_open(str(pdf), page=2, pdf_viewer="org.gnome.Evince.desktop")
    assert plan.command == ("evince", "--page-index=2", str(pdf))
    assert not plan.page_lost and open_planned(plan) == ""
    args = tmp_path / "evince.args"
    qtbot.waitUntil(args.exists, timeout=30_000)
    qtbot.waitUntil(lambda: args.read_text() == f"--page-index=2\n{pdf}\n", timeout=30_000)
    # the viewer's desktop file without its program (Flatpak): at the start, said
    monkeypatch.setenv("PATH", "/nonexistent")
    plan = plan_open(str(pdf), page=2, pdf_viewer="org.gnome.Evince.desktop")
    assert plan.command == () and plan.page_lost
    # a viewer whose page option is unknown: the file opens at its start, and it is said
    plan = plan_open(str(pdf), page=2, pdf_viewer="com.example.Viewer.desktop")
    assert plan.command == () and plan.page_lost
    message = open_planned(plan)
    assert [u.toLocalFile() for u in opened.urls] == [str(pdf)]
    assert opened.urls[0].fragment() == ""  # xdg-open would drop it anyway
    assert message == (
        "Opened manual.pdf at its start: your PDF viewer cannot be told the page (page 2)."
    )


def test_a_text_file_opens_at_the_cited_line_in_the_editor(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, "utf-8")
    start = NOTES.index("每天")
    passage = "每天晚上十一点自动备份数据库。\n备份文件保留三十天。"
    assert line_of(notes, start, passage) == 7
    assert line_of(notes, start, "not in the file") == 7  # by the offset
    plan = plan_open(str(notes), start=start, passage=passage, editor="gvim +{line} {file}")
    assert plan.command == ("gvim", "+7", str(notes)) and plan.line == 7
    plan = plan_open(str(notes), start=start, passage=passage, editor="kate --line {line}")
    assert plan.command == ("kate", "--line", "7", str(notes))  # the file goes last
    assert editor_command('code --goto "{file}:{line}', str(notes), 7) == ()  # unclosed quote
    # no editor set: the usual program opens the file
    plan = plan_open(str(notes), start=start, passage=passage)
    assert plan.command == () and plan.url == QUrl.fromLocalFile(str(notes))


def test_the_editor_command_really_runs(qtbot, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, "utf-8")
    record = "import sys; open(sys.argv[1] + '.opened', 'w').write(sys.argv[2])"
    editor = f'"{sys.executable}" -c "{record}" {{file}} {{line}}'
    start = NOTES.index("Ask the")
    plan = plan_open(str(notes), start=start, passage="Ask the administrator.", editor=editor)
    assert open_planned(plan) == ""
    marker = tmp_path / "notes.md.opened"
    qtbot.waitUntil(marker.exists, timeout=30_000)
    qtbot.waitUntil(lambda: marker.read_text() == "12", timeout=30_000)
    bad = plan_open(str(notes), editor="/no/such/editor +{line} {file}")
    message = open_planned(bad)
    assert message.startswith("/no/such/editor could not be started")


def test_a_file_that_moved_opens_nothing_and_says_so(tmp_path: Path, opened: Opened) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, "utf-8")
    notes.rename(tmp_path / "renamed.md")
    plan = plan_open(str(notes), start=0, editor="gvim +{line} {file}")
    assert plan == OpenPlan(str(notes), QUrl.fromLocalFile(str(notes)), missing=True)
    message = open_planned(plan)
    assert opened.urls == []
    assert message == (
        f"{notes} is no longer there (moved or deleted). Re-index the collection on the "
        "Knowledge page (F5) to bring the index up to date."
    )
