"""Data under faults: SIGKILL a child streaming chat replies, or saving settings, at random
moments; then check nothing committed was lost and every file still opens.

Shared by ``tests/reliability/test_data_faults.py`` and ``scripts/reliability_report.py``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CHAT_CHILD = r"""
import hashlib, sys
from pathlib import Path
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.services.chat.service import ChatService, ReplyEnded, ReplyStarted
from llmasos.services.chat.conversations import ConversationStore
model, db, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
engine = LlamaEngine(EngineSettings(n_ctx=512, n_batch=64, n_threads=1, probe=False))
engine.load(model)
service = ChatService(ConversationStore(db), save_interval_s=0.05)
convs = service.store.conversations()
conv = convs[0] if convs else service.store.create()
print("ready", flush=True)
for turn in range(1000):
    if len(service.store.messages(conv.id)) > 12:
        conv = service.store.create()  # keep prompts short
    params = SamplingParams(temperature=0.8, max_tokens=40, seed=seed * 1000 + turn)
    for item in service.turn(engine, conv.id, f"Say something about the number {turn}.",
                             params):
        if isinstance(item, ReplyStarted):
            print("start", item.message.id, flush=True)
        elif isinstance(item, ReplyEnded):
            digest = hashlib.sha256(item.message.content.encode()).hexdigest()
            print("done", item.message.id, item.message.status, digest, flush=True)
"""


@dataclass(frozen=True)
class ChatKill:
    """One SIGKILL of the chat child and what the database held afterwards."""

    integrity: str
    completed: int  # replies the child reported as stored, over all runs so far
    missing: int  # of those, absent or changed in the database
    mid_reply: bool  # the kill landed while a reply was streaming
    messages: int


def _lines(proc: subprocess.Popen[str], sink: list[str], seen: threading.Event) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        sink.append(line.strip())
        seen.set()


def kill_chat_once(
    model: Path, db: Path, rng: random.Random, completed: dict[int, str]
) -> ChatKill:
    """Run the chat child on ``db``, SIGKILL it at a random moment, check the file.

    ``completed`` (message id → SHA-256 of its text) collects replies reported done
    and is checked against the database after every kill.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", CHAT_CHILD, str(model), str(db), str(rng.randint(0, 10**6))],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    seen = threading.Event()
    reader = threading.Thread(target=_lines, args=(proc, lines, seen), name="chat-child-out")
    reader.start()
    try:
        starts_wanted = rng.randint(1, 3)  # kill during the n-th reply ...
        deadline = time.monotonic() + 120
        while sum(x.startswith("start") for x in lines) < starts_wanted:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the chat child stopped early: {lines[-3:]}")
            seen.wait(0.05)
            seen.clear()
        time.sleep(rng.uniform(0.0, 0.6))  # ... at a random moment of it (or just after)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        reader.join(timeout=30)
        if proc.stdout:
            proc.stdout.close()
    for line in lines:
        if line.startswith("done"):
            _, mid, _status, digest = line.split()
            completed[int(mid)] = digest
    return check_chat_db(db, completed, lines)


def check_chat_db(db: Path, completed: dict[int, str], lines: list[str]) -> ChatKill:
    """integrity_check, and every completed reply present with the same text."""
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        rows = {
            mid: hashlib.sha256(content.encode()).hexdigest()
            for mid, content in con.execute("SELECT id, content FROM messages")
        }
        streaming = con.execute(
            "SELECT count(*) FROM messages WHERE status = 'streaming'"
        ).fetchone()[0]
        n = con.execute("SELECT count(*) FROM messages").fetchone()[0]
    finally:
        con.close()
    missing = sum(1 for mid, digest in completed.items() if rows.get(mid) != digest)
    last = next((x for x in reversed(lines) if x.startswith(("start", "done"))), "")
    return ChatKill(
        integrity, len(completed), missing, last.startswith("start") and streaming > 0, n
    )


SETTINGS_CHILD = r"""
import sys
from pathlib import Path
from llmasos.foundation.settings.store import AppSettings, HubConfig, SettingsStore
store = SettingsStore(Path(sys.argv[1]))
print("ready", flush=True)
i = 0
while True:
    i += 1
    store.save(AppSettings(hub=HubConfig(token=f"hf_{i:08d}" + "x" * (i % 4000)),
                           default_model=f"model-{i}"))
"""


@dataclass(frozen=True)
class SettingsKill:
    loads: bool  # the file loaded without a warning
    saved_index: int  # which save the file holds
    leftovers: int  # temporary files a kill left behind


def kill_settings_once(path: Path, rng: random.Random) -> SettingsKill:
    """SIGKILL a child that saves settings in a loop; the file must always load."""
    from llmasos.foundation.settings.store import SettingsStore

    proc = subprocess.Popen(
        [sys.executable, "-c", SETTINGS_CHILD, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("ready")
        time.sleep(rng.uniform(0.05, 0.5))
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
    settings, warning = SettingsStore(path).load()
    index = int(settings.default_model.split("-")[1]) if settings.default_model else 0
    leftovers = len(list(path.parent.glob(f".{path.name}.*.tmp")))
    return SettingsKill(
        warning is None and bool(json.loads(path.read_text("utf-8"))), index, leftovers
    )
