"""Chat over long conversations: time to first token and GUI cost per streamed token.

Runs offscreen (``QT_QPA_PLATFORM=offscreen`` unless already set) on SmolLM2 by default.

1. Time to first token (TTFT) at turn 2 and turn 12 of one conversation driven through
   ``ChatService`` (user message stored, context planned and counted under the model's
   template, reply streamed and saved), greedy, ``--reply-tokens`` per answer, a title
   generated after turn 1 as the app does. Each user message is ~110 tokens, so the
   history passes 1,500 tokens before turn 12. TTFT is wall time from calling
   ``ChatService.turn`` to its first text piece. Two variants in the same run:

   * reuse: the engine as shipped (a follow-up evaluates only the new tokens);
   * no reuse: ``engine._require().reset()`` before every turn, so the whole prompt is
     evaluated again (what an app without prefix reuse pays).

   * raw llama.cpp (the floor, same run): the exact tokens the reuse variant evaluated
     at turns 2 and 12 (recorded from its ``Llama.eval`` calls), fed to a second bare
     ``llama_cpp.Llama`` with the same settings: the cached part untimed, then the new
     tokens and one greedy sample timed. This is what llama.cpp itself needs for the
     same work, so ``reuse_ratio`` ÷ ``raw_ratio`` is what the app adds.

   ``--reps`` alternating repetitions; the ratio uses the best of them per turn (the
   development VM is shared, and a busy neighbour only ever adds time); medians are
   shown too. Target: reuse ratio ≤ 1.3.
2. GUI time per streamed token: a ``MessageView`` (900×700) showing 2 or 100 earlier
   messages (Markdown with lists and code blocks) gets a ~300-token Markdown reply one
   token at a time (``append_to_last`` then ``processEvents()``, so layout and paint are
   counted). Every token is delivered separately — the kernel coalesces to one update
   per 16 ms, so this is the worst case. ``--reps`` alternating runs; medians.
   Target: ratio (100 / 2) ≤ 1.2.

The last line of stdout is a JSON summary with stable keys.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from llmasos.apps.gui.chat.view import MessageView
from llmasos.foundation.engine.cancel import CancelToken
from llmasos.foundation.engine.llama import LlamaEngine
from llmasos.foundation.engine.settings import EngineSettings, SamplingParams
from llmasos.foundation.platform import hardware
from llmasos.services.chat.conversations import DONE, STREAMING, ConversationStore, StoredMessage
from llmasos.services.chat.service import ChatService, ReplyStarted

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import raw_llama

N_CTX = 4096
TURNS = 12
TOPICS = (
    "rivers",
    "mountains",
    "deserts",
    "forests",
    "oceans",
    "islands",
    "glaciers",
    "volcanoes",
    "lakes",
    "caves",
    "canyons",
    "prairies",
)
PARAGRAPH = (
    "I am planning a long trip and want to learn about {t}. Please describe how {t} "
    "form, which famous {t} people visit, what the weather is like near {t}, which "
    "animals and plants live there, how to travel safely, what to pack, how much "
    "time to plan, and which mistakes first-time visitors make. Keep the answer "
    "practical and friendly, and mention one surprising fact about {t} as well."
)
REPLY_MD = (
    "## Packing list\n\nHere is what to bring:\n\n- water bottle\n- **sun hat**\n- map\n\n"
    "| item | weight |\n|---|---|\n| tent | 2 kg |\n| stove | 1 kg |\n\n"
    "```python\ndef pack(items):\n    # sort by weight\n    return sorted(items, key=len)\n"
    "```\n\nHave a *great* trip! " * 3
)


class EvalRecorder:
    """Records, per turn, what the engine's llama.cpp evaluated: cached tokens and new ones."""

    def __init__(self, engine: LlamaEngine) -> None:
        self.turn = -1
        self.evals: dict[int, tuple[list[int], list[int]]] = {}
        llm = engine._require()
        original = llm.eval

        def eval_and_record(tokens: Any) -> None:
            if len(tokens) > 1 and self.turn not in self.evals:  # the turn's prefill
                cached = [int(x) for x in llm.input_ids[: llm.n_tokens]]
                self.evals[self.turn] = (cached, [int(x) for x in tokens])
            original(tokens)

        llm.eval = eval_and_record


def ttft_run(
    engine: LlamaEngine,
    store: ConversationStore,
    reuse: bool,
    reply_tokens: int,
    recorder: EvalRecorder | None = None,
) -> tuple[list[float], int]:
    """One conversation of TURNS turns; TTFT per turn and the prompt size at the last."""
    service = ChatService(store)
    conv = store.create(system_prompt="You are a helpful travel guide.")
    params = SamplingParams(temperature=0.0, repeat_penalty=1.0, max_tokens=reply_tokens, seed=1)
    ttfts: list[float] = []
    prompt_tokens = 0
    for turn in range(TURNS):
        if not reuse:
            engine._require().reset()
        if recorder is not None:
            recorder.turn = turn
        t0 = time.perf_counter()
        first = 0.0
        for item in service.turn(engine, conv.id, PARAGRAPH.format(t=TOPICS[turn]), params):
            if isinstance(item, ReplyStarted):
                prompt_tokens = item.context.prompt_tokens
            elif isinstance(item, str) and not first:
                first = time.perf_counter() - t0
        ttfts.append(first)
        if turn == 0:
            if not reuse:
                engine._require().reset()
            if recorder is not None:
                recorder.turn = -1  # the title's prefill is not a turn's
            list(service.generate_title(engine, CancelToken(), conv.id))
    return ttfts, prompt_tokens


def bench_ttft(model: Path, reps: int, reply_tokens: int) -> dict[str, object]:
    engine = LlamaEngine(EngineSettings(n_ctx=N_CTX, n_batch=512))
    engine.load(model)
    recorder = EvalRecorder(engine)
    with tempfile.TemporaryDirectory() as tmp:
        store = ConversationStore(Path(tmp) / "bench.sqlite3")
        runs: dict[bool, list[list[float]]] = {True: [], False: []}
        history = 0
        for rep in range(reps):
            for reuse in (True, False):
                ttfts, history = ttft_run(
                    engine, store, reuse, reply_tokens, recorder if reuse and rep == 0 else None
                )
                runs[reuse].append(ttfts)
        store.close()
    threads, n_batch = engine.settings.n_threads, min(engine.settings.n_batch, N_CTX)
    engine.close()
    raw = raw_floor(model, recorder.evals, reps, threads, n_batch)
    out: dict[str, object] = {"history_tokens_turn12": history}
    print(
        f"\nTime to first token (best and median of {reps}), history at turn 12: {history} tokens"
    )
    print(
        f"{'variant':<10} {'turn 2 ms':>10} {'turn 12 ms':>11} {'ratio':>7} "
        f"{'median 2':>9} {'median 12':>10} {'ratio':>7}"
    )
    for reuse, name in ((True, "reuse"), (False, "no_reuse")):
        t2, t12 = (min(r[i] for r in runs[reuse]) for i in (1, TURNS - 1))
        m2, m12 = (statistics.median(r[i] for r in runs[reuse]) for i in (1, TURNS - 1))
        print(
            f"{name:<10} {t2 * 1e3:>10.1f} {t12 * 1e3:>11.1f} {t12 / t2:>7.2f} "
            f"{m2 * 1e3:>9.1f} {m12 * 1e3:>10.1f} {m12 / m2:>7.2f}"
        )
        out[f"{name}_turn2_ms"] = round(t2 * 1e3, 2)
        out[f"{name}_turn12_ms"] = round(t12 * 1e3, 2)
        out[f"{name}_ratio"] = round(t12 / t2, 3)
        out[f"{name}_ratio_median"] = round(m12 / m2, 3)
    (c2, n2), (c12, n12) = (recorder.evals[i] for i in (1, TURNS - 1))
    print(
        f"{'raw floor':<10} {raw[1] * 1e3:>10.1f} {raw[TURNS - 1] * 1e3:>11.1f} "
        f"{raw[TURNS - 1] / raw[1]:>7.2f}   (bare llama.cpp: {len(n2)} new tokens after "
        f"{len(c2)} cached at turn 2, {len(n12)} after {len(c12)} at turn 12)"
    )
    out["raw_turn2_ms"] = round(raw[1] * 1e3, 2)
    out["raw_turn12_ms"] = round(raw[TURNS - 1] * 1e3, 2)
    out["raw_ratio"] = round(raw[TURNS - 1] / raw[1], 3)
    out["new_tokens_turn2"], out["new_tokens_turn12"] = len(n2), len(n12)
    return out


def raw_floor(
    model: Path,
    evals: dict[int, tuple[list[int], list[int]]],
    reps: int,
    threads: int | None,
    n_batch: int,
) -> dict[int, float]:
    """Best seconds bare llama.cpp takes to evaluate each recorded turn's new tokens."""

    llm = raw_llama(
        model,
        n_ctx=N_CTX,
        n_batch=n_batch,
        n_threads=threads or hardware.default_threads(),
        n_threads_batch=threads or hardware.default_threads(),
        verbose=False,
    )
    best: dict[int, float] = {}
    for _ in range(reps):
        for turn in (1, TURNS - 1):
            cached, new = evals[turn]
            llm.reset()
            llm.eval(cached)  # what the KV cache held when the turn began (untimed)
            t0 = time.perf_counter()
            llm.eval(new)
            llm.sample(temp=0.0)
            best[turn] = min(best.get(turn, float("inf")), time.perf_counter() - t0)
    llm.close()
    return best


def history_messages(n: int) -> list[StoredMessage]:
    msgs = []
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        text = PARAGRAPH.format(t=TOPICS[i % len(TOPICS)]) if role == "user" else REPLY_MD
        msgs.append(StoredMessage(i + 1, 1, role, text, DONE, 0.0, 100, 50, 30.0, 0.1, "m"))
    return msgs


def stream_pieces(model: Path) -> list[str]:
    """REPLY_MD cut into the model's own tokens, as a real stream delivers it."""
    engine = LlamaEngine(EngineSettings(n_ctx=1024))
    engine.load(model)
    pieces = [engine.detokenize([t]) for t in engine.tokenize(REPLY_MD)]
    engine.close()
    return pieces


def gui_run(app: QApplication, n_messages: int, pieces: list[str]) -> float:
    """Seconds of GUI-thread time per streamed token with ``n_messages`` shown."""
    view = MessageView()
    view.resize(900, 700)
    view.show()
    view.set_messages(history_messages(n_messages))
    app.processEvents()
    view.add_message(StoredMessage(10_000, 1, "assistant", "", STREAMING, 0.0))
    app.processEvents()
    t0 = time.perf_counter()
    for piece in pieces:
        view.append_to_last(piece)
        app.processEvents()
    elapsed = time.perf_counter() - t0
    view.close()
    view.deleteLater()
    app.processEvents()
    return elapsed / len(pieces)


def bench_gui(model: Path, reps: int) -> dict[str, object]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    pieces = stream_pieces(model)
    gui_run(app, 2, pieces[:50])  # warm-up
    times: dict[int, list[float]] = {2: [], 100: []}
    for _ in range(reps):
        for n in (2, 100):
            times[n].append(gui_run(app, n, pieces))
    small = statistics.median(times[2])
    big = statistics.median(times[100])
    print(f"\nGUI time per streamed token ({len(pieces)} tokens, median of {reps})")
    print(f"{'messages in view':<18} {'us/token':>10}")
    print(f"{2:<18} {small * 1e6:>10.1f}\n{100:<18} {big * 1e6:>10.1f}")
    print(f"ratio 100/2: {big / small:.3f}")
    return {
        "gui_tokens": len(pieces),
        "gui_2_us": round(small * 1e6, 1),
        "gui_100_us": round(big * 1e6, 1),
        "gui_ratio": round(big / small, 3),
    }


def main() -> None:
    from helpers import models

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="GGUF (default: SmolLM2)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--reply-tokens", type=int, default=64)
    args = parser.parse_args()
    model = args.model or models.ensure(models.SMOLLM2)
    print(
        f"chat bench: {model.name}, {hardware.default_threads()} threads, "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    summary: dict[str, object] = {"bench": "chat", "model": model.name}
    summary.update(bench_ttft(model, args.reps, args.reply_tokens))
    summary.update(bench_gui(model, max(args.reps, 5)))
    summary["reuse_ratio_ok"] = float(summary["reuse_ratio"]) <= 1.3  # type: ignore[arg-type]
    summary["gui_ratio_ok"] = float(summary["gui_ratio"]) <= 1.2  # type: ignore[arg-type]
    summary["load_avg"] = round(os.getloadavg()[0], 2)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
