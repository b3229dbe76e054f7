"""Speed-aware recommendation: the rule, and the "~N tok/s" estimate next to the fit badge."""

from __future__ import annotations

import pytest

from llmasos.apps.gui.models.hub import CatalogPanel
from llmasos.apps.gui.shell.home_pages import WelcomePage, recommend_entry, speed_measurer
from llmasos.foundation.models import fit
from llmasos.foundation.models.catalog import load_catalog
from llmasos.foundation.platform import hardware, memory

GB = 10**9
SLOW = fit.SpeedProfile(20 * GB)  # a 2-core machine copying 20 GB/s: an 8B Q4 at ~1.2 tok/s
FAST = fit.SpeedProfile(400 * GB)  # a workstation with many memory channels


def test_a_slow_machine_with_free_ram_gets_no_8b_recommendation() -> None:
    entries = load_catalog()
    by_memory = recommend_entry(entries, 32 * GB)
    assert by_memory is not None and by_memory.params_b >= 7  # memory alone: the 8B
    slow = recommend_entry(entries, 32 * GB, SLOW)
    assert slow is not None and slow.params_b < 7
    assert fit.is_pleasant(SLOW.tokens_per_s(slow.approx_size))
    bigger = [e for e in entries if e.params_b > slow.params_b]
    assert all(not fit.is_pleasant(SLOW.tokens_per_s(e.approx_size)) for e in bigger)
    assert recommend_entry(entries, 32 * GB, FAST) == by_memory  # fast enough: memory decides
    assert recommend_entry(entries, 10 * 2**20, SLOW) is None  # nothing fits at all


def test_with_nothing_pleasant_the_fastest_fitting_model_is_recommended() -> None:
    entries = load_catalog()
    crawling = fit.SpeedProfile(1 * GB)
    best = recommend_entry(entries, 32 * GB, crawling)
    assert best is not None and best.approx_size == min(e.approx_size for e in entries)


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> fit.SpeedProfile:
    monkeypatch.setattr(hardware, "measure_memory_bandwidth", lambda: 20.0 * GB)
    monkeypatch.setattr(hardware, "available_ram", lambda: 32 * GB)
    monkeypatch.setattr(memory, "available_ram", lambda: 32 * GB)  # the welcome page's reading
    return fit.speed_profile()


def test_catalog_shows_the_estimate_next_to_the_fit_badge(qtbot, measured) -> None:
    panel = CatalogPanel(lambda: 4096)
    qtbot.addWidget(panel)
    header = panel.table.horizontalHeaderItem(CatalogPanel.SPEED).text()
    assert header == "Speed" and panel.table.horizontalHeaderItem(CatalogPanel.FIT).text() == "Fit"
    for row, entry in enumerate(panel.entries):
        tps = measured.tokens_per_s(entry.approx_size)
        item = panel.table.item(row, CatalogPanel.SPEED)
        assert item.text().startswith("~") and item.text().endswith(" tok/s")
        shown = float(item.text()[1:].split()[0])  # one decimal below 10, whole numbers above
        assert abs(shown - tps) <= (0.05 if tps < 10 else 0.5) + 1e-9
        assert "pleasant from 8 tokens/s" in item.toolTip()
    best = panel.entries[0]  # the recommended one comes first
    assert best.params_b < 7 and fit.is_pleasant(measured.tokens_per_s(best.approx_size))


def test_welcome_page_states_the_estimate(qtbot, measured) -> None:
    page = WelcomePage()
    qtbot.addWidget(page)
    # the estimate is read just after the first frame, not while the window is built
    qtbot.waitUntil(lambda: " tok/s" in page.recommendation.text(), timeout=5_000)
    text = page.recommendation.text()
    assert "Recommended" in text and " tok/s" in text
    assert "Llama-3.1-8B" not in text and "7B" not in text


def test_bandwidth_is_measured_off_the_gui_thread_then_shown(qtbot, monkeypatch) -> None:
    import threading

    threads: list[str] = []

    def measure() -> float:
        threads.append(threading.current_thread().name)
        return 20.0 * GB

    monkeypatch.setattr(hardware, "measure_memory_bandwidth", measure)
    with qtbot.waitSignal(speed_measurer().measured, timeout=10_000):
        page = WelcomePage()  # nothing cached in this test's folder: it measures
        qtbot.addWidget(page)
        panel = CatalogPanel(lambda: 4096)
        qtbot.addWidget(panel)
    assert threads == ["llmasos-bandwidth"]
    qtbot.waitUntil(lambda: " tok/s" in page.recommendation.text(), timeout=10_000)
    assert panel.table.item(0, CatalogPanel.SPEED).text().endswith(" tok/s")
    assert speed_measurer().ensure() is not None and threads == ["llmasos-bandwidth"]
