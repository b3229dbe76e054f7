"""Sixty-odd malformed GGUF variants of the real SmolLM2 file, each opened through the
engine, the command line and the app's kernel in a child process: every one ends in a
typed error with a clear message (or, for damage that leaves the structure valid, a
working model), and no child is ever killed by a signal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import malformed_gguf

pytestmark = pytest.mark.real_model

CHILD = textwrap.dedent(
    """
    import contextlib, io, json, sys
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from llmasos.errors import LLMasOSError
    from llmasos.foundation.engine.chat_format import ChatMessage
    from llmasos.foundation.engine.llama import LlamaEngine
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.foundation.engine.settings import EngineSettings
    from llmasos.apps.cli.main import main
    from llmasos.kernel.kernel import Kernel

    path = sys.argv[1]
    out = {}
    try:
        engine = LlamaEngine(EngineSettings(n_ctx=256))
        engine.load(path)
        engine.chat([ChatMessage("user", "hi")], SamplingParams(max_tokens=2)).text()
        engine.close()
        out["engine"] = "loaded"
    except LLMasOSError as exc:
        out["engine"], out["engine_msg"] = type(exc).__name__, str(exc)
    for key, args in (("cli_info", ["models", "info", path]),
                      ("cli_chat", ["chat", "--model", path, "--ctx", "256",
                                    "--max-tokens", "2", "hi"])):
        err, std = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
            rc = main(args)
        out[key] = [rc, err.getvalue()]
    app = QCoreApplication([])
    kernel = Kernel()
    loop = QEventLoop()
    kernel.loaded.connect(lambda info: (out.__setitem__("app", "loaded"), loop.quit()))
    kernel.load_failed.connect(lambda m: (out.__setitem__("app", m), loop.quit()))
    kernel.load_model(path, EngineSettings(n_ctx=256))
    QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    kernel.shutdown(30)
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def variant_files(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("malformed")
    lay = malformed_gguf.layout(smollm2_path)
    return [v.write(smollm2_path, folder / f"{v.name}.gguf") for v in malformed_gguf.variants(lay)]


def _run(path: Path, home: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LLMASOS_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    return path, proc


def _check_cli(name: str, rc: int, stderr: str) -> list[str]:
    if rc == 0:
        return []
    lines = stderr.strip().splitlines()
    if rc != 1 or len(lines) != 1 or not lines[0].startswith("error: "):
        return [f"{name}: rc={rc} stderr={stderr[-500:]!r}"]
    return []


def test_at_least_fifty_variants(smollm2_path: Path) -> None:
    names = [v.name for v in malformed_gguf.variants(malformed_gguf.layout(smollm2_path))]
    assert len(names) >= 50 and len(set(names)) == len(names)


def test_every_variant_fails_cleanly_everywhere(variant_files: list[Path], tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: _run(p, tmp_path / p.stem), variant_files))
    problems: list[str] = []
    loaded: list[str] = []
    for path, proc in results:
        if proc.returncode != 0:
            problems.append(f"{path.stem}: child exited {proc.returncode}: {proc.stderr[-800:]}")
            continue
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        if out["engine"] == "loaded":
            loaded.append(path.stem)
        elif len(out.get("engine_msg", "")) < 30:
            problems.append(f"{path.stem}: unclear message {out}")
        problems += _check_cli(f"{path.stem} info", *out["cli_info"])
        problems += _check_cli(f"{path.stem} chat", *out["cli_chat"])
        if (out["app"] == "loaded") != (out["engine"] == "loaded"):
            problems.append(f"{path.stem}: app and engine disagree: {out}")
    assert not problems, "\n".join(problems)
    # only damage that leaves the structure valid may load: garbage weights, extra bytes,
    # or a token whose bytes are not UTF-8 (vocabularies may hold raw byte tokens)
    assert set(loaded) <= {
        "random_bytes_after_header",
        "zeroed_tensor_data",
        "extra_bytes_at_end",
        "vocab_not_utf8",
    }, loaded
