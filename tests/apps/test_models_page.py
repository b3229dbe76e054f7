"""The Models page with real widgets against the fake Hub (real huggingface_hub, real sockets).

The page reads the Hub endpoint and token from ``settings.json`` in the test's
LLMASOS_HOME, exactly as in the app.
"""

# The fake-Hub fixtures are imported from conftest_hub.py, so pytest's fixture arguments
# shadow those imports by design.

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QTableWidget,
    QTabWidget,
    QWidget,
)

from helpers import models
from helpers.hub_fixtures import dead_endpoint
from llmasos.apps.gui.common.background import active_tasks
from llmasos.apps.gui.models.common import RECOMMENDED
from llmasos.apps.gui.models.downloads import BAR_STEPS, DownloadRow
from llmasos.apps.gui.models.hub import CatalogPanel, FilesPanel
from llmasos.apps.gui.models.page import ModelsPage
from llmasos.apps.gui.shell.home_pages import recommend_entry
from llmasos.apps.gui.shell.window import MainWindow
from llmasos.foundation.hub.client import HubClient
from llmasos.foundation.hub.errors import TOKEN_HINT
from llmasos.foundation.models.catalog import load_catalog
from llmasos.foundation.platform import hardware
from llmasos.foundation.settings.store import AppSettings, HubConfig, SettingsStore
from llmasos.kernel.kernel import Kernel

REPO = "Qwen/Qwen2.5-0.5B-Instruct-GGUF"  # a catalog entry, served by the fake Hub
SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMALL = "m-Q8_0.gguf"
WAIT_MS = 60_000


def use_hub(endpoint: str, token: str = "") -> None:
    """Point the app's settings at ``endpoint`` (as Settings → Hub would)."""
    store = SettingsStore()
    settings, _ = store.load()
    store.save(AppSettings(engine=settings.engine, hub=HubConfig(endpoint=endpoint, token=token)))


@pytest.fixture(autouse=True)
def no_leaked_tasks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a background job running; keep HF_TOKEN out of it."""
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    yield
    assert active_tasks() == 0, f"{active_tasks()} background job(s) left running"


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    k = Kernel()
    yield k
    k.shutdown()


@pytest.fixture
def page(qtbot, kernel: Kernel, fake_hub) -> Iterator[ModelsPage]:
    use_hub(fake_hub.endpoint)
    widget = ModelsPage(kernel)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    assert widget.shutdown(), "background jobs did not stop"


def table_column(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def list_files(qtbot, page: ModelsPage, repo: str) -> None:
    page.files.show_repo(repo)
    qtbot.waitUntil(
        lambda: page.files.files is not None and page.files.files.repo == repo, timeout=WAIT_MS
    )


def queue_file(qtbot, page: ModelsPage, repo: str, name: str) -> DownloadRow:
    """List ``repo``, select ``name`` in the files table, press Download; return its row."""
    list_files(qtbot, page, repo)
    page.files.table.selectRow(table_column(page.files.table, FilesPanel.FILE).index(name))
    qtbot.mouseClick(page.files.download_button, Qt.MouseButton.LeftButton)
    return page.downloads.rows[-1]


def wait_phase(qtbot, row: DownloadRow, *phases: str) -> None:
    qtbot.waitUntil(lambda: row.phase in phases, timeout=WAIT_MS)


def test_search_shows_results_sorted(qtbot, page: ModelsPage, fake_hub, small_model) -> None:
    fake_hub.add_repo("org/alpha-GGUF", {"a-Q4_K_M.gguf": small_model}, downloads=10, likes=1)
    fake_hub.add_repo(
        "org/beta-GGUF", {"b-Q4_K_M.gguf": small_model}, downloads=5, likes=9, gated=True
    )
    fake_hub.add_repo("org/unrelated", {"u.gguf": small_model})
    panel = page.search
    qtbot.keyClicks(panel.query, "gguf")
    qtbot.mouseClick(panel.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.results.rowCount() == 2, timeout=WAIT_MS)
    assert table_column(panel.results, 0) == ["org/alpha-GGUF", "org/beta-GGUF"]
    assert "token" in table_column(panel.results, 3)[1]
    assert "2 repositories" in panel.status.text()
    panel.sort.setCurrentIndex(panel.sort.findData("likes"))
    qtbot.waitUntil(lambda: table_column(panel.results, 0)[0] == "org/beta-GGUF", timeout=WAIT_MS)
    assert any(r[1] == "/api/models" for r in fake_hub.behaviour.requests)
    panel.results.selectRow(0)
    with qtbot.waitSignal(panel.repo_chosen, timeout=5_000) as chosen:
        panel.results.itemActivated.emit(panel.results.item(0, 0))
    assert chosen.args == ["org/beta-GGUF"]
    assert page.downloads.rows == []  # searching queues nothing


def test_offline_listing_says_so(qtbot, page: ModelsPage, monkeypatch, fake_hub) -> None:
    with dead_endpoint("refused", monkeypatch, fake_hub.endpoint) as endpoint:
        use_hub(endpoint)
        page.files.show_repo(REPO)
        qtbot.waitUntil(lambda: "unreachable" in page.files.status.text(), timeout=WAIT_MS)
    assert "Cannot list the files" in page.files.status.text()
    assert page.files.table.rowCount() == 0
    assert page.files.busy.isHidden()
    assert not page.files.download_button.isEnabled()  # nothing to download


class GatedHub:
    """Hub clients whose searches and listings wait at a gate (one per query or repo).

    Behind the gate they ask the fake Hub for real; a test opens a gate to let one
    network wait end, and sees what the window shows meanwhile.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gates: dict[str, threading.Event] = {}

    def gate(self, key: str) -> threading.Event:
        with self._lock:
            return self._gates.setdefault(key, threading.Event())

    def open_all(self) -> None:
        with self._lock:
            for gate in self._gates.values():
                gate.set()

    def client(self, endpoint: str, token: str | None) -> Any:
        hub, real = self, HubClient(endpoint, token)

        class Gated:
            def search(self, query: str, **kwargs: Any) -> Any:
                hub.gate(query).wait(WAIT_MS / 1000)
                return real.search(query, **kwargs)

            def list_gguf(self, repo: str, **kwargs: Any) -> Any:
                hub.gate(repo).wait(WAIT_MS / 1000)
                return real.list_gguf(repo, **kwargs)

        return Gated()


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatedHub]:
    """The page's Hub clients wait at gates; all open at the end (before the page closes)."""
    import llmasos.apps.gui.models.page as page_module

    hub = GatedHub()
    monkeypatch.setattr(page_module, "_new_client", hub.client)
    yield hub
    hub.open_all()


def test_search_is_busy_while_waiting_and_buttons_act_or_are_off(
    qtbot, page: ModelsPage, gated: GatedHub, fake_hub, small_model
) -> None:
    fake_hub.add_repo("org/alpha-GGUF", {"a-Q4_K_M.gguf": small_model}, downloads=10)
    fake_hub.add_repo("org/beta-GGUF", {"b-Q4_K_M.gguf": small_model}, downloads=5)
    panel = page.search
    assert not panel.search_button.isEnabled()  # no query yet
    assert not panel.show_button.isEnabled() and panel.busy.isHidden()
    qtbot.keyClicks(panel.query, "alpha")
    assert panel.search_button.isEnabled()
    qtbot.mouseClick(panel.search_button, Qt.MouseButton.LeftButton)
    first = page.runner.running("search")
    assert first is not None and not panel.busy.isHidden()
    panel.query.setText("gguf")
    panel.search()  # supersedes the first search: the bar stays while the second one waits
    with qtbot.waitSignal(first.finished, timeout=WAIT_MS):
        gated.gate("alpha").set()
    assert not panel.busy.isHidden()
    gated.gate("gguf").set()
    qtbot.waitUntil(lambda: panel.results.rowCount() == 2, timeout=WAIT_MS)
    assert panel.busy.isHidden()
    assert not panel.show_button.isEnabled()  # no result selected yet
    panel.results.selectRow(1)
    assert panel.show_button.isEnabled()
    with qtbot.waitSignal(panel.repo_chosen, timeout=5_000) as chosen:
        qtbot.mouseClick(panel.show_button, Qt.MouseButton.LeftButton)
    assert chosen.args == ["org/beta-GGUF"]
    panel.query.clear()
    assert not panel.search_button.isEnabled()


def test_files_are_busy_while_listed_and_download_needs_a_selection(
    qtbot, page: ModelsPage, gated: GatedHub, fake_hub, smollm2_path, small_model
) -> None:
    fake_hub.add_repo(REPO, {SMOL: smollm2_path, SMALL: small_model})
    page.resize(640, 480)  # narrow: long file names must not push the badge out of sight
    sources = next(t for t in page.findChildren(QTabWidget) if t.indexOf(page.search) >= 0)
    sources.setCurrentWidget(page.search)  # the catalog would list its recommended model
    page.tabs.setCurrentIndex(page.tabs.indexOf(page.files.parentWidget()))
    files = page.files
    assert not files.download_button.isEnabled() and files.busy.isHidden()
    files.show_repo(REPO)
    assert not files.busy.isHidden() and not files.download_button.isEnabled()
    qtbot.mouseClick(files.download_button, Qt.MouseButton.LeftButton)
    assert page.downloads.rows == []
    gated.gate(REPO).set()
    qtbot.waitUntil(lambda: files.files is not None, timeout=WAIT_MS)
    assert files.busy.isHidden()
    badges = table_column(files.table, FilesPanel.BADGE)
    assert files.selected() is not None and files.download_button.isEnabled()
    assert (
        files.selected().name
        == table_column(files.table, FilesPanel.FILE)[badges.index(RECOMMENDED)]
    )
    assert_not_cut(files.table, badges.index(RECOMMENDED), FilesPanel.BADGE)
    files.table.clearSelection()
    assert not files.download_button.isEnabled()
    qtbot.mouseClick(files.download_button, Qt.MouseButton.LeftButton)
    assert page.downloads.rows == []  # nothing was queued by a button that cannot act


def assert_not_cut(table: QTableWidget, row: int, column: int) -> None:
    """The cell is wholly on screen and as wide as its text."""
    rect = table.visualItemRect(table.item(row, column))
    assert table.viewport().rect().contains(rect), (rect, table.viewport().rect())
    text = table.item(row, column).text()
    assert rect.width() >= table.fontMetrics().horizontalAdvance(text)


def test_catalog_shows_the_recommended_model_first_selected_and_whole(
    qtbot, kernel: Kernel, fake_hub, monkeypatch
) -> None:
    ram = 16 * 10**9
    monkeypatch.setattr(hardware, "available_ram", lambda: ram)
    catalog_order = load_catalog()
    best = recommend_entry(catalog_order, ram)
    assert best is not None and catalog_order.index(best) > 0  # the catalog lists it later
    use_hub(fake_hub.endpoint)
    page = ModelsPage(kernel)
    qtbot.addWidget(page)
    page.resize(640, 480)
    page.tabs.setCurrentIndex(1)
    page.show()
    qtbot.waitExposed(page)
    catalog = page.catalog
    models = table_column(catalog.table, CatalogPanel.MODEL)
    assert models[0] == best.repo and sorted(models) == sorted(e.repo for e in catalog_order)
    badges = table_column(catalog.table, CatalogPanel.BADGE)
    assert badges == [RECOMMENDED] + [""] * (len(badges) - 1)
    assert catalog.selected() == best and catalog.show_button.isEnabled()
    assert_not_cut(catalog.table, 0, CatalogPanel.BADGE)
    catalog.refresh()  # a refresh keeps the choice
    catalog.table.selectRow(3)
    chosen_repo = models[3]
    catalog.refresh()
    assert catalog.selected().repo == chosen_repo
    catalog.table.clearSelection()
    assert not catalog.show_button.isEnabled()
    assert page.shutdown()


def test_the_recommended_model_shows_its_files_when_the_catalog_opens(
    qtbot, page: ModelsPage, fake_hub, smollm2_path, small_model
) -> None:
    catalog, files = page.catalog, page.files
    best = catalog.selected()
    assert best is not None and best.repo == table_column(catalog.table, CatalogPanel.MODEL)[0]
    other = REPO if best.repo != REPO else table_column(catalog.table, CatalogPanel.MODEL)[1]
    for repo in (best.repo, other):
        fake_hub.add_repo(repo, {SMOL: smollm2_path, SMALL: small_model})
    assert page.tabs.currentIndex() == 0  # Installed: the catalog is hidden
    qtbot.wait(2 * CatalogPanel.FOLLOW_MS)
    assert files.files is None and page.runner.running("files") is None  # no network yet
    assert not files.download_button.isEnabled()
    page.tabs.setCurrentIndex(1)  # Get models: the files of the selected model, as a click
    qtbot.waitUntil(lambda: files.files is not None, timeout=WAIT_MS)
    assert files.files.repo == best.repo and best.repo in files.title.text()
    badges = table_column(files.table, FilesPanel.BADGE)
    assert files.table.rowCount() == 2 and badges.count(RECOMMENDED) == 1
    assert files.selected() is not None and files.download_button.isEnabled()
    assert (
        files.selected().name
        == table_column(files.table, FilesPanel.FILE)[badges.index(RECOMMENDED)]
    )
    listed = files.files
    page.tabs.setCurrentIndex(0)
    page.tabs.setCurrentIndex(1)
    qtbot.wait(2 * CatalogPanel.FOLLOW_MS)
    assert files.files is listed  # shown again: not listed again
    # a click on another model lists its files
    row = table_column(catalog.table, CatalogPanel.MODEL).index(other)
    at = catalog.table.visualItemRect(catalog.table.item(row, CatalogPanel.MODEL)).center()
    qtbot.mouseClick(catalog.table.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: files.files is not None and files.files.repo == other, timeout=WAIT_MS)
    assert files.download_button.isEnabled()


def test_the_catalog_languages_show_whole_or_in_a_tooltip(qtbot, kernel, fake_hub) -> None:
    use_hub(fake_hub.endpoint)
    window = MainWindow(kernel, SettingsStore(), SettingsStore().load()[0])
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.models_page
    window.show_page("models")
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.files.files is not None or page.runner.running("files") is None)
    table = page.catalog.table
    entries = page.catalog.entries
    for row, entry in enumerate(entries):
        item = table.item(row, CatalogPanel.LANGUAGES)
        assert_not_cut(table, row, CatalogPanel.LANGUAGES)
        shown = item.text().replace(" +", ", ").split(", ")
        assert shown[:3] == list(entry.languages[:3])
        if len(entry.languages) > 3:
            assert item.toolTip() == ", ".join(entry.languages)
            assert shown[-1] == str(len(entry.languages) - 3)
    assert page.shutdown()
    window.close()


def test_catalog_and_repo_files_show_fit(
    qtbot, page: ModelsPage, fake_hub, smollm2_path, small_model
) -> None:
    catalog = page.catalog
    fits = table_column(catalog.table, CatalogPanel.FIT)
    assert fits and set(fits) <= {"fits", "tight", "too big"}
    assert "GB KV cache" in catalog.table.item(0, CatalogPanel.FIT).toolTip()
    assert table_column(catalog.table, CatalogPanel.BADGE).count(RECOMMENDED) <= 1
    fake_hub.add_repo(REPO, {SMOL: smollm2_path, SMALL: small_model})
    catalog.table.selectRow(table_column(catalog.table, CatalogPanel.MODEL).index(REPO))
    with qtbot.waitSignal(catalog.repo_chosen, timeout=5_000):
        catalog.table.itemActivated.emit(catalog.table.currentItem())
    qtbot.waitUntil(lambda: page.files.table.rowCount() == 2, timeout=WAIT_MS)
    table = page.files.table
    row = table_column(table, FilesPanel.FILE).index(SMOL)
    assert table.item(row, FilesPanel.QUANTIZATION).text() == "Q4_1"
    size = table.item(row, FilesPanel.SIZE).text()
    assert size == f"{smollm2_path.stat().st_size / 1e6:.1f} MB"
    assert table.item(row, FilesPanel.FIT).text() == "fits"  # 100 MB fits any test machine
    assert "0.10 GB weights" in table.item(row, FilesPanel.FIT).toolTip()
    badges = table_column(table, FilesPanel.BADGE)
    assert badges.count(RECOMMENDED) == 1
    assert page.files.selected() is not None
    assert (
        page.files.selected().name
        == table_column(table, FilesPanel.FILE)[badges.index(RECOMMENDED)]
    )


def test_download_completes_with_progress_then_loads(
    qtbot, page: ModelsPage, kernel: Kernel, fake_hub, smollm2_path
) -> None:
    fake_hub.add_repo(REPO, {SMOL: smollm2_path})
    fake_hub.behaviour.slow_s = 0.002  # a few seconds, so progress is seen mid-way
    seen: list[tuple[int, str]] = []
    list_files(qtbot, page, REPO)
    page.files.table.selectRow(0)
    qtbot.mouseClick(page.files.download_button, Qt.MouseButton.LeftButton)
    row = page.downloads.rows[-1]
    row.bar.valueChanged.connect(lambda v: seen.append((v, row.detail.text())))
    assert page.tabs.currentWidget() is page.downloads
    wait_phase(qtbot, row, "done", "failed")
    assert row.phase == "done", row.detail.text()
    assert "SHA-256 verified" in row.detail.text()
    middle = [(v, text) for v, text in seen if 0 < v < BAR_STEPS]
    assert middle, seen
    assert all("MB/s" in text and "left" in text for _, text in middle[1:])
    assert seen[-1][0] == BAR_STEPS
    installed = page.installed
    assert SMOL in table_column(installed.table, 0)
    model = page.store.get(SMOL)
    assert model.sha256 == models.SMOLLM2.sha256 and model.source == f"hf:{REPO}"
    assert not list((page.store.folder / ".partial").iterdir())
    _assert_accessible(page)
    installed.table.selectRow(installed.row_of(SMOL))
    with qtbot.waitSignal(page.open_requested, timeout=5_000) as opened:
        page.installed.load_selected()
    assert opened.args == [page.store.folder / REPO / SMOL]
    with qtbot.waitSignal(
        kernel.finished, timeout=WAIT_MS, check_params_cb=lambda _i, stats: stats is None
    ):
        kernel.load_model(opened.args[0])
    qtbot.waitUntil(
        lambda: installed.table.item(installed.row_of(SMOL), 4).text() == "in use", timeout=5_000
    )


def _assert_accessible(page: ModelsPage) -> None:
    kinds = (QAbstractButton, QLineEdit, QComboBox, QTableWidget, QProgressBar, QTabWidget)
    controls = [
        w
        for w in page.findChildren(QWidget)
        if isinstance(w, kinds) and not w.objectName().startswith("qt_")
    ]
    assert len(controls) > 15
    unnamed = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"
        for w in controls
        if not w.accessibleName()
    ]
    assert not unnamed


def test_pause_then_resume_completes_with_correct_sha(
    qtbot, page: ModelsPage, fake_hub, small_model
) -> None:
    fake_hub.add_repo(REPO, {SMALL: small_model})
    fake_hub.behaviour.slow_s = 0.05
    row = queue_file(qtbot, page, REPO, SMALL)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=WAIT_MS)
    qtbot.mouseClick(row.pause_button, Qt.MouseButton.LeftButton)
    wait_phase(qtbot, row, "paused")
    partial = page.store.folder / ".partial" / REPO / (SMALL + ".part")
    kept = partial.stat().st_size
    assert 0 < kept < len(small_model)
    assert row.pause_button.accessibleName() == f"Resume {SMALL}"
    fake_hub.behaviour.slow_s = 0
    qtbot.mouseClick(row.pause_button, Qt.MouseButton.LeftButton)
    wait_phase(qtbot, row, "done", "failed")
    assert row.phase == "done", row.detail.text()
    installed = page.store.folder / REPO / SMALL
    assert (
        hashlib.sha256(installed.read_bytes()).hexdigest()
        == hashlib.sha256(small_model).hexdigest()
    )
    cdn = [r for r in fake_hub.behaviour.requests if r[1].startswith("/blobs/")]
    assert cdn[-1][2] == f"bytes={kept}-"  # resumed, not restarted
    assert SMALL in table_column(page.installed.table, 0)


def test_cancel_removes_partial_and_next_starts(
    qtbot, page: ModelsPage, fake_hub, small_model
) -> None:
    other = "m-Q4_K_M.gguf"
    fake_hub.add_repo(REPO, {SMALL: small_model, other: small_model[:2_000_000]})
    fake_hub.behaviour.slow_s = 0.05
    first = queue_file(qtbot, page, REPO, SMALL)
    second = queue_file(qtbot, page, REPO, other)
    qtbot.waitUntil(lambda: first.bar.value() > 0, timeout=WAIT_MS)
    assert second.phase == "queued"  # one download at a time
    assert "Downloads (2)" in page.tabs.tabText(page.tabs.indexOf(page.downloads))
    fake_hub.behaviour.slow_s = 0
    qtbot.mouseClick(first.cancel_button, Qt.MouseButton.LeftButton)
    wait_phase(qtbot, first, "cancelled")
    wait_phase(qtbot, second, "done", "failed")
    assert second.phase == "done", second.detail.text()
    assert not (page.store.folder / SMALL).exists()
    assert not list((page.store.folder / ".partial").iterdir())
    page.downloads.clear_finished()
    assert page.downloads.rows == []


def test_gated_repo_shows_token_hint_then_retry_with_token(
    qtbot, page: ModelsPage, fake_hub, small_model
) -> None:
    fake_hub.add_repo("org/gated-GGUF", {SMALL: small_model}, gated=True)
    row = queue_file(qtbot, page, "org/gated-GGUF", SMALL)
    wait_phase(qtbot, row, "failed")
    assert "gated" in row.detail.text() and TOKEN_HINT in row.detail.text()
    assert row.pause_button.text() == "&Retry"
    use_hub(fake_hub.endpoint, token="hf_test_token")
    qtbot.mouseClick(row.pause_button, Qt.MouseButton.LeftButton)
    wait_phase(qtbot, row, "done", "failed")
    assert row.phase == "done", row.detail.text()
    assert any(r[3] for r in fake_hub.behaviour.requests if r[0] == "HEAD")


def test_import_set_default_and_remove_with_confirmation(
    qtbot, page: ModelsPage, monkeypatch, smollm2_path
) -> None:
    installed = page.installed
    installed.import_file(smollm2_path)
    qtbot.waitUntil(lambda: installed.row_of(smollm2_path.name) >= 0, timeout=WAIT_MS)
    row = installed.row_of(smollm2_path.name)
    assert installed.table.item(row, 2).text() == "Q4_1"
    assert installed.table.item(row, 3).text() != "?"
    installed.table.selectRow(row)
    with qtbot.waitSignal(page.default_changed, timeout=5_000):
        installed.set_default_selected()
    assert installed.table.item(row, 5).text() == "default"
    target = page.store.folder / "local" / smollm2_path.name
    assert SettingsStore().load()[0].default_model == str(target)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    installed.remove_selected()
    assert target.exists() and installed.row_of(smollm2_path.name) >= 0
    installed.table.selectRow(installed.row_of(smollm2_path.name))
    installed.remove_selected()
    assert len(asked) == 2 and smollm2_path.name in asked[0]
    assert not target.exists() and installed.row_of(smollm2_path.name) == -1
    assert SettingsStore().load()[0].default_model == ""
    assert smollm2_path.exists()  # the original is untouched


def test_closing_the_window_pauses_downloads_and_waits(
    qtbot, kernel: Kernel, fake_hub, small_model
) -> None:
    use_hub(fake_hub.endpoint)
    fake_hub.add_repo(REPO, {SMALL: small_model})
    fake_hub.behaviour.slow_s = 0.05
    window = QWidget()
    qtbot.addWidget(window)
    page = ModelsPage(kernel, window)
    window.show()
    row = queue_file(qtbot, page, REPO, SMALL)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=WAIT_MS)
    window.close()
    assert active_tasks() == 0
    kept = (page.store.folder / ".partial" / REPO / (SMALL + ".part")).stat().st_size
    assert kept > 0
    # the next start of the app lists the download, paused where it stopped; Resume ends it
    fake_hub.behaviour.slow_s = 0
    restarted = ModelsPage(kernel)
    qtbot.addWidget(restarted)
    restarted.show()
    (row,) = restarted.downloads.rows
    assert (row.repo, row.entry.name, row.phase) == (REPO, SMALL, "paused")
    assert row.bar.value() == int(kept / len(small_model) * BAR_STEPS)
    assert "Interrupted" in row.detail.text() and row.pause_button.isEnabled()
    qtbot.mouseClick(row.pause_button, Qt.MouseButton.LeftButton)
    wait_phase(qtbot, row, "done", "failed")
    assert row.phase == "done", row.detail.text()
    cdn = [r for r in fake_hub.behaviour.requests if r[1].startswith("/blobs/")]
    assert cdn[-1][2] == f"bytes={kept}-"  # resumed from the kept bytes
    assert (restarted.store.folder / REPO / SMALL).read_bytes() == small_model
    assert restarted.shutdown()


def test_cli_falls_back_to_the_settings_endpoint_and_token(monkeypatch, fake_hub) -> None:
    from llmasos.apps.cli.models import hub_client

    use_hub(fake_hub.endpoint, token="hf_from_settings")
    client = hub_client()
    assert client.endpoint == fake_hub.endpoint
    assert client._token == "hf_from_settings"
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.example")
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    client = hub_client()
    assert client.endpoint == "https://hf-mirror.example" and client._token == "hf_from_env"
