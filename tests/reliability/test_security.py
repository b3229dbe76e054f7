"""Security: model output rendered as Markdown loads nothing remote and opens links only on a
click; Hub tokens and API keys never reach a log or an exported file."""

# The fake-Hub fixtures are imported from conftest_hub.py, so pytest's fixture arguments
# shadow those imports by design.

from __future__ import annotations

import http.client
import logging
import subprocess
import sys
import time
from pathlib import Path

from gui_faults import recording_server, wait_until
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QTextCursor

from llmasos.apps.gui.chat.view import MessageWidget
from llmasos.apps.gui.common.errors import setup_logging
from llmasos.foundation.hub.client import HubClient
from llmasos.foundation.hub.download import Downloader
from llmasos.foundation.settings.store import AppSettings, HubConfig, SettingsStore
from llmasos.services.chat.conversations import DONE, ConversationStore, StoredMessage
from llmasos.services.chat.export import export_json, export_markdown

TOKEN = "hf_SeCrEtToKeN1234567890abcdefXYZ"
API_KEY = "sk-local-KeY-0987654321-qwerty"


def _anchor_cursor(browser, fragment_href: str) -> QTextCursor:
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().isAnchor() and fragment_href in frag.charFormat().anchorHref():
                cursor = QTextCursor(browser.document())
                cursor.setPosition(frag.position() + 1)
                return cursor
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {fragment_href} in the rendered message")


def test_markdown_loads_nothing_and_links_need_a_click(qtbot, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    with recording_server() as (port, hits):
        base = f"http://127.0.0.1:{port}"
        text = (
            f'Look: ![x]({base}/pixel.png) <img src="{base}/raw.png">\n\n'
            f"[a link]({base}/link) and <{base}/auto>\n\n![ref][r]\n\n[r]: {base}/ref.png"
        )
        message = StoredMessage(1, 1, "assistant", text, DONE, time.time())
        widget = MessageWidget(message)
        qtbot.addWidget(widget)
        widget.resize(600, 300)
        widget.show()
        qtbot.waitExposed(widget)
        wait_until(lambda: False, 0.5)  # time for any (wrong) fetch to happen
        assert hits == [] and opened == []
        browser = widget.body
        rect = browser.cursorRect(_anchor_cursor(browser, "/link"))
        qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert wait_until(lambda: bool(opened), 5)
        assert opened == [f"{base}/link"] and hits == []  # handed to the browser, not fetched
        assert "&lt;img" in browser.toHtml()  # raw HTML stays text: no <img> element of its own


def _log_text(caplog) -> str:
    files = [
        Path(h.baseFilename)
        for h in logging.getLogger("llmasos").handlers
        if isinstance(h, logging.FileHandler)
    ]
    return caplog.text + "".join(p.read_text("utf-8", "replace") for p in files if p.exists())


def test_hub_token_never_reaches_logs_or_exports(
    fake_hub, small_model, caplog, tmp_path: Path
) -> None:
    settings = AppSettings(hub=HubConfig(endpoint=fake_hub.endpoint, token=TOKEN))
    SettingsStore().save(settings)
    assert TOKEN not in repr(settings)
    setup_logging()
    llmasos_log = logging.getLogger("llmasos")
    old = llmasos_log.level
    llmasos_log.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        fake_hub.add_repo("org/secret-GGUF", {"secret-Q4_1.gguf": small_model}, gated=True)
        fake_hub.behaviour.drop_after, fake_hub.behaviour.drops = 0, 1  # a logged retry
        hub = SettingsStore().load()[0].hub
        client = HubClient(hub.endpoint, hub.token)
        (entry,) = client.list_gguf("org/secret-GGUF")
        result = Downloader(client, tmp_path / "models", backoff_s=0.01).download(
            "org/secret-GGUF", entry
        )
        assert result.is_complete and any(r[3] for r in fake_hub.behaviour.requests)
        logging.getLogger("llmasos.test").error("settings now: %r", SettingsStore().load()[0])
    finally:
        llmasos_log.setLevel(old)
    assert "download of" in caplog.text  # the retry was logged ...
    assert TOKEN not in _log_text(caplog)  # ... without the token
    assert "huggingface.co" not in caplog.text  # and nothing called home
    store = ConversationStore(tmp_path / "c.sqlite3")
    conv = store.create()
    store.add_message(conv.id, "user", "hello")
    assert TOKEN not in export_json(store, conv.id) + export_markdown(store, conv.id)
    store.close()
    cli = subprocess.run(
        [sys.executable, "-m", "llmasos", "--debug", "models", "download", "org/secret-GGUF"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert "DEBUG" in cli.stderr and TOKEN not in cli.stdout + cli.stderr


def test_api_key_never_reaches_logs(qtbot, caplog) -> None:
    from llmasos.apps.api import ApiServerController, ServerConfig
    from llmasos.kernel.kernel import Kernel

    setup_logging()
    caplog.set_level(logging.DEBUG)
    kernel = Kernel()
    controller = ApiServerController(kernel)
    try:
        controller.start(ServerConfig(port=0, api_key=API_KEY))
        port = int(controller.url.rsplit(":", 1)[1])
        statuses = []
        for key in ("", "wrong-key", API_KEY):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            conn.request("GET", "/v1/models", headers=headers)
            statuses.append(conn.getresponse().status)
            conn.close()
    finally:
        controller.stop()
        assert kernel.shutdown(30)
    assert statuses[:2] == [401, 401] and statuses[2] != 401
    assert API_KEY not in _log_text(caplog)
