"""Start-up stays light: what the first frame needs, nothing else (issue 3's cold start).

Timing is measured in ``bench/gui.py``; these tests pin the causes instead, which do
not depend on how busy the machine is: which modules a start imports, and which
pages exist before someone opens them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from llmasos.apps.gui.shell.window import PAGES, MainWindow
from llmasos.foundation.settings.store import SettingsStore
from llmasos.kernel.kernel import Kernel

# heavy libraries and our own modules that only later work needs
NOT_AT_START = (
    "llama_cpp",
    "numpy",
    "gguf",
    "huggingface_hub",
    "httpx2",
    "sqlite3",
    "logging.handlers",
    "llmasos.foundation.engine.llama",
    "llmasos.foundation.gguf.file",
    "llmasos.foundation.hub.client",
    "llmasos.apps.api",
    "llmasos.apps.gui.models.page",
    "llmasos.apps.gui.chat.page",
    "llmasos.services.chat.service",
)

CHILD = textwrap.dedent("""
    import gc, json, sys
    from PySide6 import QtCore
    from llmasos.apps.gui.shell.main import start_app
    started = start_app(None, sys.argv[:1])
    started.app.processEvents()
    report = {"visible": started.window.isVisible(),
              "gc_automatic": gc.isenabled(),  # the GUI thread collects, see kernel.collector
              "qt_namespace": "Qt" in vars(QtCore),  # PySide builds it on first use
              "page": type(started.window.current_page()).__name__,
              "built": sorted(started.window.pages.built()),
              "modules": sorted(sys.modules)}
    started.window.show_page("models")  # the Hub's libraries wait for the first Hub call
    started.app.processEvents()
    report["models_page"] = type(started.window.current_page()).__name__
    report["hub_loaded"] = sorted(m for m in ("huggingface_hub", "httpx2") if m in sys.modules)
    started.window.close()
    started.kernel.shutdown(timeout_s=10.0)
    print(json.dumps(report))
""")


def test_a_first_start_shows_the_window_without_heavy_imports(tmp_path: Path) -> None:
    env = {**os.environ, "LLMASOS_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["visible"] and report["page"] == "WelcomePage"
    assert report["gc_automatic"] is False
    # no enum of the Qt namespace in the first frame: building its ~100 enums costs ~25 ms
    assert not report["qt_namespace"]
    assert report["built"] == []  # no tool page, no Models or Settings page yet
    loaded = set(report["modules"])
    assert "llmasos.apps.gui.shell.window" in loaded  # the child really started the app
    assert sorted(m for m in NOT_AT_START if m in loaded) == []
    assert "llmasos.foundation.engine.stream" not in loaded  # the kernel's first job loads it
    # no settings file, so no shortcut to check: the shortcut parser waits for the tray
    assert "llmasos.foundation.platform.hotkeys" not in loaded
    assert report["models_page"] == "ModelsPage" and report["hub_loaded"] == []


RUN_CHILD = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QTimer
    from llmasos.apps.gui.shell import main
    from llmasos.apps.gui.shell.window import MainWindow

    report = {}
    paint = MainWindow.paintEvent

    def first_paint(self, event):
        paint(self, event)
        if "at_first_frame" not in report:
            report["at_first_frame"] = sorted(m for m in sys.modules if ".everywhere" in m)
            QTimer.singleShot(300, lambda: after(self))

    def after(window):
        report["tray_owner_set"] = window.close_to_tray is not None
        report["shortcuts_reported"] = bool(window.hotkey_problems)  # offscreen: all
        report["controller"] = "llmasos.apps.gui.everywhere.controller" in sys.modules
        window.close()

    MainWindow.paintEvent = first_paint
    status = main.run_app()
    print(json.dumps({**report, "status": status}))
""")


def test_the_everywhere_side_starts_after_the_first_frame(tmp_path: Path) -> None:
    """run_app: the single-instance server, the shortcuts and the tray (their modules, and
    the X11 and D-Bus connections they open) come right after the first frame, not before."""
    env = {
        **os.environ,
        "LLMASOS_HOME": str(tmp_path / "home"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    proc = subprocess.run(
        [sys.executable, "-c", RUN_CHILD], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # only the single-instance client that asked for a running app first
    assert report["at_first_frame"] == [
        "llmasos.apps.gui.everywhere",
        "llmasos.apps.gui.everywhere.instance",
        "llmasos.services.everywhere",
        "llmasos.services.everywhere.protocol",
    ]
    assert report["controller"] and report["tray_owner_set"] and report["shortcuts_reported"]
    assert report["status"] == 0


def test_pages_are_built_when_first_shown_and_then_kept(qtbot) -> None:
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    window.show()
    assert window.pages.built() == {}
    window.show_page("settings")
    settings_page = window.current_page()
    assert list(window.pages.built()) == ["settings"]
    assert window.settings_page is settings_page
    window.show_page("models")
    window.show_page("settings")
    assert window.current_page() is settings_page  # built once, then reused
    assert sorted(window.pages.built()) == ["models", "settings"]
    assert len(window.pages) == len(PAGES)
    assert [name for name, _page in window.pages.items()] == list(PAGES)  # builds the rest
    assert sorted(window.pages.built()) == sorted(PAGES)
    window.close()


def test_the_api_server_loads_only_when_switched_on(qtbot, tmp_path: Path) -> None:
    from dataclasses import replace

    store = SettingsStore()
    settings = store.load()[0]
    window = MainWindow(Kernel(), store, settings)
    qtbot.addWidget(window)
    assert window.api_server is None
    port = _free_port()
    window._on_settings_applied(
        replace(settings, api=replace(settings.api, enabled=True, port=port))
    )
    assert window.api_server is not None
    qtbot.waitUntil(
        lambda: (
            "127.0.0.1" in window.status.currentMessage()
            or str(port) in window.status.currentMessage()
        ),
        timeout=10_000,
    )
    window.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_command_line_parser_loads_no_hub_or_engine() -> None:
    """``llmasos do`` (what a desktop shortcut runs) builds the whole parser: it must not
    pay for the Hub client's libraries (~0.5 s of imports) or the engine."""
    code = "import sys; from llmasos.apps.cli.main import build_parser; build_parser(); " + (
        "print(' '.join(sorted(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = set(proc.stdout.split())
    assert "llmasos.apps.cli.models" in loaded  # the parser really was built
    assert sorted(m for m in NOT_AT_START if m in loaded) == []
