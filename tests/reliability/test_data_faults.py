"""Data under faults: the chat service and the settings store SIGKILLed at random moments."""

from __future__ import annotations

import random
from pathlib import Path

import data_faults as dfa
import pytest

from llmasos.services.chat.conversations import ConversationStore

pytestmark = pytest.mark.real_model

CHAT_KILLS = 5
SETTINGS_KILLS = 5


def test_chat_killed_while_streaming_loses_nothing(smollm2_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "conversations.sqlite3"
    rng = random.Random(10)
    completed: dict[int, str] = {}
    results = [dfa.kill_chat_once(smollm2_path, db, rng, completed) for _ in range(CHAT_KILLS)]
    for r in results:
        assert r.integrity == "ok" and r.missing == 0, results
    assert completed, "no reply was completed before the kills: nothing was checked"
    assert any(r.mid_reply for r in results), "no kill landed while a reply was streaming"
    store = ConversationStore(db)  # and the app opens it again
    try:
        assert store.integrity_ok()
        assert sum(len(store.messages(c.id)) for c in store.conversations()) == results[-1].messages
    finally:
        store.close()


def test_settings_killed_mid_save_always_loads(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    rng = random.Random(11)
    results = [dfa.kill_settings_once(path, rng) for _ in range(SETTINGS_KILLS)]
    assert all(r.loads for r in results), results
    assert all(r.saved_index > 0 for r in results), results  # a save had landed each time
