"""stderr stays quiet unless ``--debug`` (issue 18): no doubled Hub retry warnings, no
llama.cpp INFO lines, no Qt warnings; a failure is the one ``error:`` line.

Everything runs as a real ``python -m llmasos`` subprocess, as a person runs it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers.flaky_server import flaky_hub
from helpers.hub_fixtures import dead_endpoint

LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) ", re.M)


def _run(
    *args: str, endpoint: str = "", code: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("HF_TOKEN", None)
    if endpoint:
        env["HF_ENDPOINT"] = endpoint
    head = ["-c", code] if code else ["-m", "llmasos"]
    return subprocess.run(
        [sys.executable, *head, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_an_unreachable_hub_is_one_error_line(monkeypatch, fake_hub) -> None:
    with dead_endpoint("refused", monkeypatch, fake_hub.endpoint) as endpoint:
        out = _run("models", "search", "qwen", endpoint=endpoint)
        debug = _run("--debug", "models", "search", "qwen", endpoint=endpoint)
    assert out.returncode == 1
    (line,) = out.stderr.splitlines()
    assert line.startswith("error: Cannot search the Hub") and "connection refused" in line
    assert debug.returncode == 1
    assert debug.stderr.splitlines()[-1] == line
    assert "Traceback" in debug.stderr and LOG_LINE.search(debug.stderr)


def test_a_hub_retry_is_logged_once_and_only_with_debug() -> None:
    with flaky_hub("503") as hub:
        out = _run("models", "search", "qwen", "--json", endpoint=hub.endpoint)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]" and out.stderr == ""
    with flaky_hub("503") as hub:
        debug = _run("--debug", "models", "search", "qwen", "--json", endpoint=hub.endpoint)
    assert debug.returncode == 0, debug.stderr
    # huggingface_hub's own stderr handler printed each of these a second time
    assert debug.stderr.count("HTTP Error 503") == 1, debug.stderr
    assert debug.stderr.count("Retrying in") == 1, debug.stderr


def test_chat_prints_no_llama_cpp_log(smollm2_path: Path) -> None:
    args = ("chat", "--model", str(smollm2_path), "--max-tokens", "2", "hi")
    out = _run(*args)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() and out.stderr == ""
    debug = _run("--debug", *args)
    assert debug.returncode == 0, debug.stderr
    assert "INFO llmasos.llama_cpp: " in debug.stderr


# The window, started and closed by the smoke-test path, with one Qt warning of its own.
WINDOW = textwrap.dedent("""
    import sys
    from PySide6.QtCore import qWarning
    import llmasos.apps.gui.shell.smoke as smoke
    from llmasos.apps.cli.main import main

    quit_soon = smoke.maybe_schedule_smoke_quit

    def warn_then_quit(window):
        qWarning("llmasos test: a warning of Qt's")
        quit_soon(window)

    smoke.maybe_schedule_smoke_quit = warn_then_quit
    sys.exit(main(sys.argv[1:]))
""")


def test_qt_warnings_go_to_the_log_file(monkeypatch, llmasos_home: Path) -> None:
    monkeypatch.setenv("LLMASOS_SMOKE_TEST", "1")
    out = _run(code=WINDOW)
    assert out.returncode == 0, out.stderr
    assert "warning of Qt's" not in out.stderr and not LOG_LINE.search(out.stderr), out.stderr
    log = (llmasos_home / "logs" / "llmasos.log").read_text(encoding="utf-8")
    assert "WARNING llmasos.qt: llmasos test: a warning of Qt's" in log
    debug = _run("--debug", code=WINDOW)
    assert debug.returncode == 0, debug.stderr
    assert "WARNING llmasos.qt: llmasos test: a warning of Qt's" in debug.stderr
