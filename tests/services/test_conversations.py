"""The conversation store on real SQLite files: schema, migrations, search, export/import."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from llmasos.errors import ConversationImportError, ConversationNotFound, ConversationStoreError
from llmasos.foundation.engine.settings import SamplingParams
from llmasos.services.chat import export as chat_export
from llmasos.services.chat.conversations import DB_NAME, STOPPED, ConversationStore
from llmasos.services.chat.schema import MIGRATIONS, SCHEMA_VERSION, statements


@pytest.fixture
def store(tmp_path: Path):
    s = ConversationStore(tmp_path / DB_NAME)
    yield s
    s.close()


def test_default_path_is_in_the_data_folder(llmasos_home: Path) -> None:
    s = ConversationStore()
    try:
        assert s.path == llmasos_home / "data" / DB_NAME and s.path.exists()
        mode = s._query("PRAGMA journal_mode")[0][0]
        assert mode == "wal" and s.schema_version == SCHEMA_VERSION
    finally:
        s.close()


def test_list_is_pinned_first_then_newest(store: ConversationStore) -> None:
    a = store.create("first")
    b = store.create("second")
    c = store.create("third")
    store.add_message(a.id, "user", "bump a")  # a is now the newest
    assert [x.title for x in store.conversations()] == ["first", "third", "second"]
    store.update(b.id, pinned=True)
    assert [x.id for x in store.conversations()] == [b.id, a.id, c.id]


def test_settings_per_conversation_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    s = ConversationStore(path)
    params = SamplingParams(temperature=0.2, top_k=10, max_tokens=99, stop=("END",))
    conv = s.create(system_prompt="Be brief.", persona="Coder", sampling=params)
    s.update(conv.id, title="Renamed")
    s.close()
    again = ConversationStore(path)
    try:
        got = again.get(conv.id)
        assert (got.title, got.is_auto_title, got.system_prompt, got.persona) == (
            "Renamed",
            False,
            "Be brief.",
            "Coder",
        )
        assert got.sampling == params
    finally:
        again.close()


def test_delete_and_restore_keep_everything(store: ConversationStore) -> None:
    conv = store.create("keep me")
    store.add_message(conv.id, "user", "hello there")
    store.add_message(conv.id, "assistant", "general kenobi")
    data = store.delete(conv.id)
    with pytest.raises(ConversationNotFound):
        store.get(conv.id)
    assert store.search("kenobi") == []
    back = store.restore(data)
    assert back == store.get(conv.id) and back.title == "keep me"
    assert [m.content for m in store.messages(conv.id)] == ["hello there", "general kenobi"]
    assert store.search("kenobi")[0].conversation_id == conv.id


def test_truncate_and_restore_messages(store: ConversationStore) -> None:
    conv = store.create()
    ids = [
        store.add_message(conv.id, r, t).id
        for r, t in [("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d")]
    ]
    gone = store.delete_messages_from(ids[2])
    assert [m.content for m in gone] == ["c", "d"]
    new = store.add_message(conv.id, "user", "c2")
    assert new.id > ids[-1]  # ids are never reused, so undo can put the old ones back
    store.delete_messages_from(new.id)
    store.restore_messages(gone)
    assert [m.content for m in store.messages(conv.id)] == ["a", "b", "c", "d"]


def test_search_finds_words_in_any_conversation(store: ConversationStore) -> None:
    a = store.create("fruit")
    b = store.create("travel")
    store.add_message(a.id, "user", "Tell me about Pineapples please")
    msg = store.add_message(b.id, "assistant", "Beijing 北京 is the capital of China.")
    hits = store.search("pineapple")
    assert len(hits) == 1 and hits[0].title == "fruit" and "Pineapple" in hits[0].snippet
    hits = store.search("北京")  # two characters: below the trigram length
    assert [(h.conversation_id, h.message_id) for h in hits] == [(b.id, msg.id)]
    assert store.search("capital of")[0].message_id == msg.id
    store.save_message(type(msg)(**{**msg.__dict__, "content": "Paris", "status": STOPPED}))
    assert store.search("capital") == [] and store.search("Paris")[0].message_id == msg.id
    assert store.search('quote " inside') == []


def test_migrates_an_old_file_and_refuses_a_newer_one(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path)
    for statement in statements(MIGRATIONS[0]):
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO conversations (title, created, updated) VALUES ('old', 0, 0)")
    db.execute(
        "INSERT INTO messages (conversation_id, role, content, created) "
        "VALUES (1, 'user', 'written before search existed', 0)"
    )
    db.commit()
    db.close()
    s = ConversationStore(path)
    try:
        assert s.schema_version == SCHEMA_VERSION
        assert s.search("before search")[0].title == "old"
        assert "Coder" in s.personas()
    finally:
        s.close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ConversationStoreError, match="newer LLMasOS"):
        ConversationStore(path)


def test_a_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConversationStoreError, match="Move it aside"):
        ConversationStore(path)


def test_json_round_trip_and_markdown(store: ConversationStore) -> None:
    conv = store.create(
        "Round trip", system_prompt="You are terse.", sampling=SamplingParams(temperature=0.1)
    )
    store.add_message(conv.id, "user", "What is 2+2?")
    reply = store.add_message(conv.id, "assistant", "```python\nprint(4)\n```")
    store.save_message(
        type(reply)(
            **{**reply.__dict__, "completion_tokens": 7, "tokens_per_s": 12.5, "status": STOPPED}
        )
    )
    text = chat_export.export_json(store, conv.id)
    copy = chat_export.import_json(store, text)
    assert copy.id != conv.id
    strip = lambda d: {k: v for k, v in d.items() if k not in ("id", "conversation_id")}  # noqa: E731
    original = json.loads(text)
    again = json.loads(chat_export.export_json(store, copy.id))
    assert strip(again["conversation"]) == strip(original["conversation"])
    assert [strip(m) for m in again["messages"]] == [strip(m) for m in original["messages"]]
    md = chat_export.export_markdown(store, conv.id)
    assert md.startswith("# Round trip") and "> **System:** You are terse." in md
    assert "## You" in md and "## Assistant *(stopped)*" in md and "print(4)" in md


def test_import_rejects_other_files(store: ConversationStore) -> None:
    with pytest.raises(ConversationImportError, match="not JSON"):
        chat_export.import_json(store, "{nope")
    with pytest.raises(ConversationImportError, match="not an LLMasOS conversation"):
        chat_export.import_json(store, json.dumps({"messages": []}))
    bad = {
        "format": "llmasos-conversation",
        "version": 1,
        "conversation": {"title": "x"},
        "messages": [{"role": "hacker", "content": "x"}],
    }
    with pytest.raises(ConversationImportError, match="damaged"):
        chat_export.import_json(store, json.dumps(bad))
    with pytest.raises(ConversationImportError, match="not UTF-8 text"):  # Notepad's UTF-16
        chat_export.import_json(store, json.dumps({"a": 1}).encode("utf-16"))
    assert store.conversations() == []


def test_import_reads_utf8_bytes_with_or_without_a_bom(store: ConversationStore) -> None:
    conv = store.create("往返", system_prompt="")
    store.add_message(conv.id, "user", "你好")
    text = chat_export.export_json(store, conv.id)
    for data in (text.encode("utf-8"), text.encode("utf-8-sig")):
        copy = chat_export.import_json(store, data)
        assert copy.title == "往返" and store.messages(copy.id)[0].content == "你好"


def test_personas_are_editable(store: ConversationStore) -> None:
    assert set(store.personas()) >= {"Assistant", "Translator", "Coder", "Tutor"}
    store.save_persona("Coder", "Only Rust.")
    store.save_persona("Poet", "Rhyme.")
    assert store.personas()["Coder"] == "Only Rust." and store.personas()["Poet"] == "Rhyme."


def test_migration_3_adds_collections_and_citations_to_todays_file(tmp_path: Path) -> None:
    """A file at schema 2 (the release before collections could be attached) keeps its
    conversations and messages and gains the two columns with empty values."""
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        for statement in statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO conversations (title, created, updated) VALUES ('Old chat', 1.0, 2.0)")
    db.execute(
        "INSERT INTO messages (conversation_id, role, content, created) "
        "VALUES (1, 'assistant', 'an old reply', 3.0)"
    )
    db.commit()
    db.close()
    s = ConversationStore(path)
    try:
        assert s.schema_version == SCHEMA_VERSION == 3
        conv = s.get(1)
        assert conv.title == "Old chat" and conv.collections == ()
        [message] = s.messages(1)
        assert message.content == "an old reply" and message.citations == ""
        assert s.search("old reply")[0].message_id == message.id  # the FTS index kept
        s.update(1, collections=("Handbook", "租房"))
        s.save_message(replace(message, citations='[{"number": 1}]'))
    finally:
        s.close()
    s = ConversationStore(path)
    try:
        assert s.get(1).collections == ("Handbook", "租房")
        assert s.messages(1)[0].citations == '[{"number": 1}]'
        data = s.delete(1)
        assert data["conversation"]["collections"] == ["Handbook", "租房"]
        restored = chat_export.import_json(s, json.dumps(data))
        assert restored.collections == ("Handbook", "租房")
        assert s.messages(restored.id)[0].citations == '[{"number": 1}]'
    finally:
        s.close()


def test_markdown_export_keeps_a_grounded_reply_s_sources(store: ConversationStore) -> None:
    conv = store.create("Leave")
    store.add_message(conv.id, "user", "年假有几天？")
    reply = store.add_message(conv.id, "assistant", "员工每年有十五天带薪年假 [1]。")
    cited = [
        {
            "number": 1,
            "file": "/docs/handbook.pdf",
            "page": 3,
            "heading": ["休假制度", "年假"],
            "passage": "员工每年享有十五天带薪年假，\n病假需要医生证明。" + "。" * 400,
        },
        {"number": 2, "file": "/docs/notes.md", "page": None, "heading": [], "passage": ""},
    ]
    store.save_message(replace(reply, citations=json.dumps(cited, ensure_ascii=False)))
    md = chat_export.export_markdown(store, conv.id)
    after = md.split("员工每年有十五天带薪年假 [1]。", 1)[1]
    assert "**Sources**" in after
    assert "- [1] `/docs/handbook.pdf` (page 3; 休假制度 › 年假)" in after
    assert "  > 员工每年享有十五天带薪年假， 病假需要医生证明。" in after  # one line
    quote = next(line for line in after.splitlines() if line.startswith("  > "))
    assert len(quote) <= 4 + 300 and quote.endswith("…")
    assert "- [2] `/docs/notes.md`\n" in after
    # a reply without sources gets no list
    plain = store.create("Plain")
    store.add_message(plain.id, "assistant", "Hi.")
    assert "Sources" not in chat_export.export_markdown(store, plain.id)
