"""The Knowledge page on the real index, kernel and embedder (m3e-small): a folder added,
indexed in the background with progress, searched in English and Chinese; pause and
resume; a file edited on disk indexed again by the watcher; per-file errors; Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from helpers.layout_fit import clipped_texts, without_noise
from helpers.opened_urls import Opened
from llmasos.apps.gui.common.i18n import install_translator
from llmasos.apps.gui.knowledge.page import KnowledgePage
from llmasos.apps.gui.knowledge.passages import HTML_ROLE, highlight
from llmasos.apps.gui.knowledge.service import KnowledgeService
from llmasos.apps.gui.shell.tools import ToolWindow
from llmasos.foundation.settings.store import AppSettings, KnowledgeConfig
from llmasos.kernel.kernel import Kernel
from llmasos.services.knowledge.indexer import FileChanged
from llmasos.services.knowledge.store import KnowledgeStore

WAIT_MS = 120_000  # indexing with a real embedder on a shared 2-core machine

DOCS = {
    "backup.md": "# 备份\n\n每天晚上十一点自动备份数据库，备份文件保留三十天。\n\n"
    "# 恢复\n\n从备份恢复数据需要管理员密码。\n",
    "printer.txt": "The printer on the third floor jams when the paper tray is overfilled.\n",
    "coffee.md": "# Kitchen\n\nThe coffee machine is cleaned every Monday by the office team.\n",
}


def settings_with(embedder: Path | None) -> AppSettings:
    model = str(embedder) if embedder is not None else ""
    return replace(AppSettings(), knowledge=KnowledgeConfig(embedding_model=model))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "Handbook"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, "utf-8")
    (docs / "broken.docx").write_bytes(b"this is no Word file")  # not a zip: an error
    return docs


class Made:
    """A page on its own service, kernel and index, closed in order by the fixture."""

    def __init__(self, qtbot, tmp_path: Path, embedder: Path | None, debounce_ms: int) -> None:
        self.kernel = Kernel()
        self.service = KnowledgeService(
            self.kernel,
            settings_with(embedder),
            store=KnowledgeStore(tmp_path / "knowledge.sqlite3"),
            threads=1,
            debounce_ms=debounce_ms,
        )
        self.service.start()
        self.page = KnowledgePage(self.service)
        qtbot.addWidget(self.page)
        self.page.resize(900, 650)
        self.page.show()

    def close(self) -> None:
        self.page.shutdown()
        self.page.close()
        self.service.shutdown()
        self.kernel.shutdown()
        self.service.store.close()


@pytest.fixture
def make(qtbot, tmp_path: Path) -> Iterator:
    made: list[Made] = []

    def build(embedder: Path | None = None, debounce_ms: int = 1500) -> Made:
        made.append(Made(qtbot, tmp_path, embedder, debounce_ms))
        return made[-1]

    yield build
    for m in made:
        m.close()


def wait_idle(qtbot, made: Made, timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(
        lambda: made.service.indexer.is_idle and not made.kernel.is_busy, timeout=timeout
    )


def search(qtbot, page: KnowledgePage, query: str) -> list:
    page.search_box.setText(query)
    with qtbot.waitSignal(page.indexer.searched, timeout=WAIT_MS):
        page.search()
    return page.results.passages


@pytest.mark.real_model
def test_a_folder_is_indexed_with_progress_and_searched(
    qtbot, make, folder: Path, m3e_small_path: Path
) -> None:
    made = make(m3e_small_path)
    page = made.page
    assert page.empty_label.isVisible()
    progress: list[object] = []
    made.service.indexer.progress.connect(lambda _n, p: progress.append(p))
    collection = page.add_folder(folder)
    assert collection is not None and collection.name == "Handbook"
    assert not page.empty_label.isVisible()
    wait_idle(qtbot, made)
    phases = {getattr(p, "phase", "") for p in progress}
    assert {"files", "embed"} <= phases, phases  # files read, then passages embedded
    qtbot.waitUntil(lambda: len(page.file_states()) == 4, timeout=WAIT_MS)
    states = page.file_states()
    assert states[str(folder / "broken.docx")] == "error"
    assert all(s == "ok" for p, s in states.items() if not p.endswith(".docx")), states
    error_row = next(
        page.files.topLevelItem(i)
        for i in range(page.files.topLevelItemCount())
        if page.files.topLevelItem(i).text(0) == "broken.docx"
    )
    assert error_row.text(1).startswith("Error: ") and len(error_row.text(1)) > 10
    assert "could not be read" in page.progress_label.text()
    # vectors from the real embedder for every passage
    stored = made.service.store.collection("Handbook")
    assert stored.embedder == str(m3e_small_path.resolve())
    assert made.service.store.count_without_vector(stored.id, _model_id(made)) == 0

    passages = search(qtbot, page, "paper tray jams")
    assert Path(passages[0].file).name == "printer.txt"
    assert passages[0].vector is not None  # hybrid: the query was embedded too
    item = page.results.item(0)
    assert "printer.txt" in item.text()
    assert "background-color" in str(item.data(HTML_ROLE))  # the query's words marked

    passages = search(qtbot, page, "备份")  # a two-character Chinese query
    assert Path(passages[0].file).name == "backup.md"
    assert "备份" in passages[0].text

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        page.results.itemActivated.emit(page.results.item(0))  # Enter / a double click
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert opened.urls and opened.urls[0].toLocalFile() == str(folder / "backup.md")


def _model_id(made: Made) -> str:
    embedder = made.service.indexer._embedder
    assert embedder is not None
    return embedder.model_id


def test_highlight_marks_words_and_chinese_pairs() -> None:
    html = highlight("Backups run nightly; 每天备份数据库 <b>", "backup 备份数据")
    marked = re.findall(r"<span[^>]*>([^<]*)</span>", html)
    assert marked == ["Backups", "备份", "数据"]  # a word's start; Chinese by pairs
    assert "&lt;b&gt;" in html  # the rest is escaped


def test_pause_holds_indexing_and_resume_finishes_it(qtbot, make, tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for i in range(40):
        (many / f"note-{i:02}.md").write_text(f"# Note {i}\n\nSentence number {i}.\n", "utf-8")
    made = make()  # full-text only: this is about the queue, not the model
    indexer, page = made.service.indexer, made.page
    gate = PauseAtFirstFile(made)
    page.add_folder(many)
    gate.wait(qtbot, page)
    # nothing queued, nothing running: a paused sync cannot move
    assert made.kernel.pending() == []
    assert indexer.running == "many"
    indexed = len(made.service.store.files(made.service.store.collection("many").id))
    assert indexed == 1  # paused right after the first file
    assert page.pause_button.isChecked() and page.pause_button.text() == "Resu&me"
    qtbot.waitUntil(lambda: "waiting" in page.file_states().values(), timeout=WAIT_MS)
    page.pause_button.click()  # resume
    assert not indexer.is_paused
    wait_idle(qtbot, made)
    assert len(made.service.store.files(made.service.store.collection("many").id)) == 40
    qtbot.waitUntil(lambda: set(page.file_states().values()) == {"ok"}, timeout=WAIT_MS)


def test_a_chat_request_does_not_wait_for_a_whole_sync(qtbot, make, tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    files = 400  # several slices' worth of files even on an idle machine (~4 ms a file)
    for i in range(files):
        (many / f"n{i:03}.txt").write_text(f"Line {i} " * 50, "utf-8")
    made = make()
    store, indexer = made.service.store, made.service.indexer
    seen: list[int] = []

    def job(_engine, _cancel):
        seen.append(len(store.read("SELECT id FROM files")))
        return iter(())

    submitted: list[int] = []
    indexer.file_changed.connect(
        lambda *_: submitted.append(made.kernel.submit(job)) if not submitted else None
    )
    made.page.add_folder(many)
    wait_idle(qtbot, made)
    assert seen and seen[0] < files, seen  # it ran between two slices, not after the sync
    assert len(store.read("SELECT id FROM files")) == files


def test_an_edited_file_is_indexed_again_by_the_watcher(qtbot, make, folder: Path) -> None:
    made = make(debounce_ms=200)
    made.page.add_folder(folder)
    wait_idle(qtbot, made)
    store = made.service.store
    assert str(folder / "printer.txt") in made.service.watcher.watched()

    def has(word: str) -> bool:
        return bool(store.read("SELECT id FROM chunks WHERE text LIKE ?", (f"%{word}%",)))

    assert not has("zebrafish")
    (folder / "printer.txt").write_text("The zebrafish tank is on the third floor.\n", "utf-8")
    qtbot.waitUntil(lambda: has("zebrafish"), timeout=WAIT_MS)
    wait_idle(qtbot, made)
    assert not has("paper tray")  # the old text left the index
    (folder / "new.md").write_text("# New\n\nA note about axolotls.\n", "utf-8")
    qtbot.waitUntil(lambda: has("axolotls"), timeout=WAIT_MS)
    wait_idle(qtbot, made)


def test_removing_a_collection_keeps_the_files(qtbot, make, folder: Path) -> None:
    made = make()
    made.page.add_folder(folder)
    with qtbot.waitSignal(made.service.collections_changed, timeout=WAIT_MS):
        made.page.remove_selected(confirm=False)
    assert made.service.collections() == []
    assert made.page.empty_label.isVisible()
    assert (folder / "printer.txt").exists()
    wait_idle(qtbot, made)


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    lang = str(request.param)
    assert install_translator(qapp, lang) == (lang != "en")
    yield lang
    install_translator(qapp, "en")


def test_the_page_fits_in_english_and_chinese(qtbot, make, folder: Path, language: str) -> None:
    made = make()
    page = made.page
    if language == "zh_CN":
        assert page.add_folder_button.text().startswith("添加")
        assert "文件夹" in page.empty_label.text()
    page.add_folder(folder)
    wait_idle(qtbot, made)
    qtbot.waitUntil(lambda: len(page.file_states()) == 4, timeout=WAIT_MS)
    search(qtbot, page, "备份")
    assert "备份" in page.results_status.text()
    window = ToolWindow("knowledge", made.kernel, lambda: None, page)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(683, 700)  # beside the main window on a 1366 px screen
    window.show()
    qtbot.waitUntil(window.isVisible)
    QApplication.processEvents()
    found = clipped_texts(window)
    page.focus_question()  # the Ask tab, with a status line
    page.ask_panel.status.setText(page.ask_panel.tr("Looking for the passages that answer it…"))
    if language == "zh_CN":
        assert page.tabs.tabText(1) == "提问" and "正在查找" in page.ask_panel.status.text()
    QApplication.processEvents()
    found += [f"[Ask] {p}" for p in clipped_texts(window)]
    assert window.width() <= 683, window.minimumSizeHint()
    assert not found, "\n".join(without_noise(found))
    window.takeCentralWidget()  # the page is the fixture's to close
    window.close()


class PauseAtFirstFile(QObject):
    """Pauses the indexer the moment its worker reports the first file indexed.

    The kernel's ``yielded`` reaches this slot through a blocking queued connection: the
    worker waits until the pause is set, so the sync cannot run ahead of it on a fast
    machine (40 small files fit in one slice), and stops after exactly that file."""

    def __init__(self, made: Made) -> None:
        super().__init__()
        self.indexer = made.service.indexer
        self.kernel = made.kernel
        self.paused = False
        self.kernel.yielded.connect(self.on_item, Qt.ConnectionType.BlockingQueuedConnection)

    @Slot(int, object)
    def on_item(self, _request: int, item: object) -> None:
        if isinstance(item, FileChanged) and not self.paused:
            self.paused = True
            self.indexer.pause()

    def wait(self, qtbot, page: KnowledgePage) -> None:
        """Until the page says so and the worker is idle; then the gate lets go."""
        qtbot.waitUntil(
            lambda: "paused" in page.progress_label.text() and not self.kernel.is_busy,
            timeout=WAIT_MS,
        )
        self.kernel.yielded.disconnect(self.on_item)


def _paused_midway(qtbot, made: Made, folder: Path) -> None:
    """Add ``folder`` and pause after its first file is indexed."""
    gate = PauseAtFirstFile(made)
    made.page.add_folder(folder)
    gate.wait(qtbot, made.page)


def _many(tmp_path: Path, n: int = 40) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(n):
        (folder / f"note-{i:02}.md").write_text(f"# Note {i}\n\nBackup step {i}.\n", "utf-8")
    return folder


def test_removing_a_paused_collection_leaves_no_sync_behind(qtbot, make, tmp_path) -> None:
    made = make()
    failed: list[str] = []
    made.service.indexer.sync_failed.connect(lambda _n, m: failed.append(m))
    _paused_midway(qtbot, made, _many(tmp_path))
    with qtbot.waitSignal(made.service.collections_changed, timeout=WAIT_MS):
        made.page.remove_selected(confirm=False)
    assert made.service.indexer.running is None
    made.page.pause_button.click()  # resume: nothing is left to index
    wait_idle(qtbot, made)
    assert made.service.collections() == [] and failed == []
    assert made.service.store.read("SELECT count(*) FROM files") == [(0,)]


@pytest.mark.real_model
def test_a_new_embedding_model_restarts_a_paused_sync(
    qtbot, make, tmp_path: Path, m3e_small_path: Path
) -> None:
    made = make(m3e_small_path)
    failed: list[str] = []
    indexer = made.service.indexer
    indexer.sync_failed.connect(lambda _n, m: failed.append(m))
    _paused_midway(qtbot, made, _many(tmp_path))
    made.service.apply_settings(settings_with(None))  # full-text only from now on
    search(qtbot, made.page, "backup")  # the worker lets the old model go
    made.page.pause_button.click()
    wait_idle(qtbot, made)
    assert failed == []
    store = made.service.store
    assert len(store.files(store.collection("many").id)) == 40
    assert store.read("SELECT count(*) FROM vectors") == [(0,)]  # none from the old model


def test_collections_are_rechecked_after_the_main_window_starts(qtbot, tmp_path: Path) -> None:
    """Files added while the app was not running are indexed once it is up (the index
    exists, so the shell starts Knowledge a moment after the first frame)."""
    from llmasos.apps.gui.shell.window import MainWindow
    from llmasos.foundation.settings.store import SettingsStore
    from llmasos.services.knowledge.store import default_path

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nAn offline note about otters.\n", "utf-8")
    with KnowledgeStore(default_path()) as index:
        index.add_collection("docs", [docs])  # added, never indexed: as after a crash
    store = SettingsStore()
    window = MainWindow(Kernel(), store, store.load()[0])
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window._knowledge is not None, timeout=WAIT_MS)
        service = window.knowledge()
        qtbot.waitUntil(
            lambda: (
                service.indexer.is_idle
                and bool(service.store.read("SELECT id FROM chunks WHERE text LIKE '%otters%'"))
            ),
            timeout=WAIT_MS,
        )
        assert str(docs) in service.watcher.watched()
    finally:
        window.close()


def test_an_embedding_model_that_will_not_load_leaves_full_text_search(
    qtbot, make, folder: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-embedder.gguf"
    broken.write_bytes(b"<html>not a model</html>")
    made = make(broken)
    problems: list[str] = []
    made.service.problem.connect(problems.append)
    made.page.add_folder(folder)
    wait_idle(qtbot, made)
    assert problems and "full-text only" in problems[-1]
    assert made.page.problem_label.isVisible()
    assert made.page.problem_label.text() == problems[-1]
    passages = search(qtbot, made.page, "paper tray")  # lexical, not an error
    assert Path(passages[0].file).name == "printer.txt" and passages[0].vector is None
    made.service.apply_settings(settings_with(None))  # the setting is put right
    assert not made.page.problem_label.isVisible()


def ask(qtbot, page: KnowledgePage, question: str) -> None:
    """Ask ``question`` in the page's Ask tab and wait until the answer has ended."""
    panel = page.ask_panel
    page.focus_question()
    assert page.tabs.currentWidget() is panel
    panel.question.setText(question)
    panel.ask()
    assert panel.request_id is not None
    qtbot.waitUntil(lambda: panel.request_id is None, timeout=WAIT_MS)
    assert "LLMasOS" not in panel.status.text()  # not a failure ("Something went wrong…")


def test_a_question_the_documents_do_not_cover_says_so(qtbot, make, tmp_path: Path) -> None:
    english = tmp_path / "english"  # one language: the question is not translated first
    english.mkdir()
    for name in ("printer.txt", "coffee.md"):
        (english / name).write_text(DOCS[name], "utf-8")
    made = make()  # and no chat model is needed: the service answers without one
    made.page.add_folder(english)
    wait_idle(qtbot, made)
    ask(qtbot, made.page, "What is the capital of Peru?")
    panel = made.page.ask_panel
    assert panel.answer.toPlainText().startswith("The documents do not cover this."), (
        panel.status.text()
    )
    assert panel.citations == {} and panel.request_id is None


@pytest.mark.real_model
def test_an_answer_cites_passages_that_open_on_click(
    qtbot, make, folder: Path, qwen_path: Path
) -> None:
    from llmasos.foundation.engine.settings import EngineSettings

    made = make()
    with qtbot.waitSignal(made.kernel.loaded, timeout=WAIT_MS):
        made.kernel.load_model(qwen_path, EngineSettings(n_ctx=2048, n_threads=2))
    made.page.add_folder(folder)
    wait_idle(qtbot, made)
    streamed: list[str] = []
    made.kernel.tokens.connect(lambda _id, text: streamed.append(text))
    ask(qtbot, made.page, "备份文件保留多久？")
    panel = made.page.ask_panel
    assert streamed, "the answer streamed in"
    assert panel.citations, panel.text
    number, citation = next(iter(panel.citations.items()))
    assert Path(citation.passage.file).name == "backup.md"
    assert f'href="cite:{number}"' in panel.answer.toHtml()
    panel._on_link(QUrl(f"cite:{number}"))  # what a click on [n] does
    assert panel.source.isVisible()
    shown = panel.source.text()
    assert "backup.md" in shown and "三十天" in shown
    assert QUrl.fromLocalFile(str(folder / "backup.md")).toString() in shown  # opens it


def test_the_ask_tab_without_a_chat_model_says_what_to_do(qtbot, make, folder: Path) -> None:
    made = make()
    made.page.add_folder(folder)
    wait_idle(qtbot, made)
    panel = made.page.ask_panel
    made.page.focus_question()
    panel.question.setText("How long are backups kept?")  # the Chinese file: translated first
    panel.ask()
    qtbot.waitUntil(lambda: panel.request_id is None, timeout=WAIT_MS)
    assert "No model is loaded" in panel.status.text()
