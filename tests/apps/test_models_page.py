"""The Models page with real widgets against the fake Hub (real huggingface_hub, real sockets).

The page reads the Hub endpoint and token from ``settings.json`` in the test's
LLMASOS_HOME, exactly as in the app.
"""

# The fake-Hub fixtures are imported from conftest_hub.py, so pytest's fixture arguments
# shadow those imports by design.

from __future__ import annotations

import hashlib
from collections.abc import Iterator

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
from llmasos.apps.gui.models.page import ModelsPage
from llmasos.foundation.hub.errors import TOKEN_HINT
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
    page.files.table.selectRow(table_column(page.files.table, 0).index(name))
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


def test_catalog_and_repo_files_show_fit(
    qtbot, page: ModelsPage, fake_hub, smollm2_path, small_model
) -> None:
    catalog = page.catalog
    fits = table_column(catalog.table, 3)
    assert fits and set(fits) <= {"fits", "tight", "too big"}
    assert "GB KV cache" in catalog.table.item(0, 3).toolTip()
    assert table_column(catalog.table, 4).count(RECOMMENDED) <= 1
    fake_hub.add_repo(REPO, {SMOL: smollm2_path, SMALL: small_model})
    catalog.table.selectRow(table_column(catalog.table, 0).index(REPO))
    with qtbot.waitSignal(catalog.repo_chosen, timeout=5_000):
        catalog.table.itemActivated.emit(catalog.table.currentItem())
    qtbot.waitUntil(lambda: page.files.table.rowCount() == 2, timeout=WAIT_MS)
    table = page.files.table
    row = table_column(table, 0).index(SMOL)
    assert table.item(row, 1).text() == "Q4_1"
    assert table.item(row, 2).text() == f"{smollm2_path.stat().st_size / 1e6:.1f} MB"
    assert table.item(row, 3).text() == "fits"  # 100 MB fits any test machine
    assert "0.10 GB weights" in table.item(row, 3).toolTip()
    assert table_column(table, 4).count(RECOMMENDED) == 1
    assert page.files.selected() is not None
    assert (
        page.files.selected().name
        == table_column(table, 0)[table_column(table, 4).index(RECOMMENDED)]
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
