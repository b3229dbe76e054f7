"""A 1 MB paste into the Chat, Write and Translate pages: the window stays responsive (a
QTimer probe keeps firing) and a clear notice appears. Real kernel, engine and widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bad_input import megabyte
from gui_faults import paste_megabyte

from llmasos.foundation.engine.settings import EngineSettings
from llmasos.kernel.kernel import Kernel

pytestmark = pytest.mark.real_model


@pytest.fixture
def kernel(qtbot, smollm2_path: Path) -> Iterator[Kernel]:
    k = Kernel()
    ids: list[int] = []
    with qtbot.waitSignal(
        k.finished, timeout=60_000, check_params_cb=lambda i, _s: bool(ids) and i == ids[0]
    ):
        ids.append(
            k.load_model(
                smollm2_path, EngineSettings(n_ctx=512, n_batch=128, n_threads=1, probe=False)
            )
        )
    yield k
    assert k.shutdown(30)


@pytest.mark.parametrize(
    ("page", "notice"), [("chat", "context"), ("write", "part"), ("translate", "part")]
)
def test_megabyte_paste_keeps_the_window_alive(
    qtbot, kernel: Kernel, page: str, notice: str
) -> None:
    outcome = paste_megabyte(page, kernel, megabyte(), qtbot.addWidget)
    assert outcome.ended, outcome
    assert outcome.ticks_after > 0, outcome  # the GUI thread kept running its timers
    assert notice in outcome.notice.lower() or "stopped" in outcome.notice.lower(), outcome
