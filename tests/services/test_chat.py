"""ChatService with the real engine on SmolLM2 and real SQLite files."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from llmasos.errors import ContextOverflowError
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.services.chat.conversations import DONE, STOPPED, STREAMING, ConversationStore
from llmasos.services.chat.service import (
    ChatService,
    ReplyEnded,
    ReplyStarted,
    TitleChanged,
    clean_title,
)

pytestmark = pytest.mark.real_model

N_CTX = 1024
SHORT = SamplingParams(temperature=0.0, max_tokens=12, seed=1)
LONG = SamplingParams(temperature=0.0, max_tokens=400, seed=1)


@pytest.fixture(scope="module")
def engine(smollm2_path: Path) -> Iterator[LlamaEngine]:
    eng = LlamaEngine(EngineSettings(n_ctx=N_CTX, n_batch=128))
    eng.load(smollm2_path)
    yield eng
    eng.close()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ChatService]:
    store = ConversationStore(tmp_path / "chat.sqlite3")
    yield ChatService(store)
    store.close()


def run(stream: Iterator[object]) -> tuple[str, list[object]]:
    text, events = "", []
    for item in stream:
        if isinstance(item, str):
            text += item
        else:
            events.append(item)
    return text, events


def test_a_turn_is_stored_with_its_stats(engine: LlamaEngine, service: ChatService) -> None:
    conv = service.store.create(system_prompt="You are brief.")
    stream = service.turn(engine, conv.id, "What is the capital of France?", SHORT)
    text, events = run(stream)
    started, ended = events
    assert isinstance(started, ReplyStarted) and isinstance(ended, ReplyEnded)
    assert started.context.prompt_tokens == stream.stats.prompt_tokens  # exact count
    assert started.context.dropped == 0 and started.context.cut_message_id is None
    user, reply = service.store.messages(conv.id)
    assert (user.role, user.content) == ("user", "What is the capital of France?")
    assert reply == ended.message and reply.content == text and text.strip()
    assert reply.status == DONE and reply.completion_tokens == stream.stats.completion_tokens
    assert reply.model.endswith(".gguf") and reply.prompt_tokens > 0
    assert service.store.get(conv.id).title == "What is the capital of France?"


def test_follow_up_and_title_reuse_the_prefix(engine: LlamaEngine, service: ChatService) -> None:
    conv = service.store.create()
    first = service.turn(engine, conv.id, "Name three colours.", SHORT)
    run(first)
    assert service.needs_title(conv.id)
    events = list(service.generate_title(engine, CancelToken(), conv.id))
    assert isinstance(events[0], TitleChanged) and events[0].title
    assert service.store.get(conv.id).title == events[0].title
    assert not service.needs_title(conv.id)
    second = service.turn(engine, conv.id, "And three animals?", SHORT)
    run(second)
    assert first.stats is not None and second.stats is not None
    # the title request did not push the conversation out of the cache
    assert second.stats.cached_tokens >= first.stats.prompt_tokens
    new_tokens = second.stats.prompt_tokens - second.stats.cached_tokens
    assert new_tokens < second.stats.prompt_tokens // 2


def test_a_chinese_chat_gets_a_chinese_title(engine: LlamaEngine, service: ChatService) -> None:
    conv = service.store.create()
    question = "请用一句话介绍一下长城的历史和它在中国文化中的意义"
    run(service.turn(engine, conv.id, question, SHORT))
    temporary = service.store.get(conv.id).title
    assert temporary.endswith("…") and question.startswith(temporary[:-1])
    events = list(service.generate_title(engine, CancelToken(), conv.id))
    title = service.store.get(conv.id).title
    assert events == [TitleChanged(conv.id, title)]
    # the model's own title if it wrote Chinese, else the temporary one: never English
    assert re.search(r"[\u4e00-\u9fff]", title), title


def test_a_reply_left_streaming_by_another_run_is_interrupted(
    engine: LlamaEngine, service: ChatService
) -> None:
    conv = service.store.create()
    stale = service.store.add_message(conv.id, "assistant", "half", STREAMING)
    assert service.is_interrupted(stale)
    stream = service.turn(engine, conv.id, "Hi", SHORT)
    started = next(item for item in stream if isinstance(item, ReplyStarted))
    assert started.message.status == STREAMING and not service.is_interrupted(started.message)
    run(stream)
    assert not service.is_interrupted(service.store.messages(conv.id)[-1])  # done now


def test_cancel_keeps_the_partial_reply_marked_stopped(
    engine: LlamaEngine, service: ChatService
) -> None:
    service.save_interval_s = 0.0  # save after every piece, so we can watch it grow
    conv = service.store.create()
    cancel = CancelToken()
    stream = service.turn(engine, conv.id, "Write a long story about the sea.", LONG, cancel)
    seen_saved = ""
    text = ""
    for item in stream:
        if isinstance(item, str):
            text += item
            saved = service.store.messages(conv.id)[-1]
            if saved.content and saved.status == STREAMING:
                seen_saved = saved.content
            if len(text) > 40:
                cancel.cancel()
    reply = service.store.messages(conv.id)[-1]
    assert seen_saved and text.startswith(seen_saved)
    assert reply.status == STOPPED and reply.content == text and stream.stats is not None
    assert stream.stats.finish_reason == "cancelled"


def test_regenerate_edit_and_undo(engine: LlamaEngine, service: ChatService) -> None:
    conv = service.store.create()
    run(service.turn(engine, conv.id, "Say hi.", SHORT))
    run(service.turn(engine, conv.id, "Say bye.", SHORT))
    before = service.store.messages(conv.id)
    removed = service.prepare_regenerate(conv.id)
    assert removed == [before[-1]]
    run(service.reply(engine, CancelToken(), conv.id, replace(SHORT, seed=2, temperature=1.0)))
    new_reply = service.store.messages(conv.id)[-1]
    assert new_reply.id != before[-1].id and new_reply.role == "assistant"
    service.undo(conv.id, new_reply.id, removed)
    assert service.store.messages(conv.id) == before
    removed, new_user = service.prepare_edit(before[0].id, "Say hello in French.")
    assert removed == before and service.store.messages(conv.id) == [new_user]
    run(service.reply(engine, CancelToken(), conv.id, SHORT))
    assert [m.role for m in service.store.messages(conv.id)] == ["user", "assistant"]
    service.undo(conv.id, new_user.id, removed)
    assert service.store.messages(conv.id) == before


def test_overflow_drops_oldest_turns_and_keeps_the_system_prompt(
    engine: LlamaEngine, service: ChatService
) -> None:
    store = service.store
    conv = store.create(system_prompt="SYSTEM RULE: answer in English.")
    for i in range(12):
        store.add_message(conv.id, "user", f"Question {i}: " + "tell me more about boats " * 12)
        store.add_message(conv.id, "assistant", f"Answer {i}: " + "boats float on water " * 12)
    store.add_message(conv.id, "user", "Final question: what is a boat?")
    params = replace(SHORT, max_tokens=200)
    messages, info = service.plan(engine, store.get(conv.id), store.messages(conv.id), params)
    assert info.dropped > 0 and info.reserve == 200
    assert info.prompt_tokens <= N_CTX - 200
    assert info.prompt_tokens == engine.count_chat_tokens(messages)
    assert messages[0].content.startswith("SYSTEM RULE") and messages[1].role == "user"
    assert messages[-1].content == "Final question: what is a boat?"
    cut = store.get(conv.id).cut_message_id
    assert cut == info.cut_message_id and store.message(cut).role == "user"
    # the next turn keeps the cut where it is, so the prefix stays the same
    store.add_message(conv.id, "assistant", "A boat is a vessel that floats.")
    store.add_message(conv.id, "user", "One more?")
    again, info2 = service.plan(engine, store.get(conv.id), store.messages(conv.id), params)
    assert info2.cut_message_id == cut and again[: len(messages)] == messages
    store.add_message(conv.id, "user", "word " * 2000)
    with pytest.raises(ContextOverflowError, match="alone needs"):
        service.plan(engine, store.get(conv.id), store.messages(conv.id), params)


def test_overflow_of_a_lone_message_reports_its_real_size(
    engine: LlamaEngine, service: ChatService
) -> None:
    store = service.store
    conv = store.create()
    store.add_message(conv.id, "user", "word " * 3000)
    with pytest.raises(ContextOverflowError, match="alone needs") as err:
        service.plan(engine, store.get(conv.id), store.messages(conv.id), SHORT)
    assert err.value.prompt_tokens >= 3000  # the message's own count, not the budget


def test_clean_title() -> None:
    assert clean_title('\n"Title: Colours of the rainbow."\nmore') == "Colours of the rainbow"
    assert clean_title("## **Boats**") == "Boats"
    assert clean_title("   \n") == ""


KILL_DRIVER = textwrap.dedent(
    """
    import sqlite3, sys, time
    from pathlib import Path
    from llmasos.foundation.engine.cancel import CancelToken
    from llmasos.foundation.engine.llama import LlamaEngine
    from llmasos.foundation.engine.settings import SamplingParams
    from llmasos.foundation.engine.settings import EngineSettings
    from llmasos.services.chat.service import ChatService
    from llmasos.services.chat.conversations import ConversationStore

    model, db = Path(sys.argv[1]), Path(sys.argv[2])
    engine = LlamaEngine(EngineSettings(n_ctx=1024, n_batch=128))
    engine.load(model)
    service = ChatService(ConversationStore(db), save_interval_s=0.2)
    conv = service.store.create()
    params = SamplingParams(temperature=0.0, max_tokens=800, seed=1)
    watcher = sqlite3.connect(db)
    announced = False
    for item in service.turn(engine, conv.id, "Write a long story about a dragon.", params):
        if isinstance(item, str) and not announced:
            row = watcher.execute("SELECT content FROM messages WHERE role = 'assistant'"
                                  ).fetchone()
            if row and row[0]:
                print("saved", len(row[0]), flush=True)
                announced = True
        if announced:
            time.sleep(0.02)  # stream slowly so the kill lands mid-reply
    print("finished", flush=True)
    """
)


def test_killed_mid_reply_loses_nothing_committed(smollm2_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_DRIVER, str(smollm2_path), str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the first save (or the driver dies)
        assert line.startswith("saved"), proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()  # SIGKILL
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -9
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = check.execute("SELECT role, content, status FROM messages ORDER BY id").fetchall()
    finally:
        check.close()
    assert rows[0] == ("user", "Write a long story about a dragon.", DONE)
    role, content, status = rows[1]
    assert role == "assistant" and status == STREAMING and len(content) >= int(line.split()[1])
    store = ConversationStore(db)  # and the app can open it again
    try:
        assert store.integrity_ok() and len(store.messages(1)) == 2
    finally:
        store.close()
