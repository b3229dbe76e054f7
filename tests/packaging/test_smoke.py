"""LLMASOS_SMOKE_TEST: the start-and-quit run that packaged builds are checked with."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QWidget

from llmasos.apps.gui.common.icons import ICON_SIZES
from llmasos.apps.gui.shell.smoke import SMOKE_ENV, is_smoke_test, maybe_schedule_smoke_quit


@pytest.mark.parametrize(
    ("value", "expected"), [("", False), ("0", False), ("1", True), ("yes", True)]
)
def test_env_switch(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool):
    monkeypatch.setenv(SMOKE_ENV, value)
    assert is_smoke_test() is expected


def test_nothing_scheduled_without_the_variable(qtbot, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(SMOKE_ENV, raising=False)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    assert maybe_schedule_smoke_quit(window) is False
    qtbot.wait(50)
    assert window.isVisible()


def test_shown_window_is_reported_and_closed(qtbot, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv(SMOKE_ENV, "1")
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    assert maybe_schedule_smoke_quit(window) is True
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "smoke: window shown"
    assert lines[1].startswith("smoke: icon sizes ")
    assert lines[2] == "smoke: backend CPU"  # llama.cpp loaded (this CI builds it for the CPU)


def test_hidden_window_exits_with_status_2(qtbot, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv(SMOKE_ENV, "1")
    window = QWidget()
    qtbot.addWidget(window)
    app = QApplication.instance()
    maybe_schedule_smoke_quit(window)
    assert app.exec() == 2  # the scheduled check ends this event loop
    assert capsys.readouterr().out == "smoke: window not shown\n"


class StubbornWindow(QWidget):
    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()


def test_window_that_refuses_to_close_exits_with_status_3(qtbot, monkeypatch, capsys):
    monkeypatch.setenv(SMOKE_ENV, "1")
    window = StubbornWindow()
    qtbot.addWidget(window)
    window.show()
    maybe_schedule_smoke_quit(window)
    assert QApplication.instance().exec() == 3
    assert capsys.readouterr().out.splitlines()[-1] == "smoke: window refused to close"
    window.hide()


def test_real_app_starts_shows_and_quits(tmp_path):
    """``python -m llmasos`` under the smoke switch: the whole run_app path, exit 0."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{SMOKE_ENV: "1"})
    done = subprocess.run(
        [sys.executable, "-m", "llmasos"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("smoke:")]
    assert lines[0] == "smoke: window shown", done.stdout + done.stderr
    assert lines[1] == "smoke: icon sizes " + ",".join(map(str, ICON_SIZES))
